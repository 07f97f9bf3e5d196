using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR edits one level's name, band, scope and expected ratings; saving stores a new framework version.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class EditLevelModel(FrameworkHistory history, Viewer viewer) : LevelFormModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var level = Framework!.FindLevel(Key)!;
        Name = level.Name;
        BandText = level.Band.ToString(CultureInfo.InvariantCulture);
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
        if (ParseChange() is not { } change) return Page();
        var write = await history.EditLevelAsync(Key, change, viewer.EmployeeId, Note, BaseVersion, ct);
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
}

/// <summary>HR adds a level to a track (<see cref="FrameworkEditPageModel.Key"/> is the track's key) at a band of their choice.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class AddLevelModel(FrameworkHistory history, Viewer viewer) : LevelFormModel
{
    [BindProperty] public string? LevelKey { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var top = Track!.Levels.Count > 0 ? Track.Levels.Max(l => l.Band) : 0;
        BandText = (top + 1).ToString(CultureInfo.InvariantCulture);
        DirectReportsMin = DirectReportsMax = "0";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (ParseChange() is not { } change) return Page();
        var key = (LevelKey ?? "").Trim();
        var write = await history.ApplyAsync(f => FrameworkEdits.AddLevel(f, Key, key, change), $"There is no track '{Key}'",
            "framework.level_added", key, viewer.EmployeeId, Note, BaseVersion, ct);
        if (Outcome(write, r => Saved("/framework/tracks", r, $"level-{Uri.EscapeDataString(key)}"), "Your values are kept below;") is { } done) return done;
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current?.Framework.Tracks.FirstOrDefault(t => t.Key == Key) is not { } track) return false;
        Framework = current.Framework;
        Track = track;
        BaseVersion ??= current.Version.Id;
        return true;
    }
}

/// <summary>The level form both pages share: fields bound as text, and their reading into a <see cref="LevelChange"/>.</summary>
public abstract class LevelFormModel : FrameworkEditPageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? BandText { get; set; }
    // Numbers are bound as text so that "abc" gets a message next to its field instead of silently becoming empty.
    [BindProperty] public string? DirectReportsMin { get; set; }
    [BindProperty] public string? DirectReportsMax { get; set; }
    /// <summary>One responsibility per line.</summary>
    [BindProperty] public string? Responsibilities { get; set; }
    [BindProperty] public string? TimeSplit { get; set; }
    /// <summary>Behaviour key → expected rating 1–5; empty means the level sets no expectation for it.</summary>
    [BindProperty] public Dictionary<string, string?> Expectations { get; set; } = [];

    public CareerFramework? Framework { get; protected set; }
    public Track? Track { get; protected set; }
    public int Band { get; protected set; }

    /// <summary>The level the form describes, or null (with the messages shown on the page) when a number does not read.</summary>
    protected LevelChange? ParseChange()
    {
        var parseErrors = new Dictionary<string, string[]>();
        // An edit may leave the band as it is; an added level without one is told by the validator that it needs one.
        var band = string.IsNullOrWhiteSpace(BandText) ? null : WholeNumber(BandText, "the band", "band", parseErrors);
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
            return null;
        }
        var scope = new LevelScope
        {
            DirectReports = [min ?? 0, max ?? 0],
            Responsibilities = (Responsibilities ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            TimeSplit = TimeSplit ?? "",
        };
        return new LevelChange(Name ?? "", scope, expectations, band);
    }

    private static int? WholeNumber(string? text, string what, string field, Dictionary<string, string[]> errors)
    {
        if (int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        var message = string.IsNullOrWhiteSpace(text) ? $"{what} is required" : $"{what} must be a whole number (got '{text.Trim()}')";
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return null;
    }
}
