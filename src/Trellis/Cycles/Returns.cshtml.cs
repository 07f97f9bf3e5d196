using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Cycles;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Cycles;

public sealed class ReturnsModel(Transitions transitions, FrameworkStore frameworks, TrellisDb db, Viewer viewer) : CyclePageModel
{
    public IReadOnlyList<TrackReturnView> Requests { get; private set; } = [];
    public Level? ReturnLevel { get; private set; }
    public string? CurrentLevel { get; private set; }
    public bool IsHr => viewer.IsHr;
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? ReportsTo { get; set; }
    /// <summary>For each pending request (HR): the person's direct reports and who takes them by default.</summary>
    public Dictionary<int, (int Reports, PersonRef? DefaultTo)> Teams { get; } = [];
    public IReadOnlyList<PersonRef> Leaders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRequestAsync(CancellationToken ct) =>
        await AfterAsync(await transitions.RequestReturnAsync(new TrackReturnRequest(Reason), ct), "Your request is with HR.", ct);

    public async Task<IActionResult> OnPostApproveAsync(int id, CancellationToken ct) =>
        await AfterAsync(await transitions.DecideReturnAsync(id, true, ReportsTo, ct), "Approved: level, title, direct reports and any transition plan are updated, and written to the person's history.", ct);

    public async Task<IActionResult> OnPostRejectAsync(int id, CancellationToken ct) =>
        await AfterAsync(await transitions.DecideReturnAsync(id, false, ct: ct), "Rejected.", ct);

    private async Task<IActionResult> AfterAsync(Outcome<TrackReturnView> o, string notice, CancellationToken ct)
    {
        if (o.Ok)
        {
            Notice = notice;
            return Redirect("/returns");
        }
        FormError(o.Problem!);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Requests = await transitions.ListReturnsAsync(ct);
        if (viewer.IsHr)
        {
            foreach (var r in Requests.Where(r => r.Status == TrackReturnStatus.Requested)) Teams[r.Id] = await transitions.ReportsOfAsync(r.EmployeeId, ct);
            if (Teams.Values.Any(t => t.Reports > 0)) Leaders = await transitions.LeadersAsync(ct);
        }
        CurrentLevel = await db.Employees.AsNoTracking().Where(e => e.Id == viewer.EmployeeId).Select(e => e.Level).FirstOrDefaultAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var pending = Requests.Any(r => r.EmployeeId == viewer.EmployeeId && r.Status == TrackReturnStatus.Requested);
        if (framework is not null && CurrentLevel is not null && !pending) ReturnLevel = PromotionTargets.ReturnLevel(framework, CurrentLevel);
    }
}
