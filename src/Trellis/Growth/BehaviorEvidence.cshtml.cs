using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Growth;

public sealed class BehaviorEvidenceModel(Viewer viewer, SensitiveReads reads, TrellisDb db, FrameworkStore frameworks, ReadinessService readiness) : PageModel
{
    [BindProperty(SupportsGet = true)] public string EmployeeId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Behavior { get; set; } = "";
    public BehaviorEvidence Evidence { get; private set; } = null!;
    public Core.Readiness.BehaviorReadiness? Estimate { get; private set; }
    public int Threshold { get; private set; }
    public bool IsSelf => EmployeeId == viewer.EmployeeId;
    public string SubjectName { get; private set; } = "";
    public IReadOnlyDictionary<string, string> Anchors { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await GrowthAccess.CheckAsync(viewer, reads, db, EmployeeId, "read_evidence", ct) is { } refused) return refused.Status == 403 ? Forbid() : NotFound();
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var definition = framework?.FindBehavior(Behavior);
        if (framework is null || definition is null) return NotFound();
        var view = await EvidenceViews.BuildAsync(db, framework, EmployeeId, viewer.EmployeeId, Behavior, ct);
        Evidence = view.Behaviors.Single();
        Threshold = view.AnonymityThreshold;
        Anchors = definition.Anchors;
        SubjectName = await db.Employees.Where(e => e.Id == EmployeeId).Select(e => e.Name).FirstAsync(ct);
        Estimate = (await readiness.GetForViewerAsync(EmployeeId, viewer.EmployeeId, null, null, ct))?.Behaviors.FirstOrDefault(b => b.Behavior == Behavior);
        return Page();
    }
}
