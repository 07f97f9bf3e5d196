using System.Buffers;
using System.Globalization;
using Trellis.Core.Framework;

namespace Trellis.Core.Audit;

/// <summary>
/// The culture audit, "what are you promoting?": pure statistics over the promotion history and the evidence
/// as it stood at each decision. Deterministic: the same input gives the same report.
/// </summary>
public static class CultureAudit
{
    public const string NotRecorded = "not_recorded";
    public static readonly IReadOnlyList<string> GroupAttributes = ["gender", "department", "location"];

    public static AuditReport Compute(AuditInput input)
    {
        var options = input.Options;
        var index = new PeopleIndex(input.People);
        var levels = new Dictionary<string, AuditLevel>(StringComparer.Ordinal);
        foreach (var level in input.Levels) levels.Add(level.Key, level);
        var notes = new List<string>();

        // The recognition map is independent of everything else and the biggest single pass (one row per
        // recognition): it runs alongside the candidate sections.
        var recognition = Task.Run(() => Recognition(input, index));

        var all = input.Candidates;
        var allPerson = new int[all.Count];
        for (var i = 0; i < allPerson.Length; i++) allPerson[i] = index.Of(all[i].EmployeeId);
        var scoped = new List<int>(all.Count);
        for (var i = 0; i < all.Count; i++)
            if (input.Cycle is null || all[i].Cycle == input.Cycle) scoped.Add(i);

        // Cycles in order of first appearance (as GroupBy would give them), each candidate tagged with its cycle.
        var cycleOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var cycleNames = new List<string>();
        var cycleMembers = new List<List<int>>();
        foreach (var i in scoped)
        {
            var name = all[i].Cycle;
            if (!cycleOf.TryGetValue(name, out var c))
            {
                cycleOf.Add(name, c = cycleNames.Count);
                cycleNames.Add(name);
                cycleMembers.Add([]);
            }
            cycleMembers[c].Add(i);
        }
        var cycles = new List<CycleSummary>(cycleNames.Count);
        for (var c = 0; c < cycleNames.Count; c++)
        {
            int promoted = 0, declined = 0, deferred = 0, notPromoted = 0;
            var last = DateOnly.MinValue;
            foreach (var i in cycleMembers[c])
            {
                var candidate = all[i];
                switch (candidate.Outcome)
                {
                    case PromotionOutcomes.Promoted: promoted++; break;
                    case PromotionOutcomes.Declined: declined++; break;
                    case PromotionOutcomes.Deferred: deferred++; break;
                    case PromotionOutcomes.NotPromoted: notPromoted++; break;
                }
                if (candidate.DecidedOn > last) last = candidate.DecidedOn;
            }
            cycles.Add(new CycleSummary(cycleNames[c], cycleMembers[c].Count, promoted, declined, deferred, last, notPromoted));
        }
        cycles = [.. cycles.OrderBy(c => c.DecidedOn).ThenBy(c => c.Cycle, StringComparer.Ordinal)];

        // Declined and deferred candidates chose not to be decided on: they are not "not promoted".
        var decided = new List<int>(scoped.Count);
        foreach (var i in scoped)
            if (all[i].Outcome is PromotionOutcomes.Promoted or PromotionOutcomes.NotPromoted) decided.Add(i);
        var columns = new DriverColumns(all);

        var pooled = FitDrivers(columns, decided, options);
        if (pooled.ExcludedMissing > 0)
            notes.Add($"{pooled.ExcludedMissing} of {decided.Count} decided candidates had no values or results score as of their decision and were left out of the regression.");
        var decidedByCycle = new List<int>[cycleNames.Count];
        for (var c = 0; c < decidedByCycle.Length; c++) decidedByCycle[c] = [];
        var departmentCodes = index.Codes[DepartmentAttribute];
        var decidedByDepartment = new List<int>[index.Labels[DepartmentAttribute].Count];
        foreach (var i in decided)
        {
            decidedByCycle[cycleOf[all[i].Cycle]].Add(i);
            var d = allPerson[i] >= 0 ? departmentCodes[allPerson[i]] : index.NotRecordedCode(DepartmentAttribute);
            (decidedByDepartment[d] ??= []).Add(i);
        }
        var segments = new List<(string Name, List<int> Rows)>();
        foreach (var c in cycles) segments.Add((c.Cycle, decidedByCycle[cycleOf[c.Cycle]]));
        var departments = Enumerable.Range(0, decidedByDepartment.Length).Where(d => decidedByDepartment[d] is not null)
            .OrderBy(d => index.Labels[DepartmentAttribute][d], StringComparer.Ordinal).ToList();
        foreach (var d in departments) segments.Add((index.Labels[DepartmentAttribute][d], decidedByDepartment[d]));
        var fits = new DriverFit[segments.Count];
        Parallel.For(0, segments.Count, s => fits[s] = FitDrivers(columns, segments[s].Rows, options));
        var byCycle = Enumerable.Range(0, cycles.Count).Select(s => new SegmentFit(segments[s].Name, fits[s])).ToList();
        var byDepartment = Enumerable.Range(cycles.Count, departments.Count).Select(s => new SegmentFit(segments[s].Name, fits[s])).ToList();

        var flags = Flags(all, cycleMembers, input.Concerns, levels, options);
        var (span, distribution) = SpanOfControl(input, index, levels);
        var suppressed = new List<SuppressedGroup>();
        var groups = GroupRates(all, allPerson, decided, index, input.AnonymityThreshold, options, suppressed);
        var readiness = ReadinessRates(input, index, suppressed);
        var tracks = Tracks(input, allPerson, index, levels);
        var moves = Moves(all, cycleNames, cycleMembers, levels);

        return new AuditReport(
            input.AsOf, cycles, pooled, pooled.SayDoIndex, flags, span, groups,
            SayDoReading(pooled), byCycle, byDepartment, distribution, input.MaxDirectReports,
            recognition.GetAwaiter().GetResult(), tracks, moves, TrackReturnsByYear(input), readiness, suppressed, notes);
    }

