using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Cycles;

public sealed class DetailModel(CycleService cycles, CalibrationBoard board, Viewer viewer, SensitiveReads reads, Audit.AuditService audit) : CyclePageModel
{
    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    public CycleResponse? Cycle { get; private set; }
    public IReadOnlyList<NominationResponse> Nominations { get; private set; } = [];
    /// <summary>The page of suggestions shown (null when the viewer gets none): a large organisation has thousands.</summary>
    public IReadOnlyList<SuggestionView>? Suggestions { get; private set; }
    /// <summary>All suggestions for the viewer, and how many of them match the search.</summary>
    public int SuggestionsAll { get; private set; }
    public int SuggestionsMatching { get; private set; }
    public int SuggestionsPage { get; private set; } = 1;
    public int SuggestionsPages => Math.Max(1, (SuggestionsMatching + SuggestionsPerPage - 1) / SuggestionsPerPage);
    public const int SuggestionsPerPage = 50;
    /// <summary>Searches the suggestions by name, id, level, target or band (<c>?sq=</c>; <c>?spage=</c> pages them).</summary>
    [BindProperty(SupportsGet = true, Name = "sq")] public string? SuggestionQuery { get; set; }
    public bool MayCalibrate { get; private set; }
    /// <summary>What publishing would do (HR, calibration phase): counts per outcome and the budget, shown before the confirmation.</summary>
    public PublicationPreview? Preview { get; private set; }
    [BindProperty] public string? OverrideReason { get; set; }
    [BindProperty] public bool Confirm { get; set; }
    public bool IsHr => viewer.IsHr;
    public string MyId => viewer.EmployeeId;

    [BindProperty] public string? EmployeeId { get; set; }
    /// <summary>The name typed in the nomination form (the script fills <see cref="EmployeeId"/> from the list; without it, the name is resolved here).</summary>
    [BindProperty] public string? Person { get; set; }
    public IReadOnlyList<LevelChoice> Levels { get; private set; } = [];

