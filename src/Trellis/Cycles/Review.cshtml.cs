using Microsoft.AspNetCore.Mvc;

namespace Trellis.Cycles;

public sealed class ReviewModel(CycleService cycles, CalibrationBoard board, Trellis.Framework.FrameworkStore frameworks) : CyclePageModel
{
    private Core.Framework.CareerFramework? _framework;
    /// <summary>A behaviour or level in words (its name), never its key alone.</summary>
    public string BehaviorName(string key) => _framework?.Behaviors.FirstOrDefault(b => b.Key == key)?.Name ?? key;
    public string LevelName(string? key) => key is null ? "" : _framework?.FindLevel(key) is { } l ? $"{l.Name} ({l.Key})" : key;
    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public string? Rationale { get; set; }
    [BindProperty] public int? Version { get; set; }

    public NominationResponse? Nomination { get; private set; }
    public EvidenceSummary? Evidence { get; private set; }
    public IReadOnlyList<DecisionChangeView> History { get; private set; } = [];
    public bool OnCommittee { get; private set; }
    /// <summary>Why the viewer stands aside from this candidate (their own candidacy, or their reporting line), or null.</summary>
    public string? Recused { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var o = await cycles.DecideAsync(Id, new DecideRequest(Outcome, Rationale, Version), null, ct);
        if (o.Ok)
        {
            Notice = $"Decision recorded: {o.Value!.Decision!.Outcome}.";
            return Redirect($"/cycles/{Uri.EscapeDataString(Name)}/board/{Id}");
        }
        if (o.Problem!.Status == 404) return Refuse(o.Problem);
        if (await LoadAsync(ct) is { } refused) return refused;
        FormError(o.Problem);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var evidence = await board.EvidenceAsync(Id, ct);
        if (!evidence.Ok) return Refuse(evidence.Problem!);
        var nomination = await cycles.GetNominationAsync(Id, ct);
        if (!nomination.Ok) return Refuse(nomination.Problem!);
        if (nomination.Value!.Cycle != Name) return Refuse(Problem.NotFound($"Nomination {Id} is not in cycle '{Name}'."));
        Evidence = evidence.Value;
        _framework = (await frameworks.GetAsync(ct))?.Framework;
        Nomination = nomination.Value;
        History = (await cycles.DecisionHistoryAsync(Id, ct)).Value ?? [];
        var cycle = await cycles.FindCycleAsync(Name, ct);
        OnCommittee = cycle is not null && await cycles.IsOnCommitteeAsync(cycle.Id, ct);
        Recused = cycle is null ? null : await cycles.RecusedAsync(cycle, Nomination.EmployeeId, ct);
        return null;
    }
}