    private const int DepartmentAttribute = 1;

    // Returns to the expert track are approved by HR at any time, not in a cycle; an audit of one cycle leaves them out.
    private static List<TrackReturnYear> TrackReturnsByYear(AuditInput input) =>
        input.Cycle is not null ? [] :
        input.TrackReturns.Where(r => r.On <= input.AsOf).GroupBy(r => r.On.Year).OrderBy(g => g.Key)
            .Select(g => new TrackReturnYear(g.Key, g.Count())).ToList();

    /// <summary>
    /// People by position: the id → position lookup is hashed once per id, and every group attribute is coded as a
    /// small integer per person (null and <see cref="NotRecorded"/> share a code), so that the sections count into
    /// arrays instead of grouping strings over 100,000+ rows.
    /// </summary>
    private sealed class PeopleIndex
    {
        public readonly IReadOnlyList<AuditPerson> People;
        private readonly Dictionary<string, int> _position;
        /// <summary>Per attribute of <see cref="GroupAttributes"/>: the code of each person's value.</summary>
        public readonly int[][] Codes;
        /// <summary>Per attribute: whether the person has a value (not null).</summary>
        public readonly bool[][] Recorded;
        /// <summary>Per attribute: the label of each code.</summary>
        public readonly List<string>[] Labels;
        private readonly Dictionary<string, int>[] _codeOf;
        private readonly int[] _notRecorded;
        /// <summary>Position of each person's manager among the people (−1: none or not among them).</summary>
        public readonly int[] Manager;

        public PeopleIndex(IReadOnlyList<AuditPerson> people)
        {
            People = people;
            _position = new Dictionary<string, int>(people.Count, StringComparer.Ordinal);
            for (var i = 0; i < people.Count; i++) _position[people[i].Id] = i;
            Codes = new int[GroupAttributes.Count][];
            Recorded = new bool[GroupAttributes.Count][];
            Labels = new List<string>[GroupAttributes.Count];
            _codeOf = new Dictionary<string, int>[GroupAttributes.Count];
            for (var a = 0; a < GroupAttributes.Count; a++)
            {
                var codes = Codes[a] = new int[people.Count];
                var recorded = Recorded[a] = new bool[people.Count];
                var labels = Labels[a] = [];
                var codeOf = _codeOf[a] = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < people.Count; i++)
                {
                    var value = AttributeOf(people[i], GroupAttributes[a]);
                    recorded[i] = value is not null;
                    value ??= NotRecorded;
                    if (!codeOf.TryGetValue(value, out var code))
                    {
                        codeOf.Add(value, code = labels.Count);
                        labels.Add(value);
                    }
                    codes[i] = code;
                }
            }
            _notRecorded = new int[GroupAttributes.Count];
            for (var a = 0; a < GroupAttributes.Count; a++)
            {
                if (!_codeOf[a].TryGetValue(NotRecorded, out var code))
                {
                    _codeOf[a].Add(NotRecorded, code = Labels[a].Count);
                    Labels[a].Add(NotRecorded);
                }
                _notRecorded[a] = code;
            }
            Manager = new int[people.Count];
            for (var i = 0; i < people.Count; i++) Manager[i] = people[i].ManagerId is { } m ? Of(m) : -1;
        }