    /// <summary>A level as people read it: its name, with the key as secondary text.</summary>
    public string LevelLabel(string? key) => key is null ? "—" : Levels.FirstOrDefault(l => l.Key == key) is { } l ? $"{l.Name} ({l.Key})" : key;
    public string MyName => viewer.Name;
    [BindProperty] public string? TargetLevel { get; set; }
    [BindProperty] public string? Rationale { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostPhaseAsync(string? phase, CancellationToken ct) =>
        await AfterAsync(await cycles.SetPhaseAsync(Name, new SetPhaseRequest(phase), ct), c => $"The cycle is now in '{c.Phase}'.", ct);

    public async Task<IActionResult> OnPostPublishAsync(CancellationToken ct)
    {
        var published = Confirm
            ? await cycles.PublishAsync(Name, new PublishRequest(OverrideReason), ct)
            : Problem.Invalid("confirm", "Tick the confirmation after checking the counts and the budget to publish.");
        // The decisions are now promotion history: the culture audit is recomputed in the background at once.
        if (published.Ok) _ = audit.CheckInBackground(now: true);
        return await AfterAsync(published, _ => "Published: candidates and their managers can see the decisions; levels are updated.", ct);
    }

    public async Task<IActionResult> OnPostNominateAsync(CancellationToken ct)
    {
        Levels = await cycles.LevelChoicesAsync(ct);
        var id = string.IsNullOrWhiteSpace(EmployeeId) ? await cycles.ResolveNomineeAsync(Name, Person, ct) : EmployeeId;
        if (id is null)
            return await AfterAsync<NominationResponse>(Problem.Invalid("employee_id",
                string.IsNullOrWhiteSpace(Person) ? "Choose the person to nominate." : $"Nobody called '{Person}' is someone you may nominate: pick a name from the list."), _ => "", ct);
        return await AfterAsync(await cycles.NominateAsync(Name, new NominateRequest(id, TargetLevel, Rationale), false, ct),
            n => $"{n.EmployeeName} is nominated for {Levels.FirstOrDefault(l => l.Key == n.TargetLevel)?.Name ?? n.TargetLevel} ({n.TargetLevel}).", ct);
    }

    public async Task<IActionResult> OnPostSuggestedAsync(CancellationToken ct)
    {
        var suggestion = (await cycles.SuggestionsAsync(Name, ct)).Value?.FirstOrDefault(s => s.EmployeeId == EmployeeId && s.TargetLevel == TargetLevel);
        var rationale = suggestion is null
            ? "Suggested by the readiness engine."
            : $"Suggested by the readiness engine ({suggestion.Band}): {suggestion.Explanation}";
        if (rationale.Length > 4000) rationale = rationale[..4000];
        return await AfterAsync(await cycles.NominateAsync(Name, new NominateRequest(EmployeeId, TargetLevel, rationale), true, ct),
            n => $"{n.EmployeeName} is nominated for {n.TargetLevel}.", ct);
    }

    private async Task<IActionResult> AfterAsync<T>(Outcome<T> o, Func<T, string> notice, CancellationToken ct)
    {
        if (o.Ok)
        {
            Notice = notice(o.Value!);
            return Redirect($"/cycles/{Uri.EscapeDataString(Name)}");
        }
        if (o.Problem!.Status == 404) return Refuse(o.Problem);
        var refused = await LoadAsync(ct);
        if (refused is not null) return refused;
        FormError(o.Problem);
        return Page();
    }

    private static bool Matches(SuggestionView s, string q) =>
        s.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || s.EmployeeId.Contains(q, StringComparison.OrdinalIgnoreCase)
        || s.CurrentLevel.Equals(q, StringComparison.OrdinalIgnoreCase) || s.TargetLevel.Equals(q, StringComparison.OrdinalIgnoreCase)
        || s.Band.Equals(q, StringComparison.OrdinalIgnoreCase);

    /// <summary>The cycle page's address with the suggestion search and a page of it.</summary>
    public string SuggestionsLink(int page) => $"/cycles/{Uri.EscapeDataString(Name)}" + QueryString.Create(new Dictionary<string, string?>
    {
        ["sq"] = SuggestionQuery, ["spage"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent() + "#suggestions";

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var cycle = await cycles.GetAsync(Name, ct);
        if (!cycle.Ok) return Refuse(cycle.Problem!);
        Cycle = cycle.Value;
        Levels = await cycles.LevelChoicesAsync(ct);
        Nominations = (await cycles.ListNominationsAsync(Name, ct)).Value ?? [];
        if (viewer.IsHr || viewer.IsManager)
        {
            var suggestions = (await cycles.SuggestionsAsync(Name, ct)).Value;
            if (suggestions is not null)
            {
                // Paged and searched here: at 100,000 people the engine suggests about 10,000, far too many for one page.
                var q = SuggestionQuery?.Trim();
                var matching = string.IsNullOrEmpty(q) ? suggestions : suggestions.Where(s => Matches(s, q)).ToList();
                SuggestionsAll = suggestions.Count;
                SuggestionsMatching = matching.Count;
                SuggestionsPage = int.TryParse(Request.Query["spage"], out var p) ? Math.Clamp(p, 1, SuggestionsPages) : 1;
                Suggestions = matching.Skip((SuggestionsPage - 1) * SuggestionsPerPage).Take(SuggestionsPerPage).ToList();
                await CycleService.RecordSuggestionReadsAsync(reads, Name, Suggestions, ct);
            }
        }
        if (viewer.IsHr && Cycle!.Phase == Core.Cycles.CyclePhases.Calibration) Preview = (await cycles.PreviewPublicationAsync(Name, ct)).Value;
        var row = await cycles.FindCycleAsync(Name, ct);
        MayCalibrate = row is not null && await board.MayCalibrateAsync(row.Id, ct);
        return null;
    }
}
