using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Cycles;

public sealed class DetailModel(CycleService cycles, CalibrationBoard board, Viewer viewer) : CyclePageModel
{
    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    public CycleResponse? Cycle { get; private set; }
    public IReadOnlyList<NominationResponse> Nominations { get; private set; } = [];
    public IReadOnlyList<SuggestionView>? Suggestions { get; private set; }
    public bool MayCalibrate { get; private set; }
    public bool IsHr => viewer.IsHr;
    public string MyId => viewer.EmployeeId;

    [BindProperty] public string? EmployeeId { get; set; }
    [BindProperty] public string? TargetLevel { get; set; }
    [BindProperty] public string? Rationale { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostPhaseAsync(string? phase, CancellationToken ct) =>
        await AfterAsync(await cycles.SetPhaseAsync(Name, new SetPhaseRequest(phase), ct), c => $"The cycle is now in '{c.Phase}'.", ct);

    public async Task<IActionResult> OnPostPublishAsync(CancellationToken ct) =>
        await AfterAsync(await cycles.PublishAsync(Name, ct), _ => "Published: candidates and their managers can see the decisions; levels are updated.", ct);

    public async Task<IActionResult> OnPostNominateAsync(CancellationToken ct) =>
        await AfterAsync(await cycles.NominateAsync(Name, new NominateRequest(EmployeeId, TargetLevel, Rationale), false, ct),
            n => $"{n.EmployeeName} is nominated for {n.TargetLevel}.", ct);

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
        if (o.Error!.Status == 404) return Refuse(o.Error);
        var refused = await LoadAsync(ct);
        if (refused is not null) return refused;
        FormError(o.Error);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var cycle = await cycles.GetAsync(Name, ct);
        if (!cycle.Ok) return Refuse(cycle.Error!);
        Cycle = cycle.Value;
        Nominations = (await cycles.ListNominationsAsync(Name, ct)).Value ?? [];
        if (viewer.IsHr || viewer.IsManager)
        {
            var suggestions = await cycles.SuggestionsAsync(Name, ct);
            Suggestions = suggestions.Value;
        }
        var row = await cycles.FindCycleAsync(Name, ct);
        MayCalibrate = row is not null && await board.MayCalibrateAsync(row.Id, ct);
        return null;
    }
}
