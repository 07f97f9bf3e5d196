using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>One plan: each behaviour's estimate over time with the start marked, feedback since, actions, comments, closing.</summary>
public sealed class PlanModel(DevelopmentPlanService plans, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public string? Comment { get; set; }
    [BindProperty] public string? Status { get; set; }
    [BindProperty] public string? ClosingNote { get; set; }
    [BindProperty] public int? ActionId { get; set; }
    [BindProperty] public bool Done { get; set; }
    [BindProperty] public string? Behavior { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public DateOnly? DueOn { get; set; }

    /// <summary>The fields whose messages the page shows beside their input (the one action the add form sends is the request's first).</summary>
    public static readonly string[] FormFields = ["actions[0].behavior", "actions[0].text", "actions[0].due_on", "comment"];

    public PlanView? Plan { get; private set; }
    public Problem? Refused { get; private set; }
    public bool IsSelf => Plan?.EmployeeId == viewer.EmployeeId;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostCommentAsync(CancellationToken ct) => ChangeAsync(new UpdatePlanRequest(Comment: Comment ?? ""), ct);
    public Task<IActionResult> OnPostDoneAsync(CancellationToken ct) => ChangeAsync(new UpdatePlanRequest([new PlanActionUpdate(ActionId, null, null, null, Done)]), ct);
    public Task<IActionResult> OnPostActionAsync(CancellationToken ct) => ChangeAsync(new UpdatePlanRequest([new PlanActionUpdate(null, Behavior, Text, DueOn, false)]), ct);
    public Task<IActionResult> OnPostCloseAsync(CancellationToken ct) => ChangeAsync(new UpdatePlanRequest(Status: Status ?? "", ClosingNote: ClosingNote), ct);

    private async Task<IActionResult> ChangeAsync(UpdatePlanRequest request, CancellationToken ct)
    {
        var o = await plans.UpdateAsync(Id, request, ct);
        if (o.Ok) return Redirect($"/plans/{Id}");
        if (o.Problem!.Status is 403 or 404) return Refuse(o.Problem);
        var loaded = await LoadAsync(ct);
        o.Problem.ShowOn(this);
        return loaded;
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        var o = await plans.GetAsync(Id, ct);
        if (!o.Ok) return Refuse(o.Problem!);
        Plan = o.Value;
        return Page();
    }

    private PageResult Refuse(Problem p)
    {
        Refused = p;
        Response.StatusCode = p.Status;
        return Page();
    }
}
