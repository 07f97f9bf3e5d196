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
    /// <summary>
    /// Managers over the span-of-control limit listed on the dashboard (the most direct reports first) and in print: a
    /// large organisation has hundreds; the span-of-control page pages through them all and the CSV has them all.
    /// </summary>
    public const int SpanOnDashboard = 25;
    public const int SpanInPrint = 50;
    public int SpanShown => Printable ? SpanInPrint : SpanOnDashboard;
    /// <summary>Cycles published early or over budget, with HR's reason (a column of the cycles table).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Names for what the report holds by id or key (people, levels, tracks): the page shows words, the downloads keep the codes.</summary>
    public AuditNames Names { get; init; } = AuditNames.None;
}

/// <summary>
/// How the audit pages name people, levels and tracks (issue 11, words not codes): "Ana Silva (E0042)", "Senior (e3)",
/// "People leader", and snake_case codes as words. Only what people read; the CSV and JSON downloads keep the codes.
/// </summary>
public sealed partial record AuditNames(IReadOnlyDictionary<string, string> People, IReadOnlyDictionary<string, string> Levels, IReadOnlyDictionary<string, string> Tracks)
{
    public static readonly AuditNames None = new(new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>());

    public string Person(string id) => People.TryGetValue(id, out var name) ? $"{name} ({id})" : id;

    public string Level(string key) => Levels.TryGetValue(key, out var name) ? $"{name} ({key})" : key;

    public string Track(string key) => Tracks.TryGetValue(key, out var name) ? name : Words(key);

    /// <summary>One table cell as people read it: a person, a level or a track by name, a code in words, anything else as it is.</summary>
    public string Cell(string value) =>
        People.ContainsKey(value) ? Person(value)
        : Levels.ContainsKey(value) ? Level(value)
        : Tracks.ContainsKey(value) ? Track(value)
        : Words(value);

    /// <summary>A sentence of the report ("… below what l3 expects") with each level key named: "… below what Team lead (l3) expects".</summary>
    public string Prose(string text) => Word().Replace(text, m => Levels.ContainsKey(m.Value) ? Level(m.Value) : m.Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"\b[a-z][a-z0-9_-]*\b")]
    private static partial System.Text.RegularExpressions.Regex Word();

    public static string Words(string value) => SnakeCase().IsMatch(value) ? value.Replace('_', ' ') : value;

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]+(?:_[a-z]+)+$")]
    private static partial System.Text.RegularExpressions.Regex SnakeCase();

    /// <summary>
    /// The names behind a report: the people it shows (the flags on the page, <paramref name="flagsShown"/>, and the
    /// span-of-control outliers) and the framework's levels and tracks.
    /// </summary>
    public static async Task<AuditNames> ForAsync(AuditReport report, IEnumerable<AuditFlag> flagsShown, int spanShown, TrellisDb db, Framework.FrameworkStore frameworks, CancellationToken ct)
    {
        var ids = flagsShown.Select(f => f.EmployeeId).Concat(report.SpanOfControl.Take(spanShown).Select(s => s.ManagerId)).Distinct().ToList();
        var people = new Dictionary<string, string>();
        // Chunked: a large organisation flags thousands, and a database caps the parameters of one query.
        foreach (var chunk in ids.Chunk(1000))
            foreach (var e in await db.Employees.AsNoTracking().Where(e => chunk.Contains(e.Id)).Select(e => new { e.Id, e.Name }).ToListAsync(ct))
                people[e.Id] = e.Name;
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        return new(people,
            framework?.Levels.ToDictionary(l => l.Key, l => l.Name) ?? [],
            framework?.Tracks.ToDictionary(t => t.Key, t => t.Name) ?? []);
    }
}

/// <summary>
/// The dashboard. It never computes the audit: it shows the last result and asks for a check in the background; while a
/// new result is computed it says so (and <c>wwwroot/js/audit.js</c> swaps in the new figures when they are ready).
/// The very first view, before any result exists, does not wait for it either: it says the first audit is being computed,
/// with the same progress text.
/// </summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditIndexModel(AuditService audit, TrellisDb db, Framework.FrameworkStore frameworks) : PageModel
{
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
        _ = audit.CheckInBackground(cycle);
        var last = audit.Peek(cycle);
        // Never waits for the computation, not even the first: with no result yet the page says it is being computed.
        Running = audit.ProgressFor(cycle);
        if (last is not null)
        {
            var flagsPage = int.TryParse(Request.Query["fpage"], out var p) ? p : 1;
            var view = new AuditView(last.Report, last.ComputedAt, cycle, Cycles, Printable: false) { Overrides = await audit.PublicationOverridesAsync(ct) };
            view = view with { FlagsPage = Math.Clamp(flagsPage, 1, view.FlagsPages) };
            var shown = last.Report.Flags.Skip((view.FlagsPage - 1) * AuditView.FlagsPerPage).Take(AuditView.FlagsPerPage);
            View = view with { Names = await AuditNames.ForAsync(last.Report, shown, view.SpanShown, db, frameworks, ct) };
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
public sealed class AuditReportModel(AuditService audit, TrellisDb db, Framework.FrameworkStore frameworks) : PageModel
{
    public AuditView? View { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? cycle, CancellationToken ct)
    {
        var result = await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, false, ct);
        if (result is null) return NotFound();
        View = new AuditView(result.Report, result.ComputedAt, cycle, [], Printable: true)
        {
            Overrides = await audit.PublicationOverridesAsync(ct),
            Names = await AuditNames.ForAsync(result.Report, result.Report.Flags.Take(AuditView.FlagsInPrint), AuditView.SpanInPrint, db, frameworks, ct),
        };
        return Page();
    }
}

/// <summary>One flagged promotion opened to its evidence: the scores at the decision and the concern behind it.</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditFlagModel(AuditService audit, TrellisDb db, SensitiveReads reads, Framework.FrameworkStore frameworks) : PageModel
{
    public sealed record PersonLine(string Id, string Name, string? Department, string Level);
    public sealed record ConcernLine(string Id, string Category, bool Substantiated, DateOnly RecordedOn);

    public string Cycle { get; private set; } = "";
    public PersonLine? Person { get; private set; }
    public IReadOnlyList<AuditFlag> Flags { get; private set; } = [];
    public IReadOnlyList<ConcernLine> Concerns { get; private set; } = [];
    /// <summary>Reasons and levels in words, as the dashboard shows them.</summary>
    public AuditNames Names { get; private set; } = AuditNames.None;

    public async Task<IActionResult> OnGetAsync(string cycle, string employeeId, CancellationToken ct)
    {
        var result = await audit.GetAsync(null, false, ct);
        Cycle = cycle;
        Flags = result!.Report.Flags.Where(f => f.Cycle == cycle && f.EmployeeId == employeeId).ToList();
        if (Flags.Count == 0) return NotFound();
        Names = await AuditNames.ForAsync(result.Report, Flags, 0, db, frameworks, ct);
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
