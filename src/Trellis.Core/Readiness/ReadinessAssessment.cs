using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;
using Trellis.Core.Framework;

namespace Trellis.Core.Readiness;

/// <summary>
/// Readiness of everyone in a snapshot as of a date: the fitted <see cref="ReadinessModel"/> plus the results gate,
/// concerns and the framework's expectations, turned into bands, gaps and explanations (rules: docs/readiness.md).
/// Pure and deterministic. Not thread-safe for <see cref="Add"/>: callers serialise updates and reads.
/// </summary>
public sealed class ReadinessAssessment
{
    public const string Next = "next";

    private readonly EvidenceSnapshot _snapshot;
    private readonly CareerFramework _framework;
    private readonly Dictionary<string, int> _personIndex;
    private readonly Dictionary<string, int[]> _expectations = [];
    private readonly Dictionary<string, (Level Level, Track Track, Level? Next)> _levels = new(StringComparer.Ordinal);
    private readonly int[] _latestResult;
    private readonly int[] _latestConcernDay;
    private readonly double _z;
    /// <summary>The standard normal quantile of the ready confidence: a behaviour is confidently met when its z reaches it.</summary>
    private readonly double _readyZ;
    private readonly int[] _activeByIdOrder;

    public ReadinessModel Model { get; }
    public ReadinessOptions Options { get; }
    public CareerFramework Framework => _framework;
    public EvidenceSnapshot Snapshot => _snapshot;

    private ReadinessAssessment(EvidenceSnapshot snapshot, CareerFramework framework, ReadinessOptions options, ReadinessModel model)
    {
        _snapshot = snapshot;
        _framework = framework;
        Options = options;
        Model = model;
        _z = Normal.Quantile(0.5 + options.IntervalLevel / 2);
        _readyZ = options.ReadyConfidence <= 0 ? double.NegativeInfinity
            : options.ReadyConfidence >= 1 ? double.PositiveInfinity
            : Normal.Quantile(options.ReadyConfidence);
        var persons = snapshot.PersonIds.Count;
        _personIndex = new Dictionary<string, int>(persons, StringComparer.Ordinal);
        for (var p = 0; p < persons; p++) _personIndex[snapshot.PersonIds[p]] = p;

        foreach (var level in framework.Levels)
        {
            var expected = new int[snapshot.BehaviorKeys.Count];
            for (var b = 0; b < expected.Length; b++)
                expected[b] = level.Expectations.TryGetValue(snapshot.BehaviorKeys[b], out var e) ? e : 0;
            _expectations[level.Key] = expected;
            _levels[level.Key] = (level, framework.TrackOf(level.Key)!, framework.NextLevel(level.Key));
        }

        var asOf = options.AsOf;
        _latestResult = new int[persons];
        Array.Fill(_latestResult, -1);
        for (var k = 0; k < snapshot.Results.Count; k++)
        {
            var r = snapshot.Results[k];
            if (r.PeriodEnd > asOf || (uint)r.Person >= (uint)persons) continue;
            var current = _latestResult[r.Person];
            if (current < 0) { _latestResult[r.Person] = k; continue; }
            var c = snapshot.Results[current];
            // Latest period end wins; ties broken by period name so that input order never matters.
            if (r.PeriodEnd > c.PeriodEnd || (r.PeriodEnd == c.PeriodEnd && string.CompareOrdinal(r.Period, c.Period) > 0))
                _latestResult[r.Person] = k;
        }
        _latestConcernDay = new int[persons];
        Array.Fill(_latestConcernDay, int.MinValue);
        foreach (var concern in snapshot.Concerns)
        {
            if (concern.RecordedOn > asOf || (uint)concern.Person >= (uint)persons) continue;
            _latestConcernDay[concern.Person] = Math.Max(_latestConcernDay[concern.Person], concern.RecordedOn.DayNumber);
        }
        _activeByIdOrder = ActiveByIdOrder(snapshot);
    }

    /// <summary>Active persons by employee id (ordinal); loaders list people by id already, so usually no sort is needed.</summary>
    private static int[] ActiveByIdOrder(EvidenceSnapshot snapshot)
    {
        var ids = snapshot.PersonIds;
        var active = new List<int>(ids.Count);
        var sorted = true;
        string? previous = null;
        for (var p = 0; p < ids.Count; p++)
        {
            if (snapshot.CurrentLevels[p] is null) continue;
            if (previous is not null && string.CompareOrdinal(previous, ids[p]) > 0) sorted = false;
            previous = ids[p];
            active.Add(p);
        }
        var order = active.ToArray();
        if (!sorted)
        {
            var keys = Array.ConvertAll(order, p => ids[p]);
            Array.Sort(keys, order, StringComparer.Ordinal);
        }
        return order;
    }

