using System.Collections.Concurrent;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Readiness;

/// <summary>
/// Readiness for the app: loads the evidence snapshot into the engine's compact arrays, keeps it current
/// as evidence changes, and answers per person or for everyone. Registered as a singleton.
/// </summary>
/// <remarks>
/// The first request loads and fits synchronously; after that a request never waits for a full recompute: when
/// evidence changes, the last result keeps being served while a background refit runs, and a single new
/// observation (<see cref="ObservationAdded"/>) is reflected at once by an incremental update of its subject.
/// </remarks>
public sealed partial class ReadinessService(IServiceScopeFactory scopes, FrameworkStore frameworks, TimeProvider clock, ILogger<ReadinessService> log)
    : IDisposable
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Loading readiness failed")]
    private static partial void LoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background readiness refit failed")]
    private static partial void RefitFailed(ILogger logger, Exception exception);

    public void Dispose() => _loadGate.Dispose();

    private sealed record State(int FrameworkVersion, long EvidenceRevision, CareerFramework Framework, LoadedEvidence Evidence, DateOnly Today, ReadinessAssessment Current)
    {
        public readonly ConcurrentDictionary<DateOnly, Lazy<ReadinessAssessment>> Past = new();

        /// <summary>Non-self observations per person and kind of rater, counted once per load when first asked for.</summary>
        public readonly Lazy<EvidenceMix> Mix = new(() => EvidenceMix.Count(Evidence.Snapshot, Current));

        /// <summary>
        /// The evidence a subject's own view is computed from: everything but the anonymous feedback still held back
        /// (<see cref="Evidence.FeedbackRelease"/>). The same object as the full snapshot when nothing is held back.
        /// </summary>
        public required Lazy<EvidenceSnapshot> Own { get; init; }

        /// <summary>The subject's own view, per as-of day (fitted on first use, at most once per state and day).</summary>
        public readonly ConcurrentDictionary<DateOnly, Lazy<ReadinessAssessment>> OwnByDay = new();
    }

    private volatile State? _state;

    /// <summary>Whether a fitted result is in memory (the ready health check).</summary>
    public bool IsFitted => _state is not null;
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private int _stale;
    private Task _refresh = Task.CompletedTask;
    private readonly Lock _refreshLock = new();

    /// <summary>Readiness of one employee for a target (<c>null</c> or "next" = next band on the same track, else a level key). Null if no such active employee.</summary>
    /// <remarks>
    /// This is the full estimate, for their managers, HR and the committee. The employee themselves must be shown
    /// <see cref="GetOwnAsync"/>, which leaves out anonymous feedback still held back.
    /// </remarks>
    public async Task<ReadinessReport?> GetAsync(string employeeId, string? target = null, DateOnly? asOf = null, CancellationToken ct = default)
    {
        var assessment = await AssessmentAsync(asOf, ct);
        if (assessment is null) return null;
        CheckTarget(assessment.Framework, target);
        lock (assessment) return assessment.Report(employeeId, target);
    }

    /// <summary>
    /// Readiness of one employee as they themselves may see it: computed without the peer, report and other feedback
    /// that is still held back (fewer than <c>anonymity_threshold</c> raters since the last release), so that no single
    /// colleague's answer moves a score, a count or an interval the subject can see. As of a past day, anonymous
    /// feedback counts only once it had been released by that day, not from the day it was observed: the raters of one
    /// batch answer on different days, and stepping the as-of day through them would show each answer alone. Null if no
    /// such active employee.
    /// </summary>
    public async Task<ReadinessReport?> GetOwnAsync(string employeeId, string? target = null, DateOnly? asOf = null, CancellationToken ct = default)
    {
        if (await OwnAssessmentAsync(asOf, ct) is not { } assessment) return null;
        CheckTarget(assessment.Framework, target);
        lock (assessment) return assessment.Report(employeeId, target);
    }

    /// <summary>
    /// The assessment every subject's own view comes from: the evidence without what is still held back from anyone. Each
    /// person's report in it is what they themselves may see, so a figure made from it moves only with released batches.
    /// </summary>
    private async Task<ReadinessAssessment?> OwnAssessmentAsync(DateOnly? asOf, CancellationToken ct)
    {
        if (await AssessmentAsync(asOf, ct) is null || _state is not { } state) return null;
        var day = asOf ?? state.Today;
        if (!state.OwnByDay.TryGetValue(day, out var own))
        {
            // Today (or later) everything released so far counts; before today only what had been released by then.
            var evidence = day < state.Today ? await ReleasedByAsync(state, day, ct) : state.Own.Value;
            own = state.OwnByDay.GetOrAdd(day, d => new Lazy<ReadinessAssessment>(() =>
                ReferenceEquals(evidence, state.Evidence.Snapshot) && d == state.Today
                    ? state.Current
                    : ReadinessAssessment.Compute(evidence, state.Framework, Options(d), state.Evidence.Departments)));
        }
        var assessment = own.Value;
        if (state.OwnByDay.Count > 16) state.OwnByDay.Clear();
        return assessment;
    }

    /// <summary>The report a viewer may see of <paramref name="employeeId"/>: their own view for themselves, else the full estimate.</summary>
    public Task<ReadinessReport?> GetForViewerAsync(string employeeId, string viewerId, string? target = null, DateOnly? asOf = null, CancellationToken ct = default) =>
        employeeId == viewerId ? GetOwnAsync(employeeId, target, asOf, ct) : GetAsync(employeeId, target, asOf, ct);

    /// <summary>Readiness of every active employee, ordered by employee id (the <c>trellis readiness</c> output).</summary>
    public async Task<IReadOnlyList<ReadinessReport>> GetAllAsync(string? target = null, DateOnly? asOf = null, CancellationToken ct = default)
    {
        var assessment = await AssessmentAsync(asOf, ct);
        if (assessment is null) return [];
        CheckTarget(assessment.Framework, target);
        lock (assessment) return assessment.All(target);
    }

    /// <summary>Everyone's values score as of a date, and what it was computed from (for snapshots of it).</summary>
    /// <param name="FrameworkVersion">The framework version the engine used.</param>
    /// <param name="EvidenceRevision">The evidence revision noted before the evidence was read: every change up to it is included.</param>
    public sealed record ValuesAsOf(int FrameworkVersion, long EvidenceRevision, IReadOnlyDictionary<string, double> Scores);

    /// <summary>
    /// The values score of every active employee who has evidence, as of <paramref name="asOf"/> (evidence dated on or before it),
    /// equal to <see cref="ReadinessReport.ValuesScore"/> of <see cref="GetAllAsync"/> for that date, without building reports.
    /// Null when there is no framework.
    /// </summary>
    public async Task<ValuesAsOf?> ValuesScoresAsync(DateOnly asOf, CancellationToken ct = default)
    {
        if (await frameworks.GetAsync(ct) is null) return null;
        var state = _state ?? await LoadAsync(force: false, ct);
        if (state is null) return null;
        // An assessment for that day already built for a page is reused; otherwise one fit, not kept (a snapshot is stored instead).
        var assessment = asOf == state.Today ? state.Current
            : state.Past.TryGetValue(asOf, out var past) && past.IsValueCreated ? past.Value
            : ReadinessAssessment.Compute(state.Evidence.Snapshot, state.Framework, Options(asOf), state.Evidence.Departments);
        var scores = new Dictionary<string, double>(assessment.ActivePersons.Count, StringComparer.Ordinal);
        lock (assessment)
            foreach (var p in assessment.ActivePersons)
                if (assessment.ValuesScore(p) is { } v) scores[state.Evidence.Snapshot.PersonIds[p]] = v;
        return new ValuesAsOf(state.FrameworkVersion, state.EvidenceRevision, scores);
    }

    /// <summary>
    /// Today's readiness band (next level) of every active employee, ordered by employee id, without building reports.
    /// <paramref name="released"/>: each as they themselves may see it (<see cref="GetOwnAsync"/>), for figures shown to
    /// people who are among those counted (the culture audit's readiness rates, read by HR and admins who are employees too).
    /// </summary>
    public async Task<IReadOnlyList<(string EmployeeId, string Band)>> BandsAsync(bool released = false, CancellationToken ct = default)
    {
        var assessment = released ? await OwnAssessmentAsync(null, ct) : await AssessmentAsync(null, ct);
        if (assessment is null) return [];
        var bands = new (string, string)[assessment.ActivePersons.Count];
        lock (assessment)
        {
            var decided = assessment.Bands();
            for (var k = 0; k < bands.Length; k++) bands[k] = (assessment.Snapshot.PersonIds[assessment.ActivePersons[k]], decided[k]);
        }
        return bands;
    }

    /// <summary>
    /// Everyone's non-self evidence by kind of rater, from the evidence the engine loaded (the team page's "thin" and
    /// "one-sided" marks): one pass over the loaded rows per load instead of a GROUP BY over the observations per page view.
    /// Null when there is no framework.
    /// </summary>
    public async Task<EvidenceMix?> EvidenceMixAsync(CancellationToken ct = default)
    {
        if (await AssessmentAsync(null, ct) is null) return null;
        return _state?.Mix.Value;
    }

    /// <summary>Null when the target is fine for the current framework; else what is wrong with it (for a 400 field error).</summary>
    public async Task<string?> ValidateTargetAsync(string? target, CancellationToken ct = default) =>
        (await frameworks.GetAsync(ct)) is { } current ? ReadinessAssessment.ValidateTarget(current.Framework, target) : null;

    /// <summary>Tells the service that evidence changed (an observation was added, an import ran): refits in the background.</summary>
    public void EvidenceChanged()
    {
        Interlocked.Exchange(ref _stale, 1);
        StartRefresh();
    }

    /// <summary>
    /// One new observation, already saved: reflected at once in the current result (incremental update of the
    /// subject with rater effects held fixed), then refitted fully in the background.
    /// </summary>
    public void ObservationAdded(string subjectId, string raterId, string relationship, string behavior, int rating, DateOnly observedOn)
    {
        var state = _state;
        // Anonymous feedback is never added incrementally: it may still be held back from its subject, whose own view
        // can be the current result itself; the background refit below places it where it belongs.
        if (state is not null && !Relationships.IsAnonymous(relationship) && RelationshipCodes.TryParse(relationship, out var code))
        {
            var assessment = state.Current;
            var subject = assessment.PersonIndex(subjectId);
            var rater = assessment.PersonIndex(raterId);
            var b = state.Evidence.Snapshot.BehaviorKeys.ToList().IndexOf(behavior);
            if (subject is { } s && rater is { } r && b >= 0 && rating is >= 1 and <= 5)
                lock (assessment) assessment.Add(s, r, b, code, rating, observedOn);
            state.Past.Clear();
        }
        EvidenceChanged();
    }

    /// <summary>
    /// True when readiness can answer at once (loaded, or nothing to load: no framework). Otherwise starts loading it in the
    /// background, waits up to 300 ms, and returns false if it is still loading: right after start at 100,000 people the
    /// first load takes seconds, and a page shows a short "loading" state instead of waiting for it.
    /// </summary>
    public async Task<bool> ReadyOrLoadingAsync(CancellationToken ct = default)
    {
        if (_state is not null || await frameworks.GetAsync(ct) is null) return true;
        if (!_loadingState)
        {
            await AssessmentAsync(null, ct);
            return true;
        }
        Task load;
        lock (_refreshLock)
        {
            if (_refresh.IsCompleted)
                _refresh = Task.Run(async () =>
                {
                    try { await LoadAsync(force: false, CancellationToken.None); }
                    catch (Exception e) { LoadFailed(log, e); }
                }, CancellationToken.None); // shared by every waiting request: one caller's cancellation must not stop it
            load = _refresh;
        }
        await Task.WhenAny(load, Task.Delay(TimeSpan.FromMilliseconds(300), ct));
        return _state is not null;
    }

    private volatile bool _loadingState;

    /// <summary>
    /// Lets <see cref="ReadyOrLoadingAsync"/> answer "still loading": <c>trellis serve</c> turns it on when it starts loading
    /// readiness in the background after start. Without it (the CLI, the tests, which seed after start) pages wait.
    /// </summary>
    public void AllowLoadingState() => _loadingState = true;

    /// <summary>Reloads and refits now and waits for it (imports, tests; pages never need to).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        Interlocked.Exchange(ref _stale, 1);
        await LoadAsync(force: true, ct);
    }

    private static void CheckTarget(CareerFramework framework, string? target)
    {
        if (ReadinessAssessment.ValidateTarget(framework, target) is { } problem) throw new ArgumentException(problem, nameof(target));
    }

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private async Task<ReadinessAssessment?> AssessmentAsync(DateOnly? asOf, CancellationToken ct)
    {
        var state = _state;
        var current = await frameworks.GetAsync(ct);
        if (current is null) return null;
        if (state is null) state = await LoadAsync(force: false, ct);
        else if (state.FrameworkVersion != current.VersionId || state.Today != Today || await ChangedElsewhereAsync(state, ct))
            EvidenceChanged(); // serve the last result meanwhile
        if (state is null) return null;
        var day = asOf ?? state.Today;
        if (day == state.Today) return state.Current;
        var past = state.Past.GetOrAdd(day, d => new Lazy<ReadinessAssessment>(() =>
            ReadinessAssessment.Compute(state.Evidence.Snapshot, state.Framework, Options(d), state.Evidence.Departments)));
        if (state.Past.Count > 16) state.Past.Clear();
        return past.Value;
    }

    private static ReadinessOptions Options(DateOnly asOf) => new() { AsOf = asOf };

    /// <summary>How often a request checks whether evidence changed outside this process (a CLI import, another node).</summary>
    public static readonly TimeSpan RevisionCheckInterval = TimeSpan.FromSeconds(2);
    private long _lastRevisionCheck = long.MinValue;

    /// <summary>
    /// Whether the evidence revision moved past the one the current result was loaded from: every write of evidence
    /// raises it in its own transaction, whichever process makes it. Checked at most every
    /// <see cref="RevisionCheckInterval"/> (one primary-key read).
    /// </summary>
    private async Task<bool> ChangedElsewhereAsync(State state, CancellationToken ct)
    {
        if (!_refresh.IsCompleted) return false; // a refit is already on its way
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastRevisionCheck);
        if (last != long.MinValue && clock.GetElapsedTime(last, now) < RevisionCheckInterval) return false;
        if (Interlocked.CompareExchange(ref _lastRevisionCheck, now, last) != last) return false; // another request checks
        using var scope = scopes.CreateScope();
        var revision = await EvidenceRevision.ReadAsync(scope.ServiceProvider.GetRequiredService<TrellisDb>(), ct);
        return revision > state.EvidenceRevision;
    }

    /// <summary>
    /// What a subject's own view is computed from: the loaded evidence without the rows held back. The held-back rows
    /// are read after the evidence; when the evidence revision is still the one noted before the evidence was read, no
    /// write (and so no release) came in between and the two agree. Otherwise a batch may have been released halfway
    /// through the reads, so the previous state's own evidence is kept (it was consistent); on a first load with no
    /// previous state, all anonymous feedback is left out until the next refit.
    /// </summary>
    private static async Task<Lazy<EvidenceSnapshot>> OwnEvidenceAsync(TrellisDb db, LoadedEvidence evidence, long revision, State? previous, CancellationToken ct)
    {
        var held = await Evidence.FeedbackRelease.HeldAsync(db, ct);
        // Released answers edited or withdrawn since: the subject still sees them as they were until the change is released.
        var shown = await Evidence.FeedbackRelease.ShownAsync(db, null, ct);
        if (await Audit.DecisionSnapshotStore.RevisionAsync(db, ct) == revision)
            return held.Count == 0 && shown.Count == 0 ? new(evidence.Snapshot) : new(() => Without(evidence.Snapshot, held, shown));
        if (previous is not null) return previous.Own;
        return new(() => Without(evidence.Snapshot, null, []));
    }

    /// <summary>
    /// What a subject's own view as of a past <paramref name="day"/> is computed from: the loaded evidence without the
    /// anonymous feedback not yet released by the end of that day, and with the versions of changed answers that were
    /// shown in its place that day (released by then, their change released only later): a change released since leaves
    /// the past as it was. Read after the evidence was loaded: when a write came in between (the revision
    /// moved), the two may not agree, and all anonymous feedback is left out until the refit that write started.
    /// </summary>
    private async Task<EvidenceSnapshot> ReleasedByAsync(State state, DateOnly day, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var notReleased = await Evidence.FeedbackRelease.NotReleasedByAsync(db, day, ct);
        var shown = await Evidence.FeedbackRelease.ShownAsync(db, day, ct);
        return await EvidenceRevision.ReadAsync(db, ct) == state.EvidenceRevision
            ? Without(state.Evidence.Snapshot, notReleased, shown)
            : Without(state.Evidence.Snapshot, null, []);
    }

    /// <summary>
    /// The snapshot without the held-back rows (null: without any anonymous row) and with the versions still shown in
    /// place of a held change (<paramref name="shown"/>). Rows are matched by value, which is all the engine knows of
    /// them; two identical rows are interchangeable.
    /// </summary>
    private static EvidenceSnapshot Without(EvidenceSnapshot snapshot, IReadOnlyList<Evidence.HeldRow>? held, IReadOnlyList<Evidence.HeldRow> shown)
    {
        var person = new Dictionary<string, int>(snapshot.PersonIds.Count, StringComparer.Ordinal);
        for (var p = 0; p < snapshot.PersonIds.Count; p++) person[snapshot.PersonIds[p]] = p;
        var behavior = snapshot.BehaviorKeys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var drop = new Dictionary<(int, int, byte, byte, byte, int), int>();
        foreach (var h in held ?? [])
        {
            if (!person.TryGetValue(h.SubjectId, out var s) || !person.TryGetValue(h.RaterId, out var r) || !behavior.TryGetValue(h.Behavior, out var b)
                || !RelationshipCodes.TryParse(h.Relationship, out var code) || h.Rating is < 1 or > 5) continue;
            var key = (s, r, (byte)b, (byte)code, (byte)h.Rating, h.ObservedOn.DayNumber);
            drop[key] = drop.GetValueOrDefault(key) + 1;
        }
        var rows = snapshot.Observations;
        var kept = new ObservationTable(Math.Max(rows.Count - drop.Values.Sum(), 1));
        for (var i = 0; i < rows.Count; i++)
        {
            var relationship = (RelationshipCode)rows.Relationship[i];
            if (held is null)
            {
                if (relationship is RelationshipCode.Peer or RelationshipCode.Report or RelationshipCode.Other) continue;
            }
            else
            {
                var key = (rows.Subject[i], rows.Rater[i], rows.Behavior[i], rows.Relationship[i], rows.Rating[i], rows.Day[i]);
                if (drop.TryGetValue(key, out var left) && left > 0)
                {
                    drop[key] = left - 1;
                    continue;
                }
            }
            kept.Add(rows.Subject[i], rows.Rater[i], rows.Behavior[i], relationship, rows.Rating[i], rows.Day[i]);
        }
        if (held is not null)
            foreach (var v in shown)
            {
                if (!person.TryGetValue(v.SubjectId, out var s) || !person.TryGetValue(v.RaterId, out var r) || !behavior.TryGetValue(v.Behavior, out var b)
                    || !RelationshipCodes.TryParse(v.Relationship, out var code) || v.Rating is < 1 or > 5) continue;
                kept.Add(s, r, b, code, v.Rating, v.ObservedOn.DayNumber);
            }
        kept.GroupBySubject();
        return new EvidenceSnapshot
        {
            PersonIds = snapshot.PersonIds, CurrentLevels = snapshot.CurrentLevels, BehaviorKeys = snapshot.BehaviorKeys,
            Observations = kept, Results = snapshot.Results, Concerns = snapshot.Concerns,
        };
    }

    private void StartRefresh()
    {
        lock (_refreshLock)
        {
            if (!_refresh.IsCompleted) return; // the running refresh re-checks the stale flag when it ends
            _refresh = Task.Run(async () =>
            {
                try
                {
                    while (Volatile.Read(ref _stale) == 1 && _state is not null) await LoadAsync(force: true, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // The last good result stays in service; the next change or request tries again.
                    RefitFailed(log, e);
                }
            });
        }
    }

    private async Task<State?> LoadAsync(bool force, CancellationToken ct)
    {
        await _loadGate.WaitAsync(ct);
        try
        {
            if (!force && _state is { } existing) return existing;
            Interlocked.Exchange(ref _stale, 0);
            var current = await frameworks.GetAsync(ct);
            if (current is null) return null;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            // Noted before reading: the evidence read below includes at least every change up to this revision.
            var revision = await EvidenceRevision.ReadAsync(db, ct);
            var evidence = await ReadinessSnapshotLoader.LoadAsync(db, current.Framework, ct);
            var today = Today;
            var assessment = ReadinessAssessment.Compute(evidence.Snapshot, current.Framework, Options(today), evidence.Departments);
            var own = await OwnEvidenceAsync(db, evidence, revision, _state, ct);
            var state = new State(current.VersionId, revision, current.Framework, evidence, today, assessment) { Own = own };
            _state = state;
            return state;
        }
        finally { _loadGate.Release(); }
    }
}

