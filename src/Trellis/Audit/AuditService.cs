using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Trellis.Core.Audit;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Audit;

/// <summary>
/// The culture audit for the app: gathers the promotion history and the evidence as it stood at each decision,
/// runs <see cref="CultureAudit"/>, and caches the report so that the dashboard only reads it.
/// Registered as a singleton. The cache is dropped when the tables the audit reads change (a cheap fingerprint
/// of row counts and the framework version), when <see cref="Invalidate"/> is called (evidence changed), on
/// demand, or after <see cref="MaxAge"/> — observations feed the audit through the readiness engine, and counting
/// millions of them on every page view would cost more than the audit itself.
/// </summary>
public sealed class AuditService(IServiceScopeFactory scopes, FrameworkStore frameworks, ReadinessService readiness, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private sealed record Cached(AuditReport Report, string Fingerprint, DateTimeOffset ComputedAt);

    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>A computed audit and when it was computed.</summary>
    public sealed record AuditResult(AuditReport Report, DateTimeOffset ComputedAt);

    /// <summary>Where the time of the last computation went (for <c>trellis bench</c>).</summary>
    public sealed record Timings(TimeSpan Gather, TimeSpan Engine, int EngineRuns, TimeSpan Compute);

    /// <summary>The timings of the last computation (null before the first).</summary>
    public Timings? LastTimings { get; private set; }

    /// <summary>Evidence changed somewhere: the next read recomputes.</summary>
    public void Invalidate() => _cache.Clear();

    /// <summary>The names of all cycles in the promotion history, oldest first.</summary>
    public async Task<IReadOnlyList<string>> CycleNamesAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var rows = await db.Promotions.AsNoTracking().GroupBy(p => p.Cycle).Select(g => new { Cycle = g.Key, On = g.Max(p => p.DecidedOn) }).ToListAsync(ct);
        return rows.OrderBy(r => r.On).ThenBy(r => r.Cycle, StringComparer.Ordinal).Select(r => r.Cycle).ToList();
    }

    /// <summary>The audit (of one cycle, or of all when <paramref name="cycle"/> is null); null when that cycle does not exist.</summary>
    public async Task<AuditResult?> GetAsync(string? cycle, bool recompute = false, CancellationToken ct = default)
    {
        var key = cycle ?? "";
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        if (cycle is not null && !await db.Promotions.AnyAsync(p => p.Cycle == cycle, ct)) return null;
        var fingerprint = await FingerprintAsync(db, ct);
        if (!recompute && _cache.TryGetValue(key, out var hit) && hit.Fingerprint == fingerprint && clock.GetUtcNow() - hit.ComputedAt < MaxAge)
            return new(hit.Report, hit.ComputedAt);

        await _gate.WaitAsync(ct);
        try
        {
            if (!recompute && _cache.TryGetValue(key, out hit) && hit.Fingerprint == fingerprint && clock.GetUtcNow() - hit.ComputedAt < MaxAge)
                return new(hit.Report, hit.ComputedAt);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (input, engine, engineRuns) = await GatherTimedAsync(db, cycle, ct);
            var gathered = watch.Elapsed;
            var report = CultureAudit.Compute(input);
            LastTimings = new Timings(gathered - engine, engine, engineRuns, watch.Elapsed - gathered);
            var entry = new Cached(report, fingerprint, clock.GetUtcNow());
            _cache[key] = entry;
            return new(report, entry.ComputedAt);
        }
        finally { _gate.Release(); }
    }

    private async Task<string> FingerprintAsync(TrellisDb db, CancellationToken ct)
    {
        var framework = await frameworks.GetAsync(ct);
        var promotions = await db.Promotions.CountAsync(ct);
        var results = await db.Results.CountAsync(ct);
        var recognitions = await db.Recognitions.CountAsync(ct);
        var concerns = await db.Concerns.CountAsync(ct);
        var substantiated = await db.Concerns.CountAsync(c => c.Substantiated, ct);
        var employees = await db.Employees.CountAsync(ct);
        var active = await db.Employees.CountAsync(e => e.Status == EmployeeStatus.Active, ct);
        // The evidence revision moves when observations before a decision change (values scores of past decisions).
        var revision = await ValuesSnapshotStore.RevisionAsync(db, ct);
        return $"{framework?.VersionId}:{revision}:{promotions}:{results}:{recognitions}:{concerns}:{substantiated}:{employees}:{active}";
    }

    /// <summary>Reads everything the audit needs into plain inputs: one query per table, then in-memory joins.</summary>
    public async Task<AuditInput> GatherAsync(TrellisDb db, string? cycle, CancellationToken ct) => (await GatherTimedAsync(db, cycle, ct)).Input;

    private async Task<(AuditInput Input, TimeSpan Engine, int EngineRuns)> GatherTimedAsync(TrellisDb db, string? cycle, CancellationToken ct)
    {
        var engineClock = new System.Diagnostics.Stopwatch();
        var current = await frameworks.GetAsync(ct);
        var framework = current?.Framework;
        var people = await db.Employees.AsNoTracking()
            .Select(e => new AuditPerson(e.Id, e.ManagerId, e.Department, e.Location, e.Gender, e.Track, e.Level, e.HireDate, e.Status == EmployeeStatus.Active))
            .ToListAsync(ct);
        var hired = people.ToDictionary(p => p.Id, p => p.HireDate, StringComparer.Ordinal);
        // With each candidate, the results score as of the decision: the latest period that ended before it, looked up
        // in the database (an index seek per candidate on the results key) instead of reading every results row.
        var promotions = await db.Promotions.AsNoTracking()
            .Select(p => new
            {
                p.Cycle, p.DecidedOn, p.EmployeeId, p.FromLevel, p.ToLevel, p.Outcome,
                Result = db.Results.Where(r => r.EmployeeId == p.EmployeeId && r.PeriodEnd < p.DecidedOn)
                    .OrderByDescending(r => r.PeriodEnd).ThenByDescending(r => r.Period).Select(r => (double?)r.Score).FirstOrDefault(),
            })
            .ToListAsync(ct);

        // Values scores as of each decision date of the cycles audited, from evidence dated before it: stored snapshots
        // where they are complete and valid, else one engine fit per missing date, stored for the next audit.
        var dates = promotions.Where(p => cycle is null || p.Cycle == cycle).Select(p => p.DecidedOn).ToHashSet();
        var candidatesOn = promotions.Where(p => dates.Contains(p.DecidedOn)).GroupBy(p => p.DecidedOn)
            .ToDictionary(g => g.Key, g => g.Select(p => p.EmployeeId).Distinct(StringComparer.Ordinal).ToList());
        var valuesByDate = current is null ? [] : await ValuesSnapshotStore.ReadAsync(db, dates, current.VersionId, ct);
        var missing = dates.Where(d => !valuesByDate.TryGetValue(d, out var stored) || !candidatesOn[d].All(stored.ContainsKey)).Order().ToList();
        var engineRuns = 0;
        if (current is not null && missing.Count > 0)
        {
            engineClock.Start();
            engineRuns = await ComputeValuesAsync(db, current.VersionId, missing, candidatesOn, valuesByDate, ct);
            engineClock.Stop();
        }

        var candidates = promotions.Select(p => new AuditCandidate(
            p.Cycle, p.DecidedOn, p.EmployeeId, p.FromLevel, p.ToLevel, p.Outcome,
            p.Result,
            valuesByDate.TryGetValue(p.DecidedOn, out var scores) && scores.TryGetValue(p.EmployeeId, out var v) ? v : null,
            hired.TryGetValue(p.EmployeeId, out var h) ? Math.Max(0, (p.DecidedOn.DayNumber - h.DayNumber) / 365.25) : 0))
            .ToList();

        // Today's readiness bands come from the resident readiness service (kept current in the background).
        engineClock.Start();
        var bands = await readiness.BandsAsync(ct);
        engineClock.Stop();
        var input = new AuditInput
        {
            AsOf = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
            MaxDirectReports = framework?.Rules.MaxDirectReports ?? new FrameworkRules().MaxDirectReports,
            AnonymityThreshold = framework?.Rules.AnonymityThreshold ?? new FrameworkRules().AnonymityThreshold,
            Levels = framework is null ? [] : CultureAudit.LevelsOf(framework),
            ValueKeys = framework?.Values.Select(v => v.Key).ToList() ?? [],
            People = people,
            Candidates = candidates,
            Concerns = await db.Concerns.AsNoTracking().Select(c => new AuditConcern(c.Id, c.EmployeeId, c.Category, c.Substantiated, c.RecordedOn)).ToListAsync(ct),
            Recognitions = await db.Recognitions.AsNoTracking().Select(r => new AuditRecognition(r.FromId, r.ToId, r.Value, r.GivenOn)).ToListAsync(ct),
            TrackReturns = (await db.TrackReturns.AsNoTracking().Where(r => r.Status == TrackReturnStatus.Approved)
                .Select(r => new { r.EmployeeId, r.FromLevel, r.ToLevel, r.EffectiveOn, r.DecidedAt }).ToListAsync(ct))
                .Select(r => new AuditTrackReturn(r.EmployeeId, r.FromLevel, r.ToLevel,
                    r.EffectiveOn ?? DateOnly.FromDateTime((r.DecidedAt ?? DateTimeOffset.MinValue).UtcDateTime))).ToList(),
            Readiness = bands.Select(b => new AuditReadiness(b.EmployeeId, b.Band)).ToList(),
            Cycle = cycle,
        };
        return (input, engineClock.Elapsed, engineRuns);
    }

    /// <summary>
    /// Computes the values scores of the candidates of each missing date with the readiness engine (as of the day
    /// before the decision) into <paramref name="valuesByDate"/>, and stores each date in its own transaction. When
    /// the readiness service's evidence is behind the database (a change it has not reloaded yet, or another framework
    /// version), it is reloaded first; scores from evidence that missed a change are used for nothing. Returns the number of engine fits.
    /// </summary>
    private async Task<int> ComputeValuesAsync(TrellisDb db, int frameworkVersion, IReadOnlyList<DateOnly> missing,
        Dictionary<DateOnly, List<string>> candidatesOn, Dictionary<DateOnly, Dictionary<string, double?>> valuesByDate, CancellationToken ct)
    {
        var fits = 0;
        var reloaded = false;
        foreach (var date in missing)
        {
            ReadinessService.ValuesAsOf? values;
            while (true)
            {
                values = await readiness.ValuesScoresAsync(date.AddDays(-1), ct);
                fits++;
                if (values is null || reloaded) break;
                var revision = await ValuesSnapshotStore.RevisionAsync(db, ct);
                if (values.FrameworkVersion == frameworkVersion && values.EvidenceRevision >= revision) break;
                await readiness.RefreshAsync(ct);
                reloaded = true;
            }
            if (values is null) continue;
            var scores = new Dictionary<string, double?>(candidatesOn[date].Count, StringComparer.Ordinal);
            foreach (var id in candidatesOn[date]) scores[id] = values.Scores.TryGetValue(id, out var v) ? v : null;
            valuesByDate[date] = scores;
            // Stored only when computed under the current framework from evidence that is still current; otherwise this
            // audit uses the scores and the next one computes them again.
            if (values.FrameworkVersion == frameworkVersion)
                await ValuesSnapshotStore.WriteAsync(db, date, frameworkVersion, values.EvidenceRevision, scores, clock.GetUtcNow(), ct);
        }
        return fits;
    }
}