    /// <summary>Fits the model (rater groups: e.g. each person's department index, or null) and prepares the gate and concern look-ups.</summary>
    public static ReadinessAssessment Compute(EvidenceSnapshot snapshot, CareerFramework framework, ReadinessOptions options, int[]? raterGroups = null)
    {
        if (snapshot.CurrentLevels.Count != snapshot.PersonIds.Count)
            throw new ArgumentException("CurrentLevels must have one entry per person", nameof(snapshot));
        var model = ReadinessModel.Fit(snapshot.Observations, snapshot.PersonIds.Count, Math.Max(1, snapshot.BehaviorKeys.Count), options, raterGroups);
        return new ReadinessAssessment(snapshot, framework, options, model);
    }

    /// <summary>An assessment over an already fitted model of the same snapshot and options.</summary>
    public static ReadinessAssessment From(EvidenceSnapshot snapshot, CareerFramework framework, ReadinessOptions options, ReadinessModel model) =>
        new(snapshot, framework, options, model);

    /// <summary>Null when the target is "next"/empty or a level of the framework; else the problem.</summary>
    public static string? ValidateTarget(CareerFramework framework, string? target) =>
        string.IsNullOrEmpty(target) || target == Next || framework.FindLevel(target) is not null
            ? null
            : $"target must be 'next' or a level key of the framework ({string.Join(", ", framework.Levels.Select(l => l.Key))}); '{target}' is neither";

    public int? PersonIndex(string employeeId) => _personIndex.TryGetValue(employeeId, out var p) ? p : null;

    public bool IsActive(int person) => _snapshot.CurrentLevels[person] is not null;

    /// <summary>Active persons ordered by employee id (ordinal).</summary>
    public IReadOnlyList<int> ActivePersons => _activeByIdOrder;

    /// <summary>Reflects one new observation at once (see <see cref="ReadinessModel.Add"/>).</summary>
    public bool Add(int subject, int rater, int behavior, RelationshipCode relationship, int rating, DateOnly observedOn)
    {
        _all.Clear();
        return Model.Add(subject, rater, behavior, relationship, rating, observedOn.DayNumber);
    }

    // Reports are immutable: everyone's reports for a target are built once per fit (and after each incremental
    // change), because pages such as the calibration board ask for all of them on every request.
    private readonly Dictionary<string, ReadinessReport[]> _all = new(StringComparer.Ordinal);

    public IReadOnlyList<ReadinessReport> All(string? target = null)
    {
        var key = target ?? "";
        if (_all.TryGetValue(key, out var cached)) return cached;
        var reports = ForEveryone(target, person => Report(person, target));
        _all[key] = reports;
        return reports;
    }

    public ReadinessReport? Report(string employeeId, string? target = null) =>
        PersonIndex(employeeId) is { } p && IsActive(p) ? Report(p, target) : null;

    /// <summary>The values score as the report shows it (clamped to 1–5, two decimals); null without evidence. Builds no report.</summary>
    public double? ValuesScore(int person) => Model.EvidenceCount(person) > 0 ? Round(Clamp(Model.ValuesScore(person))) : null;

    /// <summary>The band only, without building the report (for counting and benchmarks).</summary>
    public string Band(int person, string? target = null) => Decide(person, target).Band;

    /// <summary>Every active person's band, in <see cref="ActivePersons"/> order, decided on all cores; builds no report.</summary>
    public string[] Bands(string? target = null) => ForEveryone(target, person => Decide(person, target).Band);

