using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>The development plans the viewer may see: their own, their line's, and for HR all of them.</summary>
public sealed class PlansModel(DevelopmentPlanService plans, Viewer viewer) : PageModel
{
    public IReadOnlyList<PlanSummary> Plans { get; private set; } = [];
    public string Me => viewer.EmployeeId;
    public bool IsHr => viewer.IsHr;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var o = await plans.ListAsync(null, ct);
        if (!o.Ok) { o.Problem!.ShowOn(this); return Page(); }
        Plans = o.Value!;
        return Page();
    }
}
