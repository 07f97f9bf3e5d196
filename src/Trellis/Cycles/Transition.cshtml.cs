using Microsoft.AspNetCore.Mvc;
using Trellis.Framework;

namespace Trellis.Cycles;

public sealed class TransitionModel(Transitions transitions, FrameworkStore frameworks) : CyclePageModel
{
    [BindProperty(SupportsGet = true)] public int? Id { get; set; }
    public TransitionPlanView? Plan { get; private set; }
    public IReadOnlyList<TransitionPlanView> Plans { get; private set; } = [];
    public int Threshold { get; private set; } = 3;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostCheckInAsync(int day, string? note, CancellationToken ct) =>
        await AfterAsync(Id is { } id ? await transitions.CheckInAsync(id, day, new CheckInRequest(note), ct) : Problem.NotFound("No plan."), "Check-in recorded.", ct);

    public async Task<IActionResult> OnPostPulseAsync(int? clarity, int? safety, int? growth, string? comment, CancellationToken ct) =>
        await AfterAsync(Id is { } id ? await transitions.AnswerPulseAsync(id, new PulseRequest(clarity, safety, growth, comment), ct) : Problem.NotFound("No plan."),
            "Thank you — your answer is in, anonymously.", ct);

    private async Task<IActionResult> AfterAsync(Outcome<TransitionPlanView> o, string notice, CancellationToken ct)
    {
        if (o.Ok)
        {
            Notice = notice;
            return Redirect($"/transitions/{Id}");
        }
        if (o.Problem!.Status is 403 or 404) return Refuse(o.Problem);
        if (await LoadAsync(ct) is { } refused) return refused;
        FormError(o.Problem);
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        Threshold = (await frameworks.GetAsync(ct))?.Framework.Rules.AnonymityThreshold ?? 3;
        if (Id is not { } id)
        {
            Plans = await transitions.ListAsync(ct);
            return null;
        }
        var o = await transitions.GetAsync(id, ct);
        if (!o.Ok) return Refuse(o.Problem!);
        Plan = o.Value;
        return null;
    }
}
