using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Audit;
using Trellis.Data;

namespace Trellis.Audit;

/// <summary>What the dashboard and the printable report render: the cached report and where it came from.</summary>
public sealed record AuditView(AuditReport Report, DateTimeOffset ComputedAt, string? Cycle, IReadOnlyList<string> Cycles, bool Printable)
{
    /// <summary>The page of flagged promotions shown on the dashboard (a large organisation has thousands; the CSV has them all).</summary>
    public int FlagsPage { get; init; } = 1;
    public const int FlagsPerPage = 50;
    /// <summary>The printable report lists at most this many flags and says so; the CSV has them all.</summary>
    public const int FlagsInPrint = 500;
    public int FlagsPages => Math.Max(1, (Report.Flags.Count + FlagsPerPage - 1) / FlagsPerPage);
    /// <summary>Cycles published early or over budget, with HR's reason (a column of the cycles table).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The dashboard. It never computes the audit: it shows the last result and asks for a check in the background; while a
/// new result is computed it says so (and <c>wwwroot/js/audit.js</c> swaps in the new figures when they are ready).
/// Only the very first view, before any result exists, waits a little for it.
/// </summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditIndexModel(AuditService audit) : PageModel
{
    /// <summary>How long the first view waits for the first result before showing the "computing" state.</summary>
    public static readonly TimeSpan FirstResultWait = TimeSpan.FromSeconds(3);

    public AuditView? View { get; private set; }
    public string? Error { get; private set; }
    public string? Cycle { get; private set; }
    public IReadOnlyList<string> Cycles { get; private set; } = [];
    public AuditService.Running? Running { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cycle, CancellationToken ct)
    {
        await LoadAsync(cycle, ct);
        return Page();
    }

    /// <summary><c>/audit?handler=body</c>: the figures alone, for the script that swaps them in without a reload.</summary>
    public async Task<IActionResult> OnGetBodyAsync(string? cycle, CancellationToken ct)
    {
        await LoadAsync(cycle, ct);
        return View is null ? new NoContentResult() : Partial("_AuditBody", View);
    }

    private async Task LoadAsync(string? cycle, CancellationToken ct)
    {
        Cycles = await audit.CycleNamesAsync(ct);
        cycle = string.IsNullOrWhiteSpace(cycle) ? null : cycle;
        if (cycle is not null && !Cycles.Contains(cycle))
        {
            Error = $"There is no cycle named '{cycle}' in the promotion history; showing all cycles instead.";
            cycle = null;
        }
        Cycle = cycle;
        var check = audit.CheckInBackground(cycle);
        var last = audit.Peek(cycle);
        if (last is null)
        {
            // Nothing to show yet (the first view after start): wait a little, then show the "computing" state.
            await Task.WhenAny(check, Task.Delay(FirstResultWait, ct));
            last = audit.Peek(cycle);
        }
        Running = audit.Progress;
        if (last is not null)
        {
            var flagsPage = int.TryParse(Request.Query["fpage"], out var p) ? p : 1;
            var view = new AuditView(last.Report, last.ComputedAt, cycle, Cycles, Printable: false) { Overrides = await audit.PublicationOverridesAsync(ct) };
            View = view with { FlagsPage = Math.Clamp(flagsPage, 1, view.FlagsPages) };
        }
    }

    /// <summary>"updating… (started 14:05, 3 of 10 decision dates)", or empty when nothing runs.</summary>
    public static string Updating(AuditService.Running? running) => running is null ? "" :
        $"updating… (started {running.StartedAt:HH:mm}{(running.DatesTotal > 0 ? $", {running.DatesDone} of {running.DatesTotal} decision dates" : "")})";

    public IActionResult OnPostRecompute(string? cycle)
    {
        _ = audit.CheckInBackground(string.IsNullOrWhiteSpace(cycle) ? null : cycle, now: true, recompute: true);
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
        View = new AuditView(result.Report, result.ComputedAt, cycle, [], Printable: true) { Overrides = await audit.PublicationOverridesAsync(ct) };
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
