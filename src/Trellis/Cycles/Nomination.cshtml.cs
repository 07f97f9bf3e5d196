using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Cycles;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Cycles;

/// <summary>The candidate's page: what the offered role asks against today, the other track side by side, readiness, private reflection and the choice.</summary>
public sealed class NominationModel(CycleService cycles, FrameworkStore frameworks, ReadinessService readiness, Viewer viewer) : CyclePageModel
{
    public sealed record ExpectationChange(string Name, int? Now, int? Target, int? Other);

    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public Dictionary<string, string?> Notes { get; set; } = [];
    [BindProperty] public string? Choice { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? WithId { get; set; }
    [BindProperty] public string? ConversationMessage { get; set; }

    public NominationResponse? Nomination { get; private set; }
    public bool IsCandidate { get; private set; }
    public bool CanRespond { get; private set; }
    public Level? Current { get; private set; }
    public Level? Target { get; private set; }
    public Level? Other { get; private set; }
    public Level? Expert { get; private set; }
    public IReadOnlyList<ExpectationChange> ChangedExpectations { get; private set; } = [];
    public ReadinessReport? Readiness { get; private set; }
    public IReadOnlyList<ReflectionNoteView> NoteViews { get; private set; } = [];
    public DateTimeOffset? NotesSavedAt => NoteViews.Max(v => v.UpdatedAt);
    public IReadOnlyList<LeadingBehavior> Leading { get; private set; } = [];
    public ConversationPartners? Partners { get; private set; }
    public IReadOnlyList<ConversationView> Conversations { get; private set; } = [];
    public DateOnly Today => cycles.Today;
    /// <summary>The answer and committee note the form shows: what was posted when a post was refused, else what is saved.</summary>
    public string? ShownChoice => _redrawn ? Choice : Nomination?.Response;
    public string? ShownNote => _redrawn ? Note : Nomination?.ResponseNote;
    private bool _redrawn;
    private CareerFramework? _framework;


    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostNotesAsync(CancellationToken ct) =>
        await AfterAsync(await cycles.SaveNotesAsync(Id, new SaveNotesRequest(Notes), ct), "Your notes are saved. Only you can read them.", ct);

    // The notes travel with every button of the candidate's form: they are saved first, so a refused answer or request loses nothing.
    public async Task<IActionResult> OnPostRespondAsync(CancellationToken ct)
    {
        var notes = await cycles.SaveNotesAsync(Id, new SaveNotesRequest(Notes), ct);
        if (!notes.Ok) return await AfterAsync(notes, "", ct);
        return await AfterAsync(await cycles.RespondAsync(Id, new RespondRequest(Choice, Note), ct), "Your answer and your notes are saved. You can change them until the deadline.", ct);
    }

    public async Task<IActionResult> OnPostConversationAsync(CancellationToken ct)
    {
        var notes = await cycles.SaveNotesAsync(Id, new SaveNotesRequest(Notes), ct);
        if (!notes.Ok) return await AfterAsync(notes, "", ct);
        return await AfterAsync(await cycles.AskForConversationAsync(Id, new ConversationRequestBody(WithId, ConversationMessage), ct),
            "Your request is in their inbox; your notes are saved.", ct);
    }

    private async Task<IActionResult> AfterAsync<T>(Outcome<T> o, string notice, CancellationToken ct)
    {
        if (o.Ok)
        {
            Notice = notice;
            return Redirect($"/nominations/{Id}");
        }
        if (o.Problem!.Status is 403 or 404) return Refuse(o.Problem);
        if (await LoadAsync(ct) is { } refused) return refused;
        // Every button posts the whole form, so a refused post of any of them shows what was typed and chosen, not what was last saved.
        _redrawn = true;
        NoteViews = NoteViews.Select(v => Notes.TryGetValue(v.Question, out var typed) ? v with { Answer = typed ?? "" } : v).ToList();
        FormError(o.Problem);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var o = await cycles.GetNominationAsync(Id, ct);
        if (!o.Ok) return Refuse(o.Problem!);
        var n = Nomination = o.Value!;
        IsCandidate = n.EmployeeId == viewer.EmployeeId;
        var cycle = await cycles.FindCycleAsync(n.Cycle, ct);
        CanRespond = IsCandidate && cycle is not null && CyclePhases.CheckResponding(cycle.Phase, cycles.Today, cycle.ResponseDeadline) is null;
        _framework = (await frameworks.GetAsync(ct))?.Framework;
        if (_framework is { } f)
        {
            Current = f.FindLevel(n.FromLevel);
            Target = f.FindLevel(n.TargetLevel);
            Other = PromotionTargets.Alternative(f, n.TargetLevel);
            Expert = PromotionTargets.ExpertEquivalent(f, n.TargetLevel);
            ChangedExpectations = f.Behaviors
                .Select(b => new ExpectationChange(b.Name, Get(Current, b.Key), Get(Target, b.Key), Get(Other, b.Key)))
                .Where(x => x.Now != x.Target || (Other is not null && x.Other != x.Target))
                .ToList();
        }
        Readiness = await readiness.GetForViewerAsync(n.EmployeeId, viewer.EmployeeId, n.TargetLevel, null, ct);
        if (IsCandidate)
        {
            NoteViews = (await cycles.GetNotesAsync(Id, ct)).Value ?? [];
            Leading = (await cycles.WhereYouLeadAsync(Id, ct)).Value ?? [];
            Partners = (await cycles.ConversationPartnersAsync(Id, ct)).Value;
            Conversations = (await cycles.ConversationsAsync(Id, ct)).Value ?? [];
        }
        return null;
    }

    /// <summary>The published outcome in words, for the candidate ("you") or anyone else (their name).</summary>
    public string OutcomeSentence(NominationResponse n)
    {
        var who = IsCandidate ? "You" : n.EmployeeName;
        var level = n.ReachedLevel is { } key ? $"{_framework?.FindLevel(key)?.Name ?? key} ({key})" : "";
        return n.Outcome switch
        {
            Core.PromotionOutcomes.Promoted => $"{who} {(IsCandidate ? "are" : "is")} promoted to {level}.",
            Core.PromotionOutcomes.NotPromoted => $"Not promoted this time: the committee decided \"not yet\".",
            Core.PromotionOutcomes.Declined => $"{who} declined the nomination. Nothing changes, and it carries no penalty.",
            Core.PromotionOutcomes.Deferred => $"{who} deferred the nomination. It carries no penalty; a later cycle can nominate again.",
            _ => n.Outcome ?? "",
        };
    }

    private static int? Get(Level? level, string behavior) => level is not null && level.Expectations.TryGetValue(behavior, out var v) ? v : null;

    public string TrackName(string levelKey) => _framework?.TrackOf(levelKey)?.Name ?? "";

    public string Reports(Level? level) => level is null ? "" :
        level.Scope.MaxDirectReports == 0 ? "none" :
        level.Scope.MinDirectReports == level.Scope.MaxDirectReports ? $"{level.Scope.MaxDirectReports}" : $"{level.Scope.MinDirectReports}–{level.Scope.MaxDirectReports}";
}
