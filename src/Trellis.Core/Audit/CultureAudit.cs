using Trellis.Core.Framework;

namespace Trellis.Core.Audit;

/// <summary>
/// The culture audit, "what are you promoting?": pure statistics over the promotion history and the evidence
/// as it stood at each decision. Deterministic: the same input gives the same report.
/// </summary>
public static partial class CultureAudit
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
        // Per department as in the fairness section: a department with fewer decided candidates than the anonymity
        // threshold is not shown (its promoted count would be about a handful of named people), nor the next-smallest
        // when the hidden ones would otherwise be the pooled total minus the shown ones.
        var suppressed = new List<SuppressedGroup>();
        var departmentSizes = Enumerable.Range(0, decidedByDepartment.Length).Where(d => decidedByDepartment[d] is not null)
            .ToDictionary(d => index.Labels[DepartmentAttribute][d], d => decidedByDepartment[d].Count, StringComparer.Ordinal);
        var hiddenDepartments = Suppress(departmentSizes, input.AnonymityThreshold);
        if (hiddenDepartments.Count > 0)
            suppressed.Add(new SuppressedGroup("department", "drivers", $"{hiddenDepartments.Count} department(s) with fewer decided candidates than the anonymity threshold of {input.AnonymityThreshold} (or hidden with them) are not shown."));
        var departments = Enumerable.Range(0, decidedByDepartment.Length)
            .Where(d => decidedByDepartment[d] is not null && !hiddenDepartments.Contains(index.Labels[DepartmentAttribute][d]))
            .OrderBy(d => index.Labels[DepartmentAttribute][d], StringComparer.Ordinal).ToList();
        foreach (var d in departments) segments.Add((index.Labels[DepartmentAttribute][d], decidedByDepartment[d]));
        var fits = new DriverFit[segments.Count];
        Parallel.For(0, segments.Count, s => fits[s] = FitDrivers(columns, segments[s].Rows, options));
        var byCycle = Enumerable.Range(0, cycles.Count).Select(s => new SegmentFit(segments[s].Name, fits[s])).ToList();
        var byDepartment = Enumerable.Range(cycles.Count, departments.Count).Select(s => new SegmentFit(segments[s].Name, fits[s])).ToList();

        var flags = Flags(all, cycleMembers, input.Concerns, levels, options);
        var (span, distribution) = SpanOfControl(input, index, levels);
        var groups = GroupRates(all, allPerson, decided, index, input.AnonymityThreshold, options, suppressed);
        var readiness = ReadinessRates(input, index, suppressed);
        var tracks = Tracks(input, allPerson, index, levels);
        var moves = Moves(all, cycleNames, cycleMembers, levels);

        var recognised = recognition.GetAwaiter().GetResult();
        return new AuditReport(
            input.AsOf, cycles, pooled, pooled.SayDoIndex, flags, span, groups,
            SayDoReading(pooled), byCycle, byDepartment, distribution, input.MaxDirectReports,
            recognised, tracks, moves, TrackReturnsByYear(input), readiness, suppressed, notes)
        {
            PromotionStories = Celebrated(input, pooled, recognised),
        };
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

    // ------------------------------------------------------------ shared helpers

    /// <summary>Linear-interpolation quantile of a sorted array (type 7, as numpy and R's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Levels of a framework as the audit needs them: the expected values score is the mean of the level's expectations.</summary>
    public static IReadOnlyList<AuditLevel> LevelsOf(CareerFramework framework) =>
        framework.Tracks.SelectMany(t => t.Levels.Select(l => new AuditLevel(
            l.Key, t.Key, t.Kind, l.Band,
            l.Expectations.Count > 0 ? l.Expectations.Values.Average() : null,
            l.Scope.MaxDirectReports))).ToList();
}
