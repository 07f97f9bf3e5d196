using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Growth;

/// <summary>Starting a plan: behaviours from the person's gaps (or any), practice actions with dates, and watchers asked for feedback.</summary>
public sealed class NewPlanModel(DevelopmentPlanService plans, Viewer viewer, FrameworkStore frameworks, ReadinessService readiness, TrellisDb db) : PageModel
{
    public const int ActionRows = 6;
    public const int WatcherRows = 4;

    public sealed class ActionRow
    {
        public string? Behavior { get; set; }
        public string? Text { get; set; }
        public DateOnly? DueOn { get; set; }
    }

    [BindProperty(SupportsGet = true, Name = "employee")] public string? Employee { get; set; }
    [BindProperty(Name = "behaviors")] public List<string> Behaviors { get; set; } = [];
    [BindProperty(Name = "actions")] public List<ActionRow> Actions { get; set; } = [];
    [BindProperty(Name = "watchers")] public List<string?> Watchers { get; set; } = [];
    [BindProperty(Name = "message")] public string? Message { get; set; }

    public CareerFramework? Framework { get; private set; }
    public string PersonName { get; private set; } = "";
    public IReadOnlyList<string> Gaps { get; private set; } = [];
    public string? Refused { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var loaded = await LoadAsync(ct);
        if (Refused is not null) return loaded;
        var actions = Actions.Where(a => !string.IsNullOrWhiteSpace(a.Text) || a.DueOn is not null)
            .Select(a => new PlanActionRequest(a.Behavior, a.Text, a.DueOn)).ToList();
        var o = await plans.CreateAsync(new CreatePlanRequest(Employee, Behaviors, actions,
            Watchers.Select(Evidence.EvidencePages.EmployeeIdFrom).OfType<string>().ToList(), Message), ct);
        if (o.Ok) return Redirect($"/plans/{o.Value!.Id}");
        o.Problem!.ShowOn(this);
        return Page();
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        Employee = string.IsNullOrWhiteSpace(Employee) ? viewer.EmployeeId : Employee.Trim();
        while (Actions.Count < ActionRows) Actions.Add(new ActionRow());
        while (Watchers.Count < WatcherRows) Watchers.Add(null);
        if (!await plans.MaySeeAsync(Employee, ct))
        {
            Refused = "Development plans are started by the person, their managers or HR.";
            Response.StatusCode = 403;
            return Page();
        }
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        PersonName = await db.Employees.AsNoTracking().Where(e => e.Id == Employee).Select(e => e.Name).FirstOrDefaultAsync(ct) ?? Employee;
        var report = await readiness.GetForViewerAsync(Employee, viewer.EmployeeId, null, null, ct);
        Gaps = report?.Gaps ?? [];
        return Page();
    }
}