    /// <summary>
    /// <paramref name="decide"/> for every active person, in <see cref="ActivePersons"/> order, on all cores: each
    /// person is independent of the others and the assessment is only read. The target is checked first, once.
    /// </summary>
    private T[] ForEveryone<T>(string? target, Func<int, T> decide)
    {
        if (ValidateTarget(_framework, target) is { } problem) throw new ArgumentException(problem, nameof(target));
        var order = _activeByIdOrder;
        var results = new T[order.Length];
        const int block = 1024;
        Parallel.For(0, (order.Length + block - 1) / block, b =>
        {
            for (var k = b * block; k < Math.Min(order.Length, (b + 1) * block); k++) results[k] = decide(order[k]);
        });
        return results;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadinessReport Report(int person, string? target = null)
    {
        var j = Judge(person, target);
        var m = Model;
        var keys = _snapshot.BehaviorKeys;
        var behaviors = new BehaviorReadiness[keys.Count];
        var hasEvidence = m.EvidenceCount(person) > 0;
        for (var b = 0; b < keys.Count; b++)
        {
            int? expected = j.Expected is { } e && e[b] > 0 ? e[b] : null;
            if (!hasEvidence)
            {
                behaviors[b] = new BehaviorReadiness(keys[b], null, null, 0, expected);
                continue;
            }
            var score = m.Score(person, b);
            var half = _z * Math.Sqrt(m.Variance(person, b));
            behaviors[b] = new BehaviorReadiness(keys[b], Round(Clamp(score)), [Round(Clamp(score - half)), Round(Clamp(score + half))],
                m.EvidenceCount(person, b), expected)
            {
                ProbabilityMeets = expected is { } ex ? Math.Round(MeetsProbability(person, b, ex), 3) : null,
            };
        }
        double? values = null;
        double[]? valuesCi = null;
        if (hasEvidence)
        {
            var v = m.ValuesScore(person);
            var half = _z * Math.Sqrt(m.ValuesVariance(person));
            values = ValuesScore(person);
            valuesCi = [Round(Clamp(v - half)), Round(Clamp(v + half))];
        }
        var selfMean = m.SelfRatingMean(person);
        return new ReadinessReport(_snapshot.PersonIds[person], _snapshot.CurrentLevels[person] ?? "", j.TargetLevel, j.Band, values, valuesCi,
            m.EvidenceCount(person), m.RaterCount(person), j.Gate, behaviors, j.Gaps.Select(b => keys[b]).ToArray(), Explain(person, j))
        {
            Move = j.Move,
            SelfRatingMean = selfMean is { } s ? Round(s) : null,
            SelfRatingCount = m.SelfRatingCount(person),
            AsOf = Options.AsOf,
        };
    }

    private static double Clamp(double x) => Math.Clamp(x, 1.0, 5.0);
    private static double Round(double x) => Math.Round(x, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Whether <see cref="MeetsProbability"/> reaches <see cref="ReadinessOptions.ReadyConfidence"/>, as a comparison of
    /// the standardised score with that confidence's normal quantile (computed once): no exponential per behaviour.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ConfidentlyMeets(int person, int behavior, int expected)
    {
        var sd = Math.Max(Math.Sqrt(Model.Variance(person, behavior)), 1e-9);
        return (Model.Score(person, behavior) - (expected - Options.Tolerance)) / sd >= _readyZ;
    }

    /// <summary>Posterior probability that the true level is at least expected − tolerance.</summary>
    private double MeetsProbability(int person, int behavior, int expected)
    {
        var sd = Math.Sqrt(Model.Variance(person, behavior));
        return Normal.Cdf((Model.Score(person, behavior) - (expected - Options.Tolerance)) / Math.Max(sd, 1e-9));
    }

    private sealed record Judgement(
        string Band, string? TargetLevel, Level? Target, Track? TargetTrack, string? Move, int[]? Expected, string Gate, ResultEntry? Result,
        bool ConcernBlocks, int[] Gaps, int Unevidenced, int Unsure, bool AtTop);

    /// <summary>The band decision without anything allocated per person (counting everyone's bands stays cheap).</summary>
    private readonly record struct Decision(
        string Band, Level? Target, string? Move, int[]? Expected, string Gate, int LatestResult, bool ConcernBlocks, int GapCount,
        int Unevidenced, int Unsure, bool AtTop);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Decision Decide(int person, string? target)
    {
        var m = Model;
        var current = _snapshot.CurrentLevels[person] ?? "";
        var known = _levels.TryGetValue(current, out var currentInfo);
        var currentLevel = known ? currentInfo.Level : null;
        Level? targetLevel;
        var atTop = false;
        if (string.IsNullOrEmpty(target) || target == Next)
        {
            targetLevel = known ? currentInfo.Next : null;
            if (targetLevel is null && currentLevel is not null) { targetLevel = currentLevel; atTop = true; }
        }
        else targetLevel = _levels.TryGetValue(target, out var t) ? t.Level : throw new ArgumentException(ValidateTarget(_framework, target), nameof(target));
        string? move = null;
        if (targetLevel is not null && currentLevel is not null)
            move = targetLevel.Key == currentLevel.Key ? "current"
                : targetLevel.Band > currentLevel.Band ? "promotion"
                : targetLevel.Band < currentLevel.Band ? "lower"
                : "lateral";

        var latest = _latestResult[person];
        var gate = latest < 0 ? ResultsGates.Unknown : _snapshot.Results[latest].Score >= _framework.Rules.ResultsGate ? ResultsGates.Pass : ResultsGates.Fail;
        var concernBlocks = _latestConcernDay[person] != int.MinValue && Options.AsOf.DayNumber - _latestConcernDay[person] < Options.ConcernWindowDays;

        var expected = targetLevel is null ? null : _expectations[targetLevel.Key];
        int gaps = 0, unevidenced = 0, unsure = 0;
        double worst = 0;
        if (expected is not null && m.EvidenceCount(person) > 0)
        {
            for (var b = 0; b < expected.Length; b++)
            {
                if (expected[b] <= 0) continue;
                var score = m.Score(person, b);
                worst = Math.Max(worst, expected[b] - score);
                if (score < expected[b] - Options.Tolerance) gaps++;
                else if (m.EvidenceCount(person, b) == 0) unevidenced++;
                else if (!ConfidentlyMeets(person, b, expected[b])) unsure++;
            }
        }

        string band;
        if (gate == ResultsGates.Fail || concernBlocks) band = ReadinessBands.Blocked;
        else if (m.EvidenceCount(person) < Options.MinEvidence || m.RaterCount(person) < Options.MinRaters) band = ReadinessBands.InsufficientEvidence;
        else if (expected is null) band = ReadinessBands.Developing;
        else if (gaps == 0 && unevidenced == 0 && unsure == 0) band = ReadinessBands.Ready;
        else if (gaps <= Options.SoonMaxGaps && worst <= Options.SoonMaxShortfall) band = ReadinessBands.Soon;
        else band = ReadinessBands.Developing;
        return new Decision(band, targetLevel, move, expected, gate, latest, concernBlocks, gaps, unevidenced, unsure, atTop);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Judgement Judge(int person, string? target)
    {
        var d = Decide(person, target);
        var m = Model;
        var gapList = Array.Empty<int>();
        if (d.GapCount > 0)
        {
            // Largest shortfall first; ties by framework order. An insertion sort: a person has a handful of gaps, and
            // a generic LINQ sort over tuples is compiled at run time in every short CLI process.
            gapList = new int[d.GapCount];
            Span<double> shortfalls = stackalloc double[d.GapCount];
            var n = 0;
            for (var b = 0; b < d.Expected!.Length && n < gapList.Length; b++)
            {
                if (d.Expected[b] <= 0) continue;
                var score = m.Score(person, b);
                if (!(score < d.Expected[b] - Options.Tolerance)) continue; // the test Decide counted gaps with
                var shortfall = d.Expected[b] - score;
                var at = n++;
                for (; at > 0 && shortfalls[at - 1] < shortfall; at--)
                {
                    shortfalls[at] = shortfalls[at - 1];
                    gapList[at] = gapList[at - 1];
                }
                shortfalls[at] = shortfall;
                gapList[at] = b;
            }
        }
        var targetTrack = d.Target is null ? null : _levels[d.Target.Key].Track;
        ResultEntry? result = d.LatestResult >= 0 ? _snapshot.Results[d.LatestResult] : null;
        return new Judgement(d.Band, d.Target?.Key, d.Target, targetTrack, d.Move, d.Expected, d.Gate, result, d.ConcernBlocks, gapList,
            d.Unevidenced, d.Unsure, d.AtTop);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string Explain(int person, Judgement j)
    {
        var m = Model;
        var ci = CultureInfo.InvariantCulture;
        var keys = _snapshot.BehaviorKeys;
        var sb = new StringBuilder();
        // People read this: the level's name first, its key only as secondary text (issue 11, words not codes).
        var target = j.Target is null ? "no target level" : $"{j.Target.Name} ({j.Target.Key}, {j.TargetTrack?.Name ?? "?"} track, band {j.Target.Band})";
        var moveText = j.Move switch
        {
            "lateral" => ", a lateral move of equal standing",
            "current" when j.AtTop => ", the top of the track, so measured against the current level",
            "current" => ", the current level",
            "lower" => ", a lower band",
            _ => "",
        };
        var evidence = $"{m.EvidenceCount(person)} observation{S(m.EvidenceCount(person))} from {m.RaterCount(person)} rater{S(m.RaterCount(person))}";
        var selfNote = m.SelfRatingCount(person) > 0
            ? $" ({m.SelfRatingCount(person)} self-rating{S(m.SelfRatingCount(person))} averaging {m.SelfRatingMean(person)!.Value.ToString("0.0", ci)} shown apart, not counted)"
            : "";

        switch (j.Band)
        {
            case ReadinessBands.Blocked:
                sb.Append("Blocked for ").Append(target).Append(moveText).Append(": ");
                var reasons = new List<string>();
                if (j.Gate == ResultsGates.Fail && j.Result is { } failed)
                    reasons.Add(string.Create(ci, $"the latest results ({failed.Period}, ending {failed.PeriodEnd:yyyy-MM-dd}) scored {failed.Score:0.0##} against a gate of {_framework.Rules.ResultsGate:0.0##}"));
                if (j.ConcernBlocks) reasons.Add("a substantiated concern was recorded in the last 12 months (details are with HR)");
                sb.Append(string.Join("; and ", reasons)).Append(". Behaviour evidence: ").Append(evidence).Append('.');
                return sb.ToString();
            case ReadinessBands.InsufficientEvidence:
                sb.Append("Not enough evidence to judge readiness for ").Append(target).Append(moveText).Append(": ").Append(evidence).Append(selfNote)
                  .Append(CultureInfo.InvariantCulture, $"; at least {Options.MinEvidence} observations from {Options.MinRaters} different raters other than the person are needed.");
                break;
            case ReadinessBands.Ready:
                sb.Append("Ready for ").Append(target).Append(moveText).Append(": ").Append(evidence).Append(selfNote)
                  .Append(CultureInfo.InvariantCulture, $" put every behaviour at or above what {j.Target!.Name} expects, each with at least {Options.ReadyConfidence:P0} confidence after correcting for rater leniency.");
                break;
            default:
                sb.Append(j.Band == ReadinessBands.Soon ? "Soon ready for " : "Developing toward ").Append(target).Append(moveText).Append(": ")
                  .Append(evidence).Append(selfNote).Append('.');
                if (j.Expected is null)
                    sb.Append(CultureInfo.InvariantCulture, $" The current level '{_snapshot.CurrentLevels[person]}' is not in the framework, so there are no expectations to compare with.");
                if (j.Gaps.Length > 0)
                {
                    var g = j.Gaps[0];
                    var half = _z * Math.Sqrt(m.Variance(person, g));
                    var score = m.Score(person, g);
                    sb.Append(CultureInfo.InvariantCulture, $" {j.Gaps.Length} gap{S(j.Gaps.Length)}; the largest is {_framework.FindBehavior(keys[g])?.Name ?? keys[g]}: {Clamp(score):0.0} (95% interval {Clamp(score - half):0.0}–{Clamp(score + half):0.0}, from {m.EvidenceCount(person, g)} observation{S(m.EvidenceCount(person, g))}) against {j.Expected![g]} expected.");
                }
                if (j.Unevidenced > 0) sb.Append(CultureInfo.InvariantCulture, $" {j.Unevidenced} expected behaviour{S(j.Unevidenced)} ha{(j.Unevidenced == 1 ? "s" : "ve")} no observations yet.");
                if (j.Unsure > 0) sb.Append(CultureInfo.InvariantCulture, $" {j.Unsure} behaviour{S(j.Unsure)} meet{(j.Unsure == 1 ? "s" : "")} the expectation on the estimate but not yet with {Options.ReadyConfidence:P0} confidence.");
                break;
        }
        sb.Append(' ').Append(j.Gate switch
        {
            ResultsGates.Pass when j.Result is { } p => string.Create(ci, $"Results gate: pass ({p.Period}: {p.Score:0.0##} against {_framework.Rules.ResultsGate:0.0##}); results gate readiness but never raise it."),
            _ => "Results gate: unknown (no results recorded up to the as-of date); results gate readiness but never raise it.",
        });
        return sb.ToString();
    }

    private static string S(int n) => n == 1 ? "" : "s";
}
