using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR edits one level's name, scope and expected ratings; saving stores a new framework version.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class EditLevelModel(FrameworkHistory history, Viewer viewer) : FrameworkEditPageModel
{
    [BindProperty] public string? Name { get; set; }
    // Numbers are bound as text so that "abc" gets a message next to its field instead of silently becoming empty.
    [BindProperty] public string? DirectReportsMin { get; set; }
    [BindProperty] public string? DirectReportsMax { get; set; }
    /// <summary>One responsibility per line.</summary>
    [BindProperty] public string? Responsibilities { get; set; }
    [BindProperty] public string? TimeSplit { get; set; }
    /// <summary>Behaviour key → expected rating 1–5; empty means the level sets no expectation for it.</summary>
    [BindProperty] public Dictionary<string, string?> Expectations { get; set; } = [];

    public CareerFramework? Framework { get; private set; }
    public Track? Track { get; private set; }
    public int Band { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var level = Framework!.FindLevel(Key)!;
        Name = level.Name;
        DirectReportsMin = level.Scope.MinDirectReports.ToString(CultureInfo.InvariantCulture);
        DirectReportsMax = level.Scope.MaxDirectReports.ToString(CultureInfo.InvariantCulture);
        Responsibilities = string.Join("\n", level.Scope.Responsibilities);
        TimeSplit = level.Scope.TimeSplit;
        Expectations = Framework.Behaviors.ToDictionary(b => b.Key,
            b => level.Expectations.TryGetValue(b.Key, out var r) ? r.ToString(CultureInfo.InvariantCulture) : null);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var parseErrors = new Dictionary<string, string[]>();
        var min = WholeNumber(DirectReportsMin, "minimum direct reports", "scope.direct_reports", parseErrors);
        var max = WholeNumber(DirectReportsMax, "maximum direct reports", "scope.direct_reports", parseErrors);
        var expectations = new Dictionary<string, int>();
        foreach (var (behavior, text) in Expectations)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (WholeNumber(text, "the expected rating", $"expectations.{behavior}", parseErrors) is { } rating)
                expectations[behavior] = rating;
        }
        if (parseErrors.Count > 0)
        {
            Problem.Invalid(parseErrors, "The level was not saved.").ShowOn(this);
            return Page();
        }

        var scope = new LevelScope
        {
            DirectReports = [min ?? 0, max ?? 0],
            Responsibilities = (Responsibilities ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            TimeSplit = TimeSplit ?? "",
        };
        var write = await history.EditLevelAsync(Key, new LevelChange(Name ?? "", scope, expectations), viewer.EmployeeId, Note, BaseVersion, ct);
        if (Outcome(write, r => Saved("/framework/tracks", r, $"level-{Uri.EscapeDataString(Key)}"), "Your values are kept below;") is { } done) return done;
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current?.Framework.FindLevel(Key) is not { } level) return false;
        Framework = current.Framework;
        Track = current.Framework.TrackOf(Key);
        Band = level.Band;
        BaseVersion ??= current.Version.Id;
        return true;
    }

    private static int? WholeNumber(string? text, string what, string field, Dictionary<string, string[]> errors)
    {
        if (int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        var message = string.IsNullOrWhiteSpace(text) ? $"{what} is required" : $"{what} must be a whole number (got '{text.Trim()}')";
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return null;
    }
}