        /// <summary>Position of a person (the last with that id), or −1.</summary>
        public int Of(string id) => _position.TryGetValue(id, out var i) ? i : -1;

        /// <summary>The code of <see cref="NotRecorded"/> for an attribute (people without a value, or not among the people).</summary>
        public int NotRecordedCode(int attribute) => _notRecorded[attribute];
    }

    // ------------------------------------------------------------ drivers

    /// <summary>The candidates' scores as flat columns, so that each segment's fit only gathers the rows it needs.</summary>
    private sealed class DriverColumns
    {
        public readonly double[] Results, Values, Tenure;
        public readonly bool[] HasScores, Promoted;

        public DriverColumns(IReadOnlyList<AuditCandidate> candidates)
        {
            var n = candidates.Count;
            Results = new double[n];
            Values = new double[n];
            Tenure = new double[n];
            HasScores = new bool[n];
            Promoted = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var c = candidates[i];
                HasScores[i] = c is { ValuesScore: not null, ResultsScore: not null };
                Results[i] = c.ResultsScore ?? 0;
                Values[i] = c.ValuesScore ?? 0;
                Tenure[i] = c.TenureYears;
                Promoted[i] = c.Outcome == PromotionOutcomes.Promoted;
            }
        }
    }

    public static DriverFit FitDrivers(IReadOnlyList<AuditCandidate> decided, AuditOptions options) =>
        FitDrivers(new DriverColumns(decided), Enumerable.Range(0, decided.Count).ToList(), options);

    private static DriverFit FitDrivers(DriverColumns columns, List<int> rows, AuditOptions options)
    {
        var n = 0;
        var promoted = 0;
        foreach (var i in rows)
            if (columns.HasScores[i])
            {
                n++;
                if (columns.Promoted[i]) promoted++;
            }
        var excluded = rows.Count - n;
        DriverFit Skip(string reason) => new(n, promoted, null, null, null, FitStatuses.Skipped, reason, excluded, null);

        if (n < options.MinimumN)
            return Skip(excluded > 0 && n == 0
                ? $"no candidate has both a values and a results score as of the decision ({excluded} without)"
                : $"too few candidates with scores to fit: {n}, need at least {options.MinimumN}");
        var minority = Math.Min(promoted, n - promoted);
        var needed = options.MinimumEventsPerPredictor * 3;
        if (minority < needed)
            return Skip(minority == promoted
                ? $"too few promotions to fit: {promoted}, need at least {needed} ({options.MinimumEventsPerPredictor} per predictor)"
                : $"too few candidates not promoted to fit: {n - promoted}, need at least {needed} ({options.MinimumEventsPerPredictor} per predictor)");

        LogisticFit fit;
        // The design matrix (intercept, results, values, tenure) and the outcomes go straight into pooled arrays:
        // fresh arrays this size would land on the large object heap for every segment.
        const int p = 4;
        var x = ArrayPool<double>.Shared.Rent(n * p);
        var y = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var k = 0;
            foreach (var i in rows)
            {
                if (!columns.HasScores[i]) continue;
                x[k * p] = 1;
                x[k * p + 1] = columns.Results[i];
                x[k * p + 2] = columns.Values[i];
                x[k * p + 3] = columns.Tenure[i];
                y[k] = columns.Promoted[i] ? 1 : 0;
                k++;
            }
            string[] names = ["results", "values", "tenure"];
            for (var j = 1; j < p; j++)
                if (!StandardiseColumn(x, n, p, j)) return Skip($"every candidate has the same {names[j - 1]}, so its effect cannot be estimated");
            fit = LogisticRegression.FitDesign(x, y, n, p);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(x);
            ArrayPool<double>.Shared.Return(y);
        }
        if (!fit.HasEstimates)
            return new(n, promoted, null, null, null, fit.Status, fit.Note, excluded, null);
        DriverEffect Or(Coefficient c) => new(c.OddsRatio, [c.CiLow, c.CiHigh], c.P, c.Beta, c.StandardError);
        var bResults = fit.Coefficients[1].Beta;
        var bValues = fit.Coefficients[2].Beta;
        var denominator = Math.Abs(bValues) + Math.Abs(bResults);
        double? sayDo = denominator > 0 ? Math.Abs(bValues) / denominator : null;
        return new(n, promoted, Or(fit.Coefficients[1]), Or(fit.Coefficients[2]), Or(fit.Coefficients[3]), fit.Status, fit.Note, excluded, sayDo);
    }

    /// <summary>Standardises column <paramref name="j"/> of the first <paramref name="n"/> rows of a row-major matrix in place, as <see cref="Standardise"/>; false when it does not vary.</summary>
    private static bool StandardiseColumn(double[] x, int n, int p, int j)
    {
        if (n < 2) return false;
        var sum = 0.0;
        for (var i = 0; i < n; i++) sum += x[i * p + j];
        var mean = sum / n;
        var ss = 0.0;
        for (var i = 0; i < n; i++) ss += (x[i * p + j] - mean) * (x[i * p + j] - mean);
        var sd = Math.Sqrt(ss / (n - 1));
        if (sd < 1e-12 * Math.Max(1, Math.Abs(mean))) return false;
        for (var i = 0; i < n; i++) x[i * p + j] = (x[i * p + j] - mean) / sd;
        return true;
    }

    /// <summary>z-scores with the sample standard deviation (n − 1); null when the column does not vary.</summary>
    public static double[]? Standardise(double[] column)
    {
        if (column.Length < 2) return null;
        var mean = column.Average();
        var ss = 0.0;
        foreach (var v in column) ss += (v - mean) * (v - mean);
        var sd = Math.Sqrt(ss / (column.Length - 1));
        if (sd < 1e-12 * Math.Max(1, Math.Abs(mean))) return null;
        var z = new double[column.Length];
        for (var i = 0; i < z.Length; i++) z[i] = (column[i] - mean) / sd;
        return z;
    }

    public static string SayDoReading(DriverFit fit)
    {
        if (fit.SayDoIndex is not { } index || fit.Values is null || fit.Results is null)
            return $"The say–do index cannot be computed: {fit.Reason ?? "the driver model was not fitted"}.";
        var percent = Math.Round(index * 100);
        var reading = $"Values explain about {percent.ToString(CultureInfo.InvariantCulture)}% of what drives promotion here; results explain about {(100 - percent).ToString(CultureInfo.InvariantCulture)}%.";
        if (fit.Values.Beta < 0 && fit.Values.P < 0.05)
            reading += " People who demonstrate the values more are LESS likely to be promoted.";
        else if (fit.Values.P >= 0.05 && fit.Results.P >= 0.05)
            reading += " Neither effect is clearly different from chance with this many candidates, so read it as a rough indication.";
        else if (fit.Values.P >= 0.05)
            reading += " The values effect is not clearly different from zero.";
        if (fit.Status == FitStatuses.Firth)
            reading += " (Estimated with Firth's correction because the outcome was almost perfectly predicted.)";
        return reading;
    }

    // ------------------------------------------------------------ flags

    private static List<AuditFlag> Flags(IReadOnlyList<AuditCandidate> all, List<List<int>> cycleMembers, IReadOnlyList<AuditConcern> concerns,
        Dictionary<string, AuditLevel> levels, AuditOptions options)
    {
        var concernsByPerson = concerns.Where(c => c.Substantiated).GroupBy(c => c.EmployeeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.RecordedOn).ToList(), StringComparer.Ordinal);
        var flags = new List<AuditFlag>();
        foreach (var members in cycleMembers)
        {
            var withValues = new List<double>(members.Count);
            var withResults = new List<double>(members.Count);
            foreach (var i in members)
            {
                if (all[i].ValuesScore is { } v) withValues.Add(v);
                if (all[i].ResultsScore is { } r) withResults.Add(r);
            }
            withValues.Sort();
            withResults.Sort();
            double? bottomValues = withValues.Count >= 10 ? Quantile(withValues, options.LowValuesBottomShare) : null;
            double? medianValues = withValues.Count >= 2 ? Quantile(withValues, 0.5) : null;
            double? topResults = withResults.Count >= 4 ? Quantile(withResults, 1 - options.TopResultsShare) : null;

            foreach (var i in members)
            {
                var c = all[i];
                if (c.Outcome != PromotionOutcomes.Promoted) continue;
                if (c.ValuesScore is { } v)
                {
                    var expected = levels.TryGetValue(c.ToLevel, out var level) ? level.ExpectedValuesScore : null;
                    if (expected is { } e && v < e - options.LowValuesMargin)
                        flags.Add(Flag(c, "low_values", $"Values score {F(v)} is more than {F(options.LowValuesMargin)} below what {c.ToLevel} expects ({F(e)})."));
                    else if (bottomValues is { } b && v <= b)
                        flags.Add(Flag(c, "low_values", $"Values score {F(v)} is in the bottom {F(options.LowValuesBottomShare * 100)}% of this cycle's candidates (at or below {F(b)})."));
                }
                if (concernsByPerson.TryGetValue(c.EmployeeId, out var list) && list.FirstOrDefault(x => x.RecordedOn < c.DecidedOn) is { } concern)
                    flags.Add(Flag(c, "substantiated_concern", $"A substantiated {concern.Category} concern was recorded on {concern.RecordedOn:yyyy-MM-dd}, before the decision on {c.DecidedOn:yyyy-MM-dd}.") with { ConcernId = concern.Id });
                if (c is { ResultsScore: { } r, ValuesScore: { } vv } && topResults is { } t && medianValues is { } m && r >= t && vv < m)
                    flags.Add(Flag(c, "results_only", $"Results {F(r)} are in the top {F(options.TopResultsShare * 100)}% of this cycle's candidates, but the values score {F(vv)} is below the median ({F(m)})."));
            }
        }
        return flags.OrderBy(f => f.DecidedOn).ThenBy(f => f.Cycle, StringComparer.Ordinal)
            .ThenBy(f => f.EmployeeId, StringComparer.Ordinal).ThenBy(f => f.Reason, StringComparer.Ordinal).ToList();
    }

    private static AuditFlag Flag(AuditCandidate c, string reason, string detail) =>
        new(c.Cycle, c.EmployeeId, reason, c.DecidedOn, c.ToLevel, c.ValuesScore, c.ResultsScore, detail, null);

    /// <summary>Linear-interpolation quantile of a sorted array (type 7, as numpy and R's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------ span of control

    private static (List<SpanOutlier>, List<SpanBucket>) SpanOfControl(AuditInput input, PeopleIndex index, Dictionary<string, AuditLevel> levels)
    {
        // Direct reports among the active people, per active manager (a manager id that is not an active person is not counted).
        var people = index.People;
        var counts = new int[people.Count];
        for (var i = 0; i < people.Count; i++)
            if (people[i].Active && index.Manager[i] is var m and >= 0 && people[m].Active) counts[m]++;
        var outliers = new List<SpanOutlier>();
        var buckets = new SortedDictionary<int, int>();
        for (var m = 0; m < counts.Length; m++)
        {
            var count = counts[m];
            if (count == 0) continue;
            buckets[count] = buckets.GetValueOrDefault(count) + 1;
            var person = people[m];
            int? levelLimit = levels.TryGetValue(person.Level, out var level) && level.MaxDirectReports > 0 ? level.MaxDirectReports : null;
            if (count > input.MaxDirectReports || count > (levelLimit ?? int.MaxValue))
                outliers.Add(new SpanOutlier(person.Id, count, input.MaxDirectReports, levelLimit, person.Level));
        }
        var distribution = buckets.Select(b => new SpanBucket(b.Key, b.Value, b.Key > input.MaxDirectReports)).ToList();
        return (outliers.OrderByDescending(o => o.DirectReports).ThenBy(o => o.ManagerId, StringComparer.Ordinal).ToList(), distribution);
    }

    // ------------------------------------------------------------ fairness

    private static string? AttributeOf(AuditPerson? p, string attribute) => p is null ? null : attribute switch
    {
        "gender" => p.Gender,
        "department" => p.Department,
        "location" => p.Location,
        _ => null,
    };

    /// <summary>
    /// Groups below the anonymity threshold are never shown. When the hidden groups of an attribute add up to
    /// fewer than the threshold, the next-smallest group is hidden too, so that nobody can recover a small group
    /// by subtracting the shown ones from a total.
    /// </summary>
    private static HashSet<string> Suppress(Dictionary<string, int> sizes, int threshold)
    {
        var hidden = sizes.Where(s => s.Value < threshold).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        while (hidden.Count > 0 && hidden.Sum(h => sizes[h]) < threshold && hidden.Count < sizes.Count)
        {
            var next = sizes.Where(s => !hidden.Contains(s.Key)).OrderBy(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;
            hidden.Add(next);
        }
        return hidden;
    }

    private static List<GroupRate> GroupRates(IReadOnlyList<AuditCandidate> all, int[] allPerson, List<int> decided, PeopleIndex index,
        int threshold, AuditOptions options, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupRate>();
        var totalPromoted = 0;
        foreach (var i in decided)
            if (all[i].Outcome == PromotionOutcomes.Promoted) totalPromoted++;
        for (var a = 0; a < GroupAttributes.Count; a++)
        {
            var attribute = GroupAttributes[a];
            var codes = index.Codes[a];
            var recorded = index.Recorded[a];
            var notRecorded = index.NotRecordedCode(a);
            var size = new int[index.Labels[a].Count];
            var promotedIn = new int[size.Length];
            var any = false;
            foreach (var i in decided)
            {
                var person = allPerson[i];
                var code = notRecorded;
                if (person >= 0)
                {
                    code = codes[person];
                    any |= recorded[person];
                }
                size[code]++;
                if (all[i].Outcome == PromotionOutcomes.Promoted) promotedIn[code]++;
            }
            if (!any) continue; // attribute not in the data
            var groups = new Dictionary<string, (int n, int promoted)>(StringComparer.Ordinal);
            for (var code = 0; code < size.Length; code++)
                if (size[code] > 0) groups[index.Labels[a][code]] = (size[code], promotedIn[code]);
            var hidden = Suppress(groups.ToDictionary(g => g.Key, g => g.Value.n, StringComparer.Ordinal), threshold);
            if (hidden.Count > 0)
                suppressed.Add(new SuppressedGroup(attribute, "promotion", $"{hidden.Count} group(s) under the anonymity threshold of {threshold} (or hidden with them) are not shown."));
            var shown = groups.Where(g => !hidden.Contains(g.Key)).ToList();
            if (shown.Count == 0) continue;
            var best = shown.Max(g => (double)g.Value.promoted / g.Value.n);
            foreach (var (group, (n, promoted)) in shown.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var rate = (double)promoted / n;
                double? impact = best > 0 ? rate / best : null;
                // Group against everyone else: [[promoted, not], [others promoted, others not]].
                var p = FisherExact.TwoSided(promoted, n - promoted, totalPromoted - promoted, decided.Count - n - (totalPromoted - promoted));
                var significant = p < options.Alpha;
                rates.Add(new GroupRate(attribute, group, n, promoted, impact, rate, p, impact < options.FourFifths && significant, significant));
            }
        }
        return rates;
    }

    private static List<GroupReadiness> ReadinessRates(AuditInput input, PeopleIndex index, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupReadiness>();
        if (input.Readiness.Count == 0) return rates;
        var ready = new Dictionary<string, bool>(input.Readiness.Count, StringComparer.Ordinal);
        foreach (var r in input.Readiness) ready.Add(r.EmployeeId, r.Band == Readiness.ReadinessBands.Ready);
        var people = index.People;
        var hasBand = new bool[people.Count];
        var isReady = new bool[people.Count];
        for (var i = 0; i < people.Count; i++)
            if (people[i].Active && ready.TryGetValue(people[i].Id, out var r)) (hasBand[i], isReady[i]) = (true, r);
        for (var a = 0; a < GroupAttributes.Count; a++)
        {
            var attribute = GroupAttributes[a];
            var size = new int[index.Labels[a].Count];
            var readyIn = new int[size.Length];
            var any = false;
            for (var i = 0; i < people.Count; i++)
            {
                if (!hasBand[i]) continue;
                var code = index.Codes[a][i];
                any |= index.Recorded[a][i];
                size[code]++;
                if (isReady[i]) readyIn[code]++;
            }
            if (!any) continue;
            var groups = new Dictionary<string, (int n, int ready)>(StringComparer.Ordinal);
            for (var code = 0; code < size.Length; code++)
                if (size[code] > 0) groups[index.Labels[a][code]] = (size[code], readyIn[code]);
            var hidden = Suppress(groups.ToDictionary(g => g.Key, g => g.Value.n, StringComparer.Ordinal), input.AnonymityThreshold);
            if (hidden.Count > 0)
                suppressed.Add(new SuppressedGroup(attribute, "readiness", $"{hidden.Count} group(s) under the anonymity threshold of {input.AnonymityThreshold} (or hidden with them) are not shown."));
            var shown = groups.Where(g => !hidden.Contains(g.Key)).ToList();
            if (shown.Count == 0) continue;
            var best = shown.Max(g => (double)g.Value.ready / g.Value.n);
            foreach (var (group, (n, readyCount)) in shown.OrderBy(g => g.Key, StringComparer.Ordinal))
                rates.Add(new GroupReadiness(attribute, group, n, readyCount, (double)readyCount / n, best > 0 ? (double)readyCount / n / best : null));
        }
        return rates;
    }

    // ------------------------------------------------------------ recognition

    /// <summary>Running counts of one recognised value; givers and recipients are counted once each, by position.</summary>
    private sealed class ValueCounts(int people, int departments)
    {
        public int Count, Givers, Recipients, Manager, Report, Peer;
        /// <summary>Who gave and who received it, by position (pooled: returned by <see cref="Release"/>).</summary>
        public readonly bool[] Gave = Cleared(people), Received = Cleared(people);
        /// <summary>Ids that are not among the people, counted by name.</summary>
        public readonly HashSet<string> OtherGivers = new(StringComparer.Ordinal), OtherRecipients = new(StringComparer.Ordinal);
        public readonly int[] ByDepartment = new int[departments];
        public readonly Dictionary<int, int> ByHalfYear = [];

        private static bool[] Cleared(int length)
        {
            var array = ArrayPool<bool>.Shared.Rent(length);
            Array.Clear(array, 0, length);
            return array;
        }

        public void Release()
        {
            ArrayPool<bool>.Shared.Return(Gave);
            ArrayPool<bool>.Shared.Return(Received);
        }
    }

    private static RecognitionMap Recognition(AuditInput input, PeopleIndex index)
    {
        var people = index.People;
        var departmentCodes = index.Codes[DepartmentAttribute];
        var departmentLabels = index.Labels[DepartmentAttribute];
        var unknownDepartment = index.NotRecordedCode(DepartmentAttribute);
        var valueOf = new Dictionary<string, ValueCounts>(StringComparer.Ordinal);
        string? lastValue = null;
        ValueCounts? agg = null;
        foreach (var r in input.Recognitions)
        {
            if (!ReferenceEquals(r.Value, lastValue) && r.Value != lastValue || agg is null)
            {
                if (!valueOf.TryGetValue(r.Value, out agg)) valueOf.Add(r.Value, agg = new ValueCounts(people.Count, departmentLabels.Count));
                lastValue = r.Value;
            }
            agg.Count++;
            var from = index.Of(r.FromId);
            var to = index.Of(r.ToId);
            if (from >= 0) { if (!agg.Gave[from]) { agg.Gave[from] = true; agg.Givers++; } }
            else if (agg.OtherGivers.Add(r.FromId)) agg.Givers++;
            if (to >= 0) { if (!agg.Received[to]) { agg.Received[to] = true; agg.Recipients++; } }
            else if (agg.OtherRecipients.Add(r.ToId)) agg.Recipients++;
            if (to >= 0 && people[to].ManagerId == r.FromId) agg.Manager++;
            else if (from >= 0 && people[from].ManagerId == r.ToId) agg.Report++;
            else agg.Peer++;
            agg.ByDepartment[to >= 0 ? departmentCodes[to] : unknownDepartment]++;
            // Half-years as integers while counting: formatting a string per recognition costs more than the count.
            var half = r.GivenOn.Year * 2 + (r.GivenOn.Month <= 6 ? 0 : 1);
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(agg.ByHalfYear, half, out _)++;
        }
        foreach (var counts in valueOf.Values) counts.Release();
        var valueKeys = input.ValueKeys.Concat(valueOf.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var values = valueKeys.Select(v => valueOf.TryGetValue(v, out var a)
            ? new RecognitionValue(v, a.Count, a.Givers, a.Recipients, a.Manager, a.Report, a.Peer)
            : new RecognitionValue(v, 0, 0, 0, 0, 0, 0)).ToList();
        static string Half(int h) => $"{h / 2}-H{h % 2 + 1}";
        var byDepartment = new List<RecognitionCell>();
        var byPeriod = new List<RecognitionCell>();
        foreach (var (value, a) in valueOf.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            for (var d = 0; d < a.ByDepartment.Length; d++)
                if (a.ByDepartment[d] > 0) byDepartment.Add(new RecognitionCell(value, departmentLabels[d], a.ByDepartment[d]));
            foreach (var (half, count) in a.ByHalfYear) byPeriod.Add(new RecognitionCell(value, Half(half), count));
        }
        byDepartment = [.. byDepartment.OrderBy(c => c.Value, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal)];
        byPeriod = [.. byPeriod.OrderBy(c => c.Value, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal)];
        return new RecognitionMap(
            input.Recognitions.Count, values,
            values.Where(v => v.Count == 0).Select(v => v.Value).ToList(),
            byDepartment.Select(c => c.Key).Distinct().Order(StringComparer.Ordinal).ToList(),
            byDepartment,
            byPeriod.Select(c => c.Key).Distinct().Order(StringComparer.Ordinal).ToList(),
            byPeriod);
    }

    // ------------------------------------------------------------ tracks and moves

    private static TrackReality Tracks(AuditInput input, int[] allPerson, PeopleIndex index, Dictionary<string, AuditLevel> levels)
    {
        var headcount = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in input.People)
            if (p.Active) System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(headcount, p.Level, out _)++;
        var ladder = input.Levels.OrderBy(l => l.TrackKind == TrackKinds.PeopleLeader ? 1 : 0).ThenBy(l => l.Track, StringComparer.Ordinal).ThenBy(l => l.Band)
            .Select(l => new TrackBand(l.Track, l.TrackKind, l.Band, l.Key, headcount.GetValueOrDefault(l.Key))).ToList();

        // Time to promotion: from the person's previous promotion in the history, else from their hire date.
        // Candidates in decision order, ties in input order (a stable sort on day·count + position).
        var all = input.Candidates;
        var order = new int[all.Count];
        var keys = new long[all.Count];
        for (var i = 0; i < order.Length; i++) { order[i] = i; keys[i] = (long)all[i].DecidedOn.DayNumber * all.Count + i; }
        Array.Sort(keys, order);
        var previous = new DateOnly?[index.People.Count];
        var previousOthers = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var years = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var candidates = new Dictionary<string, (int n, int promoted)>(StringComparer.Ordinal);
        foreach (var i in order)
        {
            var c = all[i];
            if (!levels.TryGetValue(c.ToLevel, out var to)) continue;
            ref var agg = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(candidates, to.Track, out _);
            agg.n++;
            if (c.Outcome != PromotionOutcomes.Promoted) continue;
            agg.promoted++;
            var person = allPerson[i];
            DateOnly? since = person >= 0 ? previous[person] ?? index.People[person].HireDate
                : previousOthers.TryGetValue(c.EmployeeId, out var p) ? p : null;
            if (since is { } s)
            {
                if (!years.TryGetValue(to.Track, out var list)) years[to.Track] = list = [];
                list.Add((c.DecidedOn.DayNumber - s.DayNumber) / 365.25);
            }
            if (person >= 0) previous[person] = c.DecidedOn;
            else previousOthers[c.EmployeeId] = c.DecidedOn;
        }
        var promotions = input.Levels.GroupBy(l => (l.Track, l.TrackKind)).OrderBy(g => g.Key.TrackKind == TrackKinds.PeopleLeader ? 1 : 0).ThenBy(g => g.Key.Track, StringComparer.Ordinal)
            .Select(g =>
            {
                var (n, promoted) = candidates.GetValueOrDefault(g.Key.Track);
                double? median = years.TryGetValue(g.Key.Track, out var list) && list.Count > 0 ? Math.Round(Quantile(list.Order().ToArray(), 0.5), 2) : null;
                return new TrackPromotions(g.Key.Track, g.Key.TrackKind, n, promoted, median);
            }).ToList();
        return new TrackReality(ladder, promotions);
    }

    private static List<MoveSummary> Moves(IReadOnlyList<AuditCandidate> all, List<string> cycleNames, List<List<int>> cycleMembers, Dictionary<string, AuditLevel> levels)
    {
        bool IsLeader(string level) => levels.TryGetValue(level, out var l) && l.TrackKind == TrackKinds.PeopleLeader;
        bool IsExpert(string level) => levels.TryGetValue(level, out var l) && l.TrackKind != TrackKinds.PeopleLeader;
        var moves = new List<(DateOnly First, MoveSummary Move)>(cycleNames.Count);
        for (var c = 0; c < cycleNames.Count; c++)
        {
            int declined = 0, deferred = 0, returns = 0, expert = 0;
            var first = DateOnly.MaxValue;
            foreach (var i in cycleMembers[c])
            {
                var candidate = all[i];
                if (candidate.DecidedOn < first) first = candidate.DecidedOn;
                switch (candidate.Outcome)
                {
                    case PromotionOutcomes.Declined: declined++; break;
                    case PromotionOutcomes.Deferred: deferred++; break;
                    case PromotionOutcomes.Promoted when IsExpert(candidate.ToLevel):
                        // A people leader moved onto the expert track: the no-stigma way back; else advancement that needed no direct reports.
                        if (IsLeader(candidate.FromLevel)) returns++;
                        else if (IsExpert(candidate.FromLevel)) expert++;
                        break;
                }
            }
            moves.Add((first, new MoveSummary(cycleNames[c], declined, deferred, returns, expert)));
        }
        return moves.OrderBy(m => m.First).ThenBy(m => m.Move.Cycle, StringComparer.Ordinal).Select(m => m.Move).ToList();
    }

    /// <summary>Levels of a framework as the audit needs them: the expected values score is the mean of the level's expectations.</summary>
    public static IReadOnlyList<AuditLevel> LevelsOf(CareerFramework framework) =>
        framework.Tracks.SelectMany(t => t.Levels.Select(l => new AuditLevel(
            l.Key, t.Key, t.Kind, l.Band,
            l.Expectations.Count > 0 ? l.Expectations.Values.Average() : null,
            l.Scope.MaxDirectReports))).ToList();
}
