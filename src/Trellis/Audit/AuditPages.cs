using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Audit;
using Trellis.Data;

namespace Trellis.Audit;

/// <summary>What the dashboard and the printable report render: the cached report and where it came from.</summary>
public sealed record AuditView(AuditReport Report, DateTimeOffset ComputedAt, string? Cycle, IReadOnlyList<string> Cycles, bool Printable);

[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditIndexModel(AuditService audit) : PageModel
{
    public AuditView? View { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cycle, CancellationToken ct)
    {
        var cycles = await audit.CycleNamesAsync(ct);
        var result = await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, false, ct);
        if (result is null)
        {
            Error = $"There is no cycle named '{cycle}' in the promotion history; showing all cycles instead.";
            result = (await audit.GetAsync(null, false, ct))!;
            cycle = null;
        }
        View = new AuditView(result.Report, result.ComputedAt, cycle, cycles, Printable: false);
        return Page();
    }

    public async Task<IActionResult> OnPostRecomputeAsync(string? cycle, CancellationToken ct)
    {
        await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, recompute: true, ct);
        return RedirectToPage(new { cycle });
    }
}

[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditReportModel(AuditService audit) : PageModel
{
    public AuditView? View { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cycle, CancellationToken ct)
    {
        var result = await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, false, ct);
        if (result is null) return NotFound();
        View = new AuditView(result.Report, result.ComputedAt, cycle, [], Printable: true);
        return Page();
    }
}

/// <summary>One flagged promotion opened to its evidence: the scores at the decision and the concern behind it.</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditFlagModel(AuditService audit, TrellisDb db, SensitiveReads reads) : PageModel
{
    public sealed record PersonLine(string Id, string Name, string? Department, string Level);
    public sealed record ConcernLine(string Id, string Category, bool Substantiated, DateOnly RecordedOn);

    public string Cycle { get; private set; } = "";
    public PersonLine? Person { get; private set; }
    public IReadOnlyList<AuditFlag> Flags { get; private set; } = [];
    public IReadOnlyList<ConcernLine> Concerns { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string cycle, string employeeId, CancellationToken ct)
    {
        var result = await audit.GetAsync(null, false, ct);
        Cycle = cycle;
        Flags = result!.Report.Flags.Where(f => f.Cycle == cycle && f.EmployeeId == employeeId).ToList();
        if (Flags.Count == 0) return NotFound();
        Person = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId)
            .Select(e => new PersonLine(e.Id, e.Name, e.Department, e.Level)).FirstOrDefaultAsync(ct);
        if (Flags.Any(f => f.Reason == "substantiated_concern"))
        {
            Concerns = await db.Concerns.AsNoTracking().Where(c => c.EmployeeId == employeeId)
                .OrderBy(c => c.RecordedOn).Select(c => new ConcernLine(c.Id, c.Category, c.Substantiated, c.RecordedOn)).ToListAsync(ct);
            await reads.RecordAsync("audit.flag.concerns", employeeId, $"cycle {cycle}", ct);
        }
        return Page();
    }
}
