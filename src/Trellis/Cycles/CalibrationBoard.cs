using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core;
using Trellis.Core.Cycles;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Cycles;

/// <summary>
/// The calibration board of a cycle and the evidence summary behind each row, for HR and the cycle's committee.
/// Readiness comes from one <see cref="ReadinessService.GetAllAsync"/> for the usual target (next band on the same track),
/// plus one per other target level actually used in the cycle — never one call per candidate.
/// </summary>
public sealed class CalibrationBoard(
    TrellisDb db, Viewer viewer, FrameworkStore frameworks, ReadinessService readiness, SensitiveReads sensitive, BoardCache cache, People.OrgSnapshots orgs)
{
    public static readonly IReadOnlyList<string> SortKeys = ["name", "target", "band", "values", "results", "evidence", "raters", "response", "decision"];

    public async Task<Outcome<BoardResponse>> GetAsync(string cycleName, BoardQuery query, CancellationToken ct = default)
    {
        var cycle = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Name == cycleName, ct);
        if (cycle is null) return Problem.NotFound($"There is no cycle named '{cycleName}'.");
        if (!await MayCalibrateAsync(cycle.Id, ct)) return Problem.Forbidden($"The board of '{cycleName}' is for HR and the cycle's committee.");
        if (query.Sort is { } s && !SortKeys.Contains(s)) return Problem.Invalid("sort", $"sort must be one of {string.Join(", ", SortKeys)}");

        // One round trip: the latest results score and any substantiated concern come as correlated subqueries (both indexed by employee).
        // Reused while the cycle's revision is unchanged (see BoardCache).
        var nominations = cache.Get(cycle.Id, cycle.Revision);
        if (nominations is null)
        {
            nominations = await BoardRows(db, cycle.Id).ToListAsync(ct);
            cache.Put(cycle.Id, cycle.Revision, nominations);
        }
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var threshold = framework?.Rules.AnonymityThreshold ?? 3;
        var reports = await ReadinessForAsync(nominations.Select(n => (n.EmployeeId, n.TargetLevel)).ToList(), ct);

        // Recusal: the viewer's own row shows no decision before publication; with the reporting-line rule, their reports' rows are marked too.
        var published = cycle.Phase == CyclePhases.Published;
        var line = cycle.Recuse == RecuseRules.ReportingLine ? (await orgs.GetAsync(db, ct)).Lines : null;
        var rows = new List<BoardRow>(nominations.Count);
        foreach (var n in nominations)
        {
            var self = n.EmployeeId == viewer.EmployeeId;
            var hide = self && !published;
            reports.TryGetValue(n.EmployeeId, out var report);
            // Subject first: a candidate (HR or committee) sees their own row from their own view, without the anonymous
            // feedback about them still held back, as on their growth page; the band counts below follow it.
            if (self) report = await readiness.GetOwnAsync(n.EmployeeId, n.TargetLevel, null, ct);
            var results = n.LatestResults;
            rows.Add(new BoardRow(n.Id, n.EmployeeId, n.Name, n.Department, n.FromLevel, n.TargetLevel,
                report?.Band ?? ReadinessBands.InsufficientEvidence, report?.ValuesScore, report?.ValuesCi,
                report?.ResultsGate ?? ResultsGates.Unknown, results, report?.EvidenceCount ?? 0, report?.RaterCount ?? 0,
                CandidateFlags.Compute(report, results, n.Concern, threshold),
                n.Choice, hide ? null : n.Decision, hide ? null : n.DecidedLevel, hide ? 0 : n.Version, self || line?.IsAbove(viewer.EmployeeId, n.EmployeeId) == true));
        }

        // A viewer who is a candidate in this cycle would read their own hidden decision off the budget used (compare it with
        // the rows they can see): before publication it is counted without their own candidacy, and the answer says so.
        var withoutOwn = !published && nominations.Any(n => n.EmployeeId == viewer.EmployeeId);
        var used = published
            ? nominations.Count(n => n.PublishedOutcome == PromotionOutcomes.Promoted)
            : nominations.Count(n => n.EmployeeId != viewer.EmployeeId && Publication.UsesBudget(n.Choice, n.Decision));
        var bands = ReadinessBands.All.ToDictionary(b => b, b => rows.Count(r => r.Band == b));
        await sensitive.RecordAsync("cycle.board", null, $"cycle {cycleName}: {rows.Count} candidates", ct);
        return new BoardResponse(cycle.Name, cycle.Phase, cycle.Budget, used, rows.Count, bands, Arrange(rows, query)) { BudgetUsedWithoutOwn = withoutOwn };
    }

    public sealed record BoardRowData(
        int Id, string EmployeeId, string Name, string? Department, string FromLevel, string TargetLevel, string? Choice, string? Decision,
        string? DecidedLevel, int Version, string? PublishedOutcome, double? LatestResults, bool Concern);

    // Not an EF compiled query: one process may host both providers (tests, benchmarks), and a compiled query is bound to one model.
    private static IQueryable<BoardRowData> BoardRows(TrellisDb db, int cycleId) =>
        db.Nominations.AsNoTracking().Where(n => n.CycleId == cycleId)
            .Join(db.Employees, n => n.EmployeeId, e => e.Id, (n, e) => new BoardRowData(
                n.Id, n.EmployeeId, e.Name, e.Department, n.FromLevel, n.TargetLevel, n.Choice, n.Decision, n.DecidedLevel, n.Version, n.PublishedOutcome,
                db.Results.Where(r => r.EmployeeId == n.EmployeeId).OrderByDescending(r => r.PeriodEnd).Select(r => (double?)r.Score).FirstOrDefault(),
                db.Concerns.Any(c => c.EmployeeId == n.EmployeeId && c.Substantiated)));

    /// <summary>
    /// Everyone's reports by employee id, made once per list: the engine keeps one list per assessment and target, so the
    /// board of a cycle looks its candidates up instead of indexing 100,000 reports on every view.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<ReadinessReport>, Dictionary<string, ReadinessReport>> ById = new();

    private static Dictionary<string, ReadinessReport> Indexed(IReadOnlyList<ReadinessReport> all) =>
        ById.GetValue(all, static list => list.ToDictionary(r => r.EmployeeId, StringComparer.Ordinal));

    /// <summary>Readiness per candidate for their own target, keyed by employee id. Missing = unknown.</summary>
    private async Task<Dictionary<string, ReadinessReport>> ReadinessForAsync(List<(string EmployeeId, string Target)> wanted, CancellationToken ct)
    {
        var result = new Dictionary<string, ReadinessReport>(wanted.Count);
        if (wanted.Count == 0) return result;
        var next = Indexed(await readiness.GetAllAsync(null, null, ct));
        var others = new List<(string EmployeeId, string Target)>();
        foreach (var w in wanted)
        {
            if (next.TryGetValue(w.EmployeeId, out var r) && r.TargetLevel == w.Target) result[w.EmployeeId] = r;
            else if (next.ContainsKey(w.EmployeeId)) others.Add(w);
        }
        foreach (var group in others.GroupBy(o => o.Target))
        {
            var forTarget = Indexed(await readiness.GetAllAsync(group.Key, null, ct));
            foreach (var w in group)
                if (forTarget.TryGetValue(w.EmployeeId, out var r)) result[w.EmployeeId] = r;
        }
        return result;
    }

    private static List<BoardRow> Arrange(List<BoardRow> rows, BoardQuery q)
    {
        IEnumerable<BoardRow> filtered = rows;
        if (!string.IsNullOrWhiteSpace(q.Band)) filtered = filtered.Where(r => r.Band == q.Band);
        if (!string.IsNullOrWhiteSpace(q.Flag)) filtered = q.Flag == "any" ? filtered.Where(r => r.Flags.Count > 0) : filtered.Where(r => r.Flags.Contains(q.Flag));
        if (!string.IsNullOrWhiteSpace(q.Response)) filtered = q.Response == "none" ? filtered.Where(r => r.Response is null) : filtered.Where(r => r.Response == q.Response);
        if (!string.IsNullOrWhiteSpace(q.Decision)) filtered = q.Decision == "none" ? filtered.Where(r => r.Decision is null) : filtered.Where(r => r.Decision == q.Decision);
        if (!string.IsNullOrWhiteSpace(q.Q))
        {
            var text = q.Q.Trim();
            filtered = filtered.Where(r => r.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || r.EmployeeId.Contains(text, StringComparison.OrdinalIgnoreCase)
                                           || (r.Department?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false));
        }
        // Text sorts A→Z and numbers best-first unless a direction is asked for.
        bool Desc(bool numeric) => q.Dir switch { "desc" => true, "asc" => false, _ => numeric };
        static int BandRank(string band) => ReadinessBands.All.ToList().IndexOf(band);
        IOrderedEnumerable<BoardRow> sorted = (q.Sort ?? "name") switch
        {
            "target" => Order(filtered, r => r.TargetLevel, Desc(false)),
            "band" => Order(filtered, r => BandRank(r.Band), Desc(false)),
            "values" => Order(filtered, r => r.ValuesScore ?? double.MinValue, Desc(true)),
            "results" => Order(filtered, r => r.LatestResults ?? double.MinValue, Desc(true)),
            "evidence" => Order(filtered, r => r.EvidenceCount, Desc(true)),
            "raters" => Order(filtered, r => r.RaterCount, Desc(true)),
            "response" => Order(filtered, r => r.Response ?? "~", Desc(false)),
            "decision" => Order(filtered, r => r.Decision ?? "~", Desc(false)),
            _ => Order(filtered, r => r.Name, Desc(false)),
        };
        return sorted.ThenBy(r => r.EmployeeId, StringComparer.Ordinal).ToList();
    }

    private static IOrderedEnumerable<BoardRow> Order<T>(IEnumerable<BoardRow> rows, Func<BoardRow, T> key, bool desc) =>
        desc ? rows.OrderByDescending(key) : rows.OrderBy(key);

    public async Task<bool> MayCalibrateAsync(int cycleId, CancellationToken ct) =>
        viewer.IsHr || await db.CycleCommittee.AnyAsync(m => m.CycleId == cycleId && m.EmployeeId == viewer.EmployeeId, ct);

    /// <summary>
    /// What stands behind one board row. Anonymity still applies: rater identities are never shown; a relationship group's
    /// average and its comments appear only when at least the anonymity threshold of distinct raters stand behind it.
    /// </summary>
    public async Task<Outcome<EvidenceSummary>> EvidenceAsync(int nominationId, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == nominationId, ct);
        if (n is null) return Problem.NotFound($"There is no nomination {nominationId}.");
        if (!await MayCalibrateAsync(n.CycleId, ct)) return Problem.Forbidden("The evidence summary is for HR and this cycle's committee.");
        var name = await db.Employees.AsNoTracking().Where(e => e.Id == n.EmployeeId).Select(e => e.Name).FirstAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var threshold = framework?.Rules.AnonymityThreshold ?? 3;
        // A committee member who is the candidate sees what any subject sees of their own feedback: nothing held back.
        var own = n.EmployeeId == viewer.EmployeeId;
        var report = await readiness.GetForViewerAsync(n.EmployeeId, viewer.EmployeeId, n.TargetLevel, null, ct);

        var observations = await db.Observations.AsNoTracking().Where(o => o.SubjectId == n.EmployeeId && (!own || o.ReleasedAt != null))
            .Select(o => new { o.Relationship, o.RaterId, o.Rating, o.Comment, o.Visibility }).ToListAsync(ct);
        // As on their growth page: a released answer edited or withdrawn since is shown as it was until the change is released.
        if (own)
            observations.AddRange(await db.ObservationVersions.AsNoTracking().Where(v => v.ShownToSubject && v.SubjectId == n.EmployeeId)
                .Select(v => new { v.Relationship, v.RaterId, v.Rating, v.Comment, v.Visibility }).ToListAsync(ct));
        var relationships = new List<RelationshipEvidence>();
        var comments = new List<string>();
        foreach (var g in observations.GroupBy(o => o.Relationship).OrderBy(g => Relationships.All.ToList().IndexOf(g.Key)))
        {
            var raters = g.Select(o => o.RaterId).Distinct().Count();
            var shown = g.Key == Relationships.Self || raters >= threshold;
            relationships.Add(new RelationshipEvidence(g.Key, g.Count(), raters, shown ? Math.Round(g.Average(o => o.Rating), 2) : null, !shown));
            if (shown && g.Key != Relationships.Self)
                comments.AddRange(g.Where(o => o.Visibility == Visibilities.Shared && !string.IsNullOrWhiteSpace(o.Comment)).Select(o => o.Comment!.Trim()));
        }
        var results = await db.Results.AsNoTracking().Where(r => r.EmployeeId == n.EmployeeId).OrderByDescending(r => r.PeriodEnd)
            .Select(r => new ResultView(r.Period, r.PeriodEnd, r.Score)).ToListAsync(ct);
        var recognitions = await db.Recognitions.CountAsync(r => r.ToId == n.EmployeeId, ct);
        var concern = await db.Concerns.AnyAsync(c => c.EmployeeId == n.EmployeeId && c.Substantiated, ct);
        await sensitive.RecordAsync("nomination.evidence", n.EmployeeId, $"nomination {nominationId}", ct);
        // Comments are sorted, not in date order, so that their order does not point at who wrote them.
        return new EvidenceSummary(n.Id, n.EmployeeId, name, report?.Band ?? ReadinessBands.InsufficientEvidence,
            report?.Explanation ?? "No readiness figures are available for this person yet: treat the evidence as insufficient.",
            report?.Behaviors ?? [], report?.Gaps ?? [], relationships, comments.Order(StringComparer.Ordinal).Take(50).ToList(), threshold,
            results, recognitions, concern);
    }
}
