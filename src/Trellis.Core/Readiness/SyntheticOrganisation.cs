namespace Trellis.Core.Readiness;

/// <summary>
/// A synthetic organisation with planted truth, for testing and benchmarking the engine: true behaviour levels
/// per person, rater leniency (one department rates leniently), self-inflation, and very uneven evidence per person.
/// Deterministic for a given seed. Observations come grouped by subject, as the app loads them.
/// </summary>
public sealed class SyntheticOrganisation
{
    public required int Persons { get; init; }
    public required int Behaviors { get; init; }
    public required ObservationTable Observations { get; init; }
    /// <summary>True level per cell (person × behaviour), on the rating scale.</summary>
    public required double[] TrueLevel { get; init; }
    /// <summary>Planted leniency (+) or severity (−) of each person as a rater.</summary>
    public required double[] TrueLeniency { get; init; }
    public required int[] Department { get; init; }
    public required DateOnly AsOf { get; init; }
    /// <summary>The department whose members rate leniently (with more lenient departments, they are 0, 1, …).</summary>
    public const int LenientDepartment = 0;
    public const double DepartmentLeniency = 0.5;
    public const double SelfInflation = 0.6;

    /// <summary>
    /// The mean planted leniency of the departments (each department's members averaged, then the departments). Ratings
    /// cannot tell an organisation whose raters are all lenient by c from one whose people are all better by c, so any
    /// fit of the model — the engine's or lme4's — measures levels on the scale of the average department's raters:
    /// the planted level plus this offset. Intervals are judged against that anchored truth.
    /// </summary>
    public double ScaleOffset { get; init; }

    /// <summary>True level of a cell on the scale the ratings can identify (see <see cref="ScaleOffset"/>).</summary>
    public double AnchoredLevel(int cell) => TrueLevel[cell] + ScaleOffset;

    /// <summary>True values level of a person on the scale the ratings can identify (see <see cref="ScaleOffset"/>).</summary>
    public double AnchoredValues(int person) => TrueValues(person) + ScaleOffset;

    public double TrueValues(int person)
    {
        double sum = 0;
        for (var b = 0; b < Behaviors; b++) sum += TrueLevel[person * Behaviors + b];
        return sum / Behaviors;
    }

    /// <summary>
    /// Generates an organisation. The shape can be varied without changing the defaults' data: <paramref name="lenientDepartments"/>
    /// departments (0, 1, …) rate <see cref="DepartmentLeniency"/> leniently; each person is rated by a pool of at most
    /// <paramref name="maxRaters"/> raters (2 + evidence/4 below that); evidence per person is log-normal with spread
    /// <paramref name="evidenceSpread"/> (σ of its log; 1 is already very uneven). With <paramref name="managerSpan"/> &gt; 0
    /// each person is rated only by their manager, who leads a team of that many consecutive people (the team's lead by
    /// the next team's lead): feedback from managers alone, where raters and the people they rate are nested.
    /// </summary>
    public static SyntheticOrganisation Generate(int persons, long observations, int seed, int behaviors = 10, int departments = 10, double noise = 0.5,
        int lenientDepartments = 1, int maxRaters = 40, double evidenceSpread = 1.0, int managerSpan = 0)
    {
        var random = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        var asOf = new DateOnly(2026, 6, 30);
        var department = new int[persons];
        var members = Enumerable.Range(0, departments).Select(_ => new List<int>()).ToArray();
        for (var p = 0; p < persons; p++)
        {
            department[p] = random.Next(departments);
            members[department[p]].Add(p);
        }
        var mu = new double[behaviors];
        for (var b = 0; b < behaviors; b++) mu[b] = 3.0 + 0.2 * Gauss();
        var truth = new double[persons * behaviors];
        for (var p = 0; p < persons; p++)
        {
            var u = 0.45 * Gauss();
            for (var b = 0; b < behaviors; b++) truth[p * behaviors + b] = mu[b] + u + 0.25 * Gauss();
        }
        var leniency = new double[persons];
        for (var p = 0; p < persons; p++) leniency[p] = 0.25 * Gauss() + (department[p] < lenientDepartments ? DepartmentLeniency : 0);

        // Very uneven evidence: log-normal counts (σ = 1), scaled to the requested total.
        var raw = new double[persons];
        for (var p = 0; p < persons; p++) raw[p] = Math.Exp(evidenceSpread * Gauss());
        var scale = observations / raw.Sum();
        var counts = new int[persons];
        long assigned = 0;
        for (var p = 0; p < persons; p++) { counts[p] = (int)(raw[p] * scale); assigned += counts[p]; }
        for (var p = 0; assigned < observations; p = (p + 1) % persons) { counts[p]++; assigned++; }

        var table = new ObservationTable((int)observations);
        var pool = new List<(int Rater, RelationshipCode Relationship)>();
        for (var s = 0; s < persons; s++)
        {
            var n = counts[s];
            if (n == 0) continue;
            pool.Clear();
            var same = members[department[s]];
            if (managerSpan > 0)
            {
                var lead = s / managerSpan * managerSpan;
                pool.Add((lead == s ? (lead + managerSpan) % persons : lead, RelationshipCode.Manager));
            }
            var poolSize = managerSpan > 0 ? 0 : Math.Min(2 + n / 4, maxRaters);
            for (var k = 0; k < poolSize; k++)
            {
                var fromOwn = random.NextDouble() < 0.7 && same.Count > 1;
                var r = fromOwn ? same[random.Next(same.Count)] : random.Next(persons);
                if (r == s) r = (r + 1) % persons;
                var roll = random.NextDouble();
                var relationship = k == 0 ? RelationshipCode.Manager
                    : roll < 0.6 ? RelationshipCode.Peer : roll < 0.8 ? RelationshipCode.Report : roll < 0.9 ? RelationshipCode.SkipLevel : RelationshipCode.Other;
                pool.Add((r, relationship));
            }
            for (var k = 0; k < n; k++)
            {
                var b = random.Next(behaviors);
                var day = asOf.DayNumber - random.Next(730);
                var self = random.NextDouble() < 0.05;
                var (rater, relationship) = self ? (s, RelationshipCode.Self) : pool[random.Next(pool.Count)];
                var bias = self ? SelfInflation : leniency[rater];
                var rating = (int)Math.Round(truth[s * behaviors + b] + bias + noise * Gauss());
                table.Add(s, rater, b, relationship, Math.Clamp(rating, 1, 5), day);
            }
        }
        var departmentLeniency = members.Where(m => m.Count > 0).Select(m => m.Average(p => leniency[p])).ToArray();
        return new SyntheticOrganisation
        {
            ScaleOffset = departmentLeniency.Length > 0 ? departmentLeniency.Average() : 0,
            Persons = persons, Behaviors = behaviors, Observations = table, TrueLevel = truth, TrueLeniency = leniency,
            Department = department, AsOf = asOf,
        };
    }

    /// <summary>Spearman rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var idx = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (var i = 0; i < idx.Length;)
        {
            var j = i;
            while (j + 1 < idx.Length && v[idx[j + 1]] == v[idx[i]]) j++;
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++) ranks[idx[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}
