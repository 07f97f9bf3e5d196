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
        var people = new Dictionary<string, AuditPerson>(input.People.Count, StringComparer.Ordinal);
        foreach (var person in input.People) people[person.Id] = person;
        var levels = input.Levels.ToDictionary(l => l.Key, StringComparer.Ordinal);
        var notes = new List<string>();

        var all = input.Candidates;
        var scoped = input.Cycle is null ? all : all.Where(c => c.Cycle == input.Cycle).ToList();

        var cycles = scoped.GroupBy(c => c.Cycle)
            .Select(g => new CycleSummary(g.Key, g.Count(),
                g.Count(c => c.Outcome == PromotionOutcomes.Promoted),
                g.Count(c => c.Outcome == PromotionOutcomes.Declined),
                g.Count(c => c.Outcome == PromotionOutcomes.Deferred),
                g.Max(c => c.DecidedOn),
                g.Count(c => c.Outcome == PromotionOutcomes.NotPromoted)))
            .OrderBy(c => c.DecidedOn).ThenBy(c => c.Cycle, StringComparer.Ordinal).ToList();

        // Declined and deferred candidates chose not to be decided on: they are not "not promoted".
        var decided = scoped.Where(c => c.Outcome is PromotionOutcomes.Promoted or PromotionOutcomes.NotPromoted).ToList();

        var pooled = FitDrivers(decided, options);
        if (pooled.ExcludedMissing > 0)
            notes.Add($"{pooled.ExcludedMissing} of {decided.Count} decided candidates had no values or results score as of their decision and were left out of the regression.");
        var byCycle = cycles.Select(c => new SegmentFit(c.Cycle, FitDrivers(decided.Where(d => d.Cycle == c.Cycle).ToList(), options))).ToList();
        var byDepartment = decided
            .GroupBy(c => people.TryGetValue(c.EmployeeId, out var p) ? p.Department ?? NotRecorded : NotRecorded)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SegmentFit(g.Key, FitDrivers(g.ToList(), options)))
            .ToList();

        var flags = Flags(scoped, input.Concerns, levels, options);
        var (span, distribution) = SpanOfControl(input, levels);
        var suppressed = new List<SuppressedGroup>();
        var groups = GroupRates(decided, people, input.AnonymityThreshold, options, suppressed);
        var readiness = ReadinessRates(input, suppressed);

        return new AuditReport(
            input.AsOf, cycles, pooled, pooled.SayDoIndex, flags, span, groups,
            SayDoReading(pooled), byCycle, byDepartment, distribution, input.MaxDirectReports,
            Recognition(input, people), Tracks(input, levels, people), Moves(scoped, levels), readiness, suppressed, notes);
    }

    // ------------------------------------------------------------ drivers

    public static DriverFit FitDrivers(IReadOnlyList<AuditCandidate> decided, AuditOptions options)
    {
        var usable = decided.Where(c => c.ValuesScore is not null && c.ResultsScore is not null).ToList();
        var excluded = decided.Count - usable.Count;
        var n = usable.Count;
        var promoted = usable.Count(c => c.Outcome == PromotionOutcomes.Promoted);
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

        var results = Standardise(usable.Select(c => c.ResultsScore!.Value).ToArray());
        var values = Standardise(usable.Select(c => c.ValuesScore!.Value).ToArray());
        var tenure = Standardise(usable.Select(c => c.TenureYears).ToArray());
        foreach (var (name, column) in new[] { ("results", results), ("values", values), ("tenure", tenure) })
            if (column is null) return Skip($"every candidate has the same {name}, so its effect cannot be estimated");

        var outcome = usable.Select(c => c.Outcome == PromotionOutcomes.Promoted).ToArray();
        var fit = LogisticRegression.Fit([results!, values!, tenure!], outcome);
        if (!fit.HasEstimates)
            return new(n, promoted, null, null, null, fit.Status, fit.Note, excluded, null);
        DriverEffect Or(Coefficient c) => new(c.OddsRatio, [c.CiLow, c.CiHigh], c.P, c.Beta, c.StandardError);
        var bResults = fit.Coefficients[1].Beta;
        var bValues = fit.Coefficients[2].Beta;
        var denominator = Math.Abs(bValues) + Math.Abs(bResults);
        double? sayDo = denominator > 0 ? Math.Abs(bValues) / denominator : null;
        return new(n, promoted, Or(fit.Coefficients[1]), Or(fit.Coefficients[2]), Or(fit.Coefficients[3]), fit.Status, fit.Note, excluded, sayDo);
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

    private static List<AuditFlag> Flags(IReadOnlyList<AuditCandidate> candidates, IReadOnlyList<AuditConcern> concerns,
        Dictionary<string, AuditLevel> levels, AuditOptions options)
    {
        var concernsByPerson = concerns.Where(c => c.Substantiated).GroupBy(c => c.EmployeeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.RecordedOn).ToList(), StringComparer.Ordinal);
        var flags = new List<AuditFlag>();
        foreach (var cycle in candidates.GroupBy(c => c.Cycle))
        {
            var withValues = cycle.Where(c => c.ValuesScore is not null).Select(c => c.ValuesScore!.Value).Order().ToArray();
            var withResults = cycle.Where(c => c.ResultsScore is not null).Select(c => c.ResultsScore!.Value).Order().ToArray();
            double? bottomValues = withValues.Length >= 10 ? Quantile(withValues, options.LowValuesBottomShare) : null;
            double? medianValues = withValues.Length >= 2 ? Quantile(withValues, 0.5) : null;
            double? topResults = withResults.Length >= 4 ? Quantile(withResults, 1 - options.TopResultsShare) : null;

            foreach (var c in cycle.Where(c => c.Outcome == PromotionOutcomes.Promoted))
            {
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
    public static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------ span of control

    private static (List<SpanOutlier>, List<SpanBucket>) SpanOfControl(AuditInput input, Dictionary<string, AuditLevel> levels)
    {
        var active = input.People.Where(p => p.Active).ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in active)
            if (p.ManagerId is { } m) counts[m] = counts.GetValueOrDefault(m) + 1;
        var byId = active.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var outliers = new List<SpanOutlier>();
        foreach (var (manager, count) in counts)
        {
            if (!byId.TryGetValue(manager, out var person)) continue;
            int? levelLimit = levels.TryGetValue(person.Level, out var level) && level.MaxDirectReports > 0 ? level.MaxDirectReports : null;
            if (count > input.MaxDirectReports || count > (levelLimit ?? int.MaxValue))
                outliers.Add(new SpanOutlier(manager, count, input.MaxDirectReports, levelLimit, person.Level));
        }
        var distribution = counts.Where(c => byId.ContainsKey(c.Key)).GroupBy(c => c.Value).OrderBy(g => g.Key)
            .Select(g => new SpanBucket(g.Key, g.Count(), g.Key > input.MaxDirectReports)).ToList();
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

    private static List<GroupRate> GroupRates(List<AuditCandidate> decided, Dictionary<string, AuditPerson> people, int threshold,
        AuditOptions options, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupRate>();
        var totalPromoted = decided.Count(c => c.Outcome == PromotionOutcomes.Promoted);
        foreach (var attribute in GroupAttributes)
        {
            var labelled = decided.Select(c => (c, group: AttributeOf(people.GetValueOrDefault(c.EmployeeId), attribute))).ToList();
            if (labelled.All(l => l.group is null)) continue; // attribute not in the data
            var groups = labelled.GroupBy(l => l.group ?? NotRecorded, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (n: g.Count(), promoted: g.Count(l => l.c.Outcome == PromotionOutcomes.Promoted)), StringComparer.Ordinal);
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

    private static List<GroupReadiness> ReadinessRates(AuditInput input, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupReadiness>();
        if (input.Readiness.Count == 0) return rates;
        var band = input.Readiness.ToDictionary(r => r.EmployeeId, r => r.Band, StringComparer.Ordinal);
        var active = input.People.Where(p => p.Active && band.ContainsKey(p.Id)).ToList();
        foreach (var attribute in GroupAttributes)
        {
            if (active.All(p => AttributeOf(p, attribute) is null)) continue;
            var groups = active.GroupBy(p => AttributeOf(p, attribute) ?? NotRecorded, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (n: g.Count(), ready: g.Count(p => band[p.Id] == Readiness.ReadinessBands.Ready)), StringComparer.Ordinal);
            var hidden = Suppress(groups.ToDictionary(g => g.Key, g => g.Value.n, StringComparer.Ordinal), input.AnonymityThreshold);
            if (hidden.Count > 0)
                suppressed.Add(new SuppressedGroup(attribute, "readiness", $"{hidden.Count} group(s) under the anonymity threshold of {input.AnonymityThreshold} (or hidden with them) are not shown."));
            var shown = groups.Where(g => !hidden.Contains(g.Key)).ToList();
            if (shown.Count == 0) continue;
            var best = shown.Max(g => (double)g.Value.ready / g.Value.n);
            foreach (var (group, (n, ready)) in shown.OrderBy(g => g.Key, StringComparer.Ordinal))
                rates.Add(new GroupReadiness(attribute, group, n, ready, (double)ready / n, best > 0 ? (double)ready / n / best : null));
        }
        return rates;
    }

    // ------------------------------------------------------------ recognition

    private static RecognitionMap Recognition(AuditInput input, Dictionary<string, AuditPerson> people)
    {
        var perValue = new Dictionary<string, (int count, HashSet<string> givers, HashSet<string> recipients, int manager, int report, int peer)>(StringComparer.Ordinal);
        var byDepartment = new Dictionary<(string, string), int>();
        var byHalfYear = new Dictionary<(string, int), int>();
        foreach (var r in input.Recognitions)
        {
            if (!perValue.TryGetValue(r.Value, out var agg))
                agg = (0, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), 0, 0, 0);
            agg.count++;
            agg.givers.Add(r.FromId);
            agg.recipients.Add(r.ToId);
            var to = people.GetValueOrDefault(r.ToId);
            var from = people.GetValueOrDefault(r.FromId);
            if (to?.ManagerId == r.FromId) agg.manager++;
            else if (from?.ManagerId == r.ToId) agg.report++;
            else agg.peer++;
            perValue[r.Value] = agg;
            var department = to?.Department ?? NotRecorded;
            byDepartment[(r.Value, department)] = byDepartment.GetValueOrDefault((r.Value, department)) + 1;
            // Half-years as integers while counting: formatting a string per recognition costs more than the count.
            var half = r.GivenOn.Year * 2 + (r.GivenOn.Month <= 6 ? 0 : 1);
            byHalfYear[(r.Value, half)] = byHalfYear.GetValueOrDefault((r.Value, half)) + 1;
        }
        var valueKeys = input.ValueKeys.Concat(perValue.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var values = valueKeys.Select(v => perValue.TryGetValue(v, out var a)
            ? new RecognitionValue(v, a.count, a.givers.Count, a.recipients.Count, a.manager, a.report, a.peer)
            : new RecognitionValue(v, 0, 0, 0, 0, 0, 0)).ToList();
        static string Half(int h) => $"{h / 2}-H{h % 2 + 1}";
        var byPeriod = byHalfYear.ToDictionary(k => (k.Key.Item1, Half(k.Key.Item2)), k => k.Value);
        var departments = byDepartment.Keys.Select(k => k.Item2).Distinct().Order(StringComparer.Ordinal).ToList();
        var periods = byPeriod.Keys.Select(k => k.Item2).Distinct().Order(StringComparer.Ordinal).ToList();
        return new RecognitionMap(
            input.Recognitions.Count, values,
            values.Where(v => v.Count == 0).Select(v => v.Value).ToList(),
            departments,
            byDepartment.OrderBy(k => k.Key.Item1, StringComparer.Ordinal).ThenBy(k => k.Key.Item2, StringComparer.Ordinal)
                .Select(k => new RecognitionCell(k.Key.Item1, k.Key.Item2, k.Value)).ToList(),
            periods,
            byPeriod.OrderBy(k => k.Key.Item1, StringComparer.Ordinal).ThenBy(k => k.Key.Item2, StringComparer.Ordinal)
                .Select(k => new RecognitionCell(k.Key.Item1, k.Key.Item2, k.Value)).ToList());
    }

    // ------------------------------------------------------------ tracks and moves

    private static TrackReality Tracks(AuditInput input, Dictionary<string, AuditLevel> levels, Dictionary<string, AuditPerson> people)
    {
        var headcount = input.People.Where(p => p.Active).GroupBy(p => p.Level, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var ladder = input.Levels.OrderBy(l => l.TrackKind == TrackKinds.PeopleLeader ? 1 : 0).ThenBy(l => l.Track, StringComparer.Ordinal).ThenBy(l => l.Band)
            .Select(l => new TrackBand(l.Track, l.TrackKind, l.Band, l.Key, headcount.GetValueOrDefault(l.Key))).ToList();

        // Time to promotion: from the person's previous promotion in the history, else from their hire date.
        var previous = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var years = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var candidates = new Dictionary<string, (int n, int promoted)>(StringComparer.Ordinal);
        foreach (var c in input.Candidates.OrderBy(c => c.DecidedOn))
        {
            if (!levels.TryGetValue(c.ToLevel, out var to)) continue;
            var agg = candidates.GetValueOrDefault(to.Track);
            agg.n++;
            if (c.Outcome != PromotionOutcomes.Promoted) { candidates[to.Track] = agg; continue; }
            agg.promoted++;
            candidates[to.Track] = agg;
            var since = previous.TryGetValue(c.EmployeeId, out var p) ? p
                : people.TryGetValue(c.EmployeeId, out var person) ? person.HireDate : (DateOnly?)null;
            if (since is { } s)
            {
                if (!years.TryGetValue(to.Track, out var list)) years[to.Track] = list = [];
                list.Add((c.DecidedOn.DayNumber - s.DayNumber) / 365.25);
            }
            previous[c.EmployeeId] = c.DecidedOn;
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

    private static List<MoveSummary> Moves(IReadOnlyList<AuditCandidate> candidates, Dictionary<string, AuditLevel> levels)
    {
        bool IsLeader(string level) => levels.TryGetValue(level, out var l) && l.TrackKind == TrackKinds.PeopleLeader;
        bool IsExpert(string level) => levels.TryGetValue(level, out var l) && l.TrackKind != TrackKinds.PeopleLeader;
        return candidates.GroupBy(c => c.Cycle).OrderBy(g => g.Min(c => c.DecidedOn)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MoveSummary(g.Key,
                g.Count(c => c.Outcome == PromotionOutcomes.Declined),
                g.Count(c => c.Outcome == PromotionOutcomes.Deferred),
                // A people leader moved onto the expert track: the no-stigma way back.
                g.Count(c => c.Outcome == PromotionOutcomes.Promoted && IsLeader(c.FromLevel) && IsExpert(c.ToLevel)),
                // Advancement that needed no direct reports.
                g.Count(c => c.Outcome == PromotionOutcomes.Promoted && IsExpert(c.FromLevel) && IsExpert(c.ToLevel))))
            .ToList();
    }

    /// <summary>Levels of a framework as the audit needs them: the expected values score is the mean of the level's expectations.</summary>
    public static IReadOnlyList<AuditLevel> LevelsOf(CareerFramework framework) =>
        framework.Tracks.SelectMany(t => t.Levels.Select(l => new AuditLevel(
            l.Key, t.Key, t.Kind, l.Band,
            l.Expectations.Count > 0 ? l.Expectations.Values.Average() : null,
            l.Scope.MaxDirectReports))).ToList();
}
