using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Growth;

/// <summary>HR: which behaviours the organisation develops and how estimates moved under plans, without names.</summary>
[Authorize(Policy = Accounts.Policies.Hr)]
public sealed class PlanSummaryModel(DevelopmentPlanService plans) : PageModel
{
    public PlanAggregate? Summary { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var o = await plans.AggregateAsync(ct);
        if (!o.Ok) { o.Problem!.ShowOn(this); return Page(); }
        Summary = o.Value;
        return Page();
    }
}