/// <summary>Non-self observations of each person by kind of rater (<see cref="RelationshipCode"/>), as loaded for the engine.</summary>
public sealed class EvidenceMix
{
    private static readonly string[] Names = [Relationships.Self, Relationships.Manager, Relationships.Peer, Relationships.Report, Relationships.SkipLevel, Relationships.Other];
    private readonly ReadinessAssessment _index;
    private readonly int[] _counts;

    private EvidenceMix(ReadinessAssessment index, int[] counts) => (_index, _counts) = (index, counts);

    internal static EvidenceMix Count(EvidenceSnapshot snapshot, ReadinessAssessment index)
    {
        var counts = new int[snapshot.PersonIds.Count * RelationshipCodes.Count];
        lock (index) // an incremental update may append rows meanwhile
        {
            var table = snapshot.Observations;
            var subject = table.Subject;
            var relationship = table.Relationship;
            for (var i = 0; i < table.Count; i++)
                if (relationship[i] != (byte)RelationshipCode.Self) counts[subject[i] * RelationshipCodes.Count + relationship[i]]++;
        }
        return new EvidenceMix(index, counts);
    }

    /// <summary>A person's non-self observations by relationship name (only kinds with any), empty when none.</summary>
    public Dictionary<string, int> Of(string employeeId)
    {
        var mix = new Dictionary<string, int>(StringComparer.Ordinal);
        if (_index.PersonIndex(employeeId) is not { } p || (p + 1) * RelationshipCodes.Count > _counts.Length) return mix;
        for (var k = 1; k < RelationshipCodes.Count; k++)
            if (_counts[p * RelationshipCodes.Count + k] is var n and > 0) mix[Names[k]] = n;
        return mix;
    }
}
