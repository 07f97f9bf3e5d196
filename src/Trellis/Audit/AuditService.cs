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
/// <para>
/// The dashboard never computes: it shows the last result (<see cref="Peek"/>) and asks for a check in the background
/// (<see cref="CheckInBackground"/>), which recomputes when the fingerprint moved (a publication, an import, any change,
/// whichever process made it). <c>trellis serve</c> also checks every <see cref="WatchInterval"/> (<see cref="WatchAsync"/>),
/// so the first audit after a change is computed before anyone asks. While it runs, <see cref="Progress"/> says since when
/// and how many decision dates are done.
/// </para>
/// <para>
/// Several nodes on one PostgreSQL database: the computation runs under a <see cref="ClusterLock"/>, so the decision
/// snapshots (the engine fits, nearly all of the work) are computed by one node; the others wait, then build their
/// report from the stored snapshots.
/// </para>
/// </summary>
public sealed partial class AuditService(IServiceScopeFactory scopes, FrameworkStore frameworks, ReadinessService readiness, TimeProvider clock, ILogger<AuditService> log)
    : IDisposable
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Background audit failed")]
    private static partial void BackgroundAuditFailed(ILogger logger, Exception exception);

    public void Dispose() => _gate.Dispose();

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

    /// <summary>A computation under way: which audit ("" = all cycles), since when, and how many decision dates it computed of how many.</summary>
    public sealed record Running(string Key, DateTimeOffset StartedAt, int DatesDone, int DatesTotal);

    private volatile Running? _running;

    /// <summary>The computation under way, if any.</summary>
    public Running? Progress => _running;

    /// <summary>
    /// What the dashboard of <paramref name="cycle"/> says is under way: the computation running, or, while a background
    /// check has started but not yet reached the computation and there is no result of that audit at all (the very first
    /// one), that check, from when it started. Never null while a first audit is on its way, so the first view can say so
    /// at once instead of waiting for it.
    /// </summary>
    public Running? ProgressFor(string? cycle)
    {
        if (_running is { } running) return running;
        lock (_backgroundLock)
            return !_background.IsCompleted && !_cache.ContainsKey(cycle ?? "") ? new Running(cycle ?? "", _backgroundStartedAt, 0, 0) : null;
    }

    /// <summary>How often <c>trellis serve</c> checks whether the audited data changed.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    /// <summary>A hold at the start of each background computation (tests use it to see the "updating" state).</summary>
    internal Func<Task>? BeforeBackgroundCompute { get; set; }

    /// <summary>The last result of an audit without touching the database (null before the first).</summary>
    public AuditResult? Peek(string? cycle) => _cache.TryGetValue(cycle ?? "", out var hit) ? new(hit.Report, hit.ComputedAt) : null;

    private Task _background = Task.CompletedTask;
    private readonly Lock _backgroundLock = new();
    private long _lastCheck = long.MinValue;
    private DateTimeOffset _backgroundStartedAt;

    /// <summary>
    /// Checks in the background, at most every <see cref="WatchInterval"/> (or at once with <paramref name="now"/>), whether
    /// the audit of <paramref name="cycle"/> and every other audit already shown are behind the data, and recomputes those
    /// that are. Never waits; returns the task for those who want to (tests, the benchmark).
    /// </summary>
    public Task CheckInBackground(string? cycle = null, bool now = false, bool recompute = false)
    {
        lock (_backgroundLock)
        {
            var stamp = clock.GetTimestamp();
            if (!_background.IsCompleted) return _background;
            if (!now && _lastCheck != long.MinValue && clock.GetElapsedTime(_lastCheck, stamp) < WatchInterval) return _background;
            _lastCheck = stamp;
            _backgroundStartedAt = clock.GetUtcNow();
            var keys = _cache.Keys.Append(cycle ?? "").Append("").Distinct().ToList();
            _background = Task.Run(async () =>
            {
                try
                {
                    foreach (var key in keys)
                        await RefreshAsync(key.Length == 0 ? null : key, recompute, background: true, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // The last result stays on the dashboard; the next check tries again.
                    BackgroundAuditFailed(log, e);
                }
            });
            return _background;
        }
    }

    /// <summary>Checks for changes every <see cref="WatchInterval"/> until stopped (<c>trellis serve</c>).</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(WatchInterval, clock);
        do await CheckInBackground(now: true);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Cycles that HR published before the response deadline or over budget, with the reason they gave (cycle name → reason).</summary>
    public Task<IReadOnlyDictionary<string, string>> PublicationOverridesAsync(CancellationToken ct = default) => ReadAsync<IReadOnlyDictionary<string, string>>(async db =>
    {
        var rows = await db.CycleEvents.AsNoTracking().Where(e => e.Kind == "published" && e.OverrideReason != null)
            .Join(db.Cycles, e => e.CycleId, c => c.Id, (e, c) => new { c.Name, e.OverrideReason }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Name, r => r.OverrideReason!);
    });

    /// <summary>The names of all cycles in the promotion history, oldest first.</summary>
    public async Task<IReadOnlyList<string>> CycleNamesAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        // Grouping every promotion on each view of the dashboard grows with the history: kept until promotions change.
        var revision = await TableRevision.ReadAsync(db, TableRevision.Promotions, ct);
        if (_cycleNames is { } known && known.Revision == revision) return known.Names;
        var rows = await db.Promotions.AsNoTracking().GroupBy(p => p.Cycle).Select(g => new { Cycle = g.Key, On = g.Max(p => p.DecidedOn) }).ToListAsync(ct);
        var names = rows.OrderBy(r => r.On).ThenBy(r => r.Cycle, StringComparer.Ordinal).Select(r => r.Cycle).ToList();
        _cycleNames = new CycleNames(revision, names);
        return names;
    }

    private sealed record CycleNames(long Revision, IReadOnlyList<string> Names);
    private volatile CycleNames? _cycleNames;

    /// <summary>The audit (of one cycle, or of all when <paramref name="cycle"/> is null); null when that cycle does not exist.</summary>
    public Task<AuditResult?> GetAsync(string? cycle, bool recompute = false, CancellationToken ct = default) =>
        RefreshAsync(cycle, recompute, background: false, ct);

    private async Task<AuditResult?> RefreshAsync(string? cycle, bool recompute, bool background, CancellationToken ct)
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
            if (background && BeforeBackgroundCompute is { } hold)
            {
                _running = new Running(key, clock.GetUtcNow(), 0, 0);
                await hold();
            }
            _running = new Running(key, _running?.StartedAt ?? clock.GetUtcNow(), 0, 0);
            // One node at a time computes the decision snapshots: another node sharing the database waits here, then finds
            // them stored and only reads them (no engine fit of the same decision date twice across nodes).
            await using var cluster = await ClusterLock.TakeAsync(db, ClusterLock.Audit, ct);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (input, engine, engineRuns) = await GatherTimedAsync(db, cycle, ct);
            var gathered = watch.Elapsed;
            var report = CultureAudit.Compute(input);
            LastTimings = new Timings(gathered - engine, engine, engineRuns, watch.Elapsed - gathered);
            var entry = new Cached(report, fingerprint, clock.GetUtcNow());
            _cache[key] = entry;
            return new(report, entry.ComputedAt);
        }
        finally
        {
            _running = null;
            _gate.Release();
        }
    }

    /// <summary>
    /// What the audit was computed from: the framework version, the evidence revision (observations before a decision
    /// change past values scores) and the counters of the tables the audit reads (<see cref="TableRevision"/>), which
    /// every write raises, whichever process makes it. Three primary-key reads, whatever the organisation's size; and an
    /// edit that keeps every count (a corrected outcome, a moved person) is seen, which counting rows was blind to.
    /// </summary>
    private async Task<string> FingerprintAsync(TrellisDb db, CancellationToken ct)
    {
        var framework = await frameworks.GetAsync(ct);
        var revision = await DecisionSnapshotStore.RevisionAsync(db, ct);
        return $"{framework?.VersionId}:{revision}:{await TableRevision.ReadAllAsync(db, ct)}";
    }

    /// <summary>Reads everything the audit needs into plain inputs: one query per table, then in-memory joins.</summary>
    private async Task<(AuditInput Input, TimeSpan Engine, int EngineRuns)> GatherTimedAsync(TrellisDb db, string? cycle, CancellationToken ct)
    {
        var engineTime = TimeSpan.Zero;
        var current = await frameworks.GetAsync(ct);
        var framework = current?.Framework;
        // The tables that do not depend on each other are read at the same time, each on its own connection.
        var peopleRead = ReadAsync(other => other.Employees.AsNoTracking()
            .Select(e => new AuditPerson(e.Id, e.ManagerId, e.Department, e.Location, e.Gender, e.Track, e.Level, e.HireDate, e.Status == EmployeeStatus.Active))
            .ToListAsync(ct));
        var recognitionsRead = ReadAsync(other => other.Recognitions.AsNoTracking()
            .Select(r => new AuditRecognition(r.FromId, r.ToId, r.Value, r.GivenOn)).ToListAsync(ct));
        var stories = (await db.Set<Growth.PromotionStory>().AsNoTracking().Where(s => s.Status == Growth.StoryStatuses.Published)
                .Select(s => new { s.Cycle, s.EmployeeId, Values = s.Values.Select(v => v.Value).ToList() }).ToListAsync(ct))
            .OrderBy(s => s.Cycle, StringComparer.Ordinal).ThenBy(s => s.EmployeeId, StringComparer.Ordinal)
            .Select(s => new AuditStory(s.Cycle, s.EmployeeId, s.Values.Order(StringComparer.Ordinal).ToList())).ToList();
        var concerns = await db.Concerns.AsNoTracking().Select(c => new AuditConcern(c.Id, c.EmployeeId, c.Category, c.Substantiated, c.RecordedOn)).ToListAsync(ct);
        var trackReturns = (await db.TrackReturns.AsNoTracking().Where(r => r.Status == TrackReturnStatus.Approved)
            .Select(r => new { r.EmployeeId, r.FromLevel, r.ToLevel, r.EffectiveOn, r.DecidedAt }).ToListAsync(ct))
            .Select(r => new AuditTrackReturn(r.EmployeeId, r.FromLevel, r.ToLevel,
                r.EffectiveOn ?? DateOnly.FromDateTime((r.DecidedAt ?? DateTimeOffset.MinValue).UtcDateTime))).ToList();
        // Each candidate with their stored scores as of the decision (decision snapshots, one key seek per candidate).
        var promotions = await (
            from p in db.Promotions.AsNoTracking()
            join s in db.DecisionSnapshots.AsNoTracking() on new { p.DecidedOn, p.EmployeeId } equals new { s.DecidedOn, s.EmployeeId } into stored
            from s in stored.DefaultIfEmpty()
            select new StoredCandidate(p.Cycle, p.DecidedOn, p.EmployeeId, p.FromLevel, p.ToLevel, p.Outcome, s != null, s == null ? null : s.ResultsScore, s == null ? null : s.ValuesScore))
            .ToListAsync(ct);
        // A join returns rows in whatever order the plan gives (it changes once snapshots exist, and per provider); the
        // audit lists cycles and flags in candidate order, so the order is fixed here: by decision, cycle, employee (ordinal).
        promotions.Sort(static (a, b) =>
        {
            var c = a.DecidedOn.CompareTo(b.DecidedOn);
            if (c == 0) c = string.CompareOrdinal(a.Cycle, b.Cycle);
            return c != 0 ? c : string.CompareOrdinal(a.EmployeeId, b.EmployeeId);
        });

        // The dates of the cycles audited whose snapshot is missing, incomplete (candidates added since) or made under
        // another framework version are computed now: one engine fit each, stored for the next audit.
        var valid = await DecisionSnapshotStore.ValidDatesAsync(db, current?.VersionId, ct);
        var audited = cycle is null ? promotions : promotions.Where(p => p.Cycle == cycle).ToList();
        var missing = audited.Where(p => !p.Stored || !valid.Contains(p.DecidedOn)).Select(p => p.DecidedOn).Distinct().Order().ToList();
        var computed = new Dictionary<(DateOnly, string), (double? Values, double? Results)>();
        var engineRuns = 0;
        if (_running is { } running) _running = running with { DatesTotal = missing.Count };
        foreach (var date in missing)
        {
            var (scores, fits, engine) = await ComputeDateAsync(db, current?.VersionId, date, ct);
            if (_running is { } r) _running = r with { DatesDone = r.DatesDone + 1 };
            engineRuns += fits;
            engineTime += engine;
            foreach (var (id, score) in scores) computed[(date, id)] = score;
        }

        var people = await peopleRead;
        var hired = people.ToDictionary(p => p.Id, p => p.HireDate, StringComparer.Ordinal);
        var candidates = promotions.Select(p =>
        {
            // Scores only matter for the cycles audited, whose dates are all stored and valid or computed just now (a
            // candidate added meanwhile has none until the next audit).
            var (values, results) = computed.TryGetValue((p.DecidedOn, p.EmployeeId), out var fresh) ? fresh
                : p.Stored && valid.Contains(p.DecidedOn) ? (p.ValuesScore, p.ResultsScore) : (null, null);
            return new AuditCandidate(p.Cycle, p.DecidedOn, p.EmployeeId, p.FromLevel, p.ToLevel, p.Outcome, results, values,
                hired.TryGetValue(p.EmployeeId, out var h) ? Math.Max(0, (p.DecidedOn.DayNumber - h.DayNumber) / 365.25) : 0);
        }).ToList();

        // Today's readiness bands come from the resident readiness service (kept current in the background), each as its
        // person may see it: HR and admins reading the rates are counted in them, and one held-back answer about them
        // must not move a group's count.
        var bandsClock = System.Diagnostics.Stopwatch.StartNew();
        var bands = await readiness.BandsAsync(released: true, ct);
        engineTime += bandsClock.Elapsed;
        var input = new AuditInput
        {
            AsOf = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
            MaxDirectReports = framework?.Rules.MaxDirectReports ?? new FrameworkRules().MaxDirectReports,
            AnonymityThreshold = framework?.Rules.AnonymityThreshold ?? new FrameworkRules().AnonymityThreshold,
            Levels = framework is null ? [] : CultureAudit.LevelsOf(framework),
            ValueKeys = framework?.Values.Select(v => v.Key).ToList() ?? [],
            People = people,
            Candidates = candidates,
            Concerns = concerns,
            Recognitions = await recognitionsRead,
            TrackReturns = trackReturns,
            Stories = stories,
            Readiness = bands.Select(b => new AuditReadiness(b.EmployeeId, b.Band)).ToList(),
            Cycle = cycle,
        };
        return (input, engineTime, engineRuns);
    }

    /// <summary>One read on a context of its own (a context is not thread-safe), run in parallel with the others.</summary>
    private Task<T> ReadAsync<T>(Func<TrellisDb, Task<T>> read) => Task.Run(async () =>
    {
        using var scope = scopes.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<TrellisDb>());
    });

    private sealed record StoredCandidate(string Cycle, DateOnly DecidedOn, string EmployeeId, string FromLevel, string ToLevel, string Outcome,
        bool Stored, double? ResultsScore, double? ValuesScore);

    /// <summary>
    /// The scores of one decision date's candidates as they stood before it: values scores from the readiness engine
    /// (as of the day before), results of the latest period that ended before it; stored as that date's snapshot in one
    /// transaction. When the readiness service's evidence is behind the database (a change it has not reloaded yet, or
    /// another framework version) it is reloaded first. Nothing is stored when there is no framework or when evidence
    /// changed while computing (the revision check in <see cref="DecisionSnapshotStore.WriteAsync"/>).
    /// </summary>
    private async Task<(Dictionary<string, (double? Values, double? Results)> Scores, int Fits, TimeSpan Engine)> ComputeDateAsync(
        TrellisDb db, int? frameworkVersion, DateOnly date, CancellationToken ct)
    {
        var engineClock = System.Diagnostics.Stopwatch.StartNew();
        var fits = 0;
        ReadinessService.ValuesAsOf? values = null;
        if (frameworkVersion is not null)
        {
            values = await readiness.ValuesScoresAsync(date.AddDays(-1), ct);
            if (values is not null && (values.FrameworkVersion != frameworkVersion || values.EvidenceRevision < await DecisionSnapshotStore.RevisionAsync(db, ct)))
            {
                await readiness.RefreshAsync(ct);
                values = await readiness.ValuesScoresAsync(date.AddDays(-1), ct);
            }
            if (values is not null) fits++;
        }
        engineClock.Stop();

        // Noted before reading the results, like the readiness service does before reading the evidence.
        var revision = await DecisionSnapshotStore.RevisionAsync(db, ct);
        var results = await db.Promotions.AsNoTracking().Where(p => p.DecidedOn == date)
            .Select(p => new
            {
                p.EmployeeId,
                Result = db.Results.Where(r => r.EmployeeId == p.EmployeeId && r.PeriodEnd < p.DecidedOn)
                    .OrderByDescending(r => r.PeriodEnd).ThenByDescending(r => r.Period).Select(r => (double?)r.Score).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var scores = new Dictionary<string, (double? Values, double? Results)>(results.Count, StringComparer.Ordinal);
        foreach (var r in results)
            scores[r.EmployeeId] = (values is not null && values.Scores.TryGetValue(r.EmployeeId, out var v) ? v : null, r.Result);

        if (values is not null && values.FrameworkVersion == frameworkVersion)
            await DecisionSnapshotStore.WriteAsync(db, date, values.FrameworkVersion, Math.Min(revision, values.EvidenceRevision),
                scores, clock.GetUtcNow(), ct);
        return (scores, fits, engineClock.Elapsed);
    }
}
