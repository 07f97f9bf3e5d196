using Trellis.Core.Readiness;
using Xunit.Abstractions;

namespace Trellis.Core.Tests.Readiness;

/// <summary>The engine against planted truth: ranking, leniency recovery and interval coverage.</summary>
public sealed class SyntheticOrganisationTests(ITestOutputHelper output)
{
    private static readonly Lazy<(SyntheticOrganisation Org, ReadinessModel Model)> Fitted = new(() =>
    {
        var org = SyntheticOrganisation.Generate(persons: 2000, observations: 60_000, seed: 7);
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, new ReadinessOptions { AsOf = org.AsOf }, org.Department);
        return (org, model);
    });

    [Fact]
    public void Engine_ranks_people_against_the_truth_clearly_better_than_the_plain_mean()
    {
        var (org, model) = Fitted.Value;
        var obs = org.Observations;
        var sum = new double[org.Persons];
        var count = new int[org.Persons];
        var sumOthers = new double[org.Persons];
        var countOthers = new int[org.Persons];
        for (var i = 0; i < obs.Count; i++)
        {
            sum[obs.Subject[i]] += obs.Rating[i];
            count[obs.Subject[i]]++;
            if (obs.Relationship[i] == (byte)RelationshipCode.Self) continue;
            sumOthers[obs.Subject[i]] += obs.Rating[i];
            countOthers[obs.Subject[i]]++;
        }
        var people = Enumerable.Range(0, org.Persons).Where(p => countOthers[p] > 0).ToArray();
        var truth = people.Select(org.TrueValues).ToArray();
        var engine = SyntheticOrganisation.Spearman(people.Select(model.ValuesScore).ToArray(), truth);
        var plain = SyntheticOrganisation.Spearman(people.Select(p => sum[p] / count[p]).ToArray(), truth);
        var plainOthers = SyntheticOrganisation.Spearman(people.Select(p => sumOthers[p] / countOthers[p]).ToArray(), truth);
        output.WriteLine($"people {people.Length}, observations {obs.Count}, sweeps {model.Iterations}");
        output.WriteLine($"Spearman with true values level: engine {engine:F3}, plain mean of all ratings {plain:F3}, plain mean without self-ratings {plainOthers:F3}");
        output.WriteLine($"department leniency: {string.Join(", ", Enumerable.Range(0, 10).Select(g => model.GroupLeniency(g).ToString("F2")))}");
        output.WriteLine($"variance components: σ² {model.ResidualVariance:F3}, τu² {model.PersonVariance:F3}, τv² {model.PersonBehaviorVariance:F3}, σb² {model.RaterVariance:F3}, τg² {model.GroupVariance:F3}");
        // "Clearly better": the engine's rank disagreement with the truth (1 − ρ) is at most three quarters of the plain mean's.
        Assert.True(1 - engine <= 0.75 * (1 - plain), $"engine {engine:F3} should clearly beat the plain mean {plain:F3}");
        Assert.True(1 - engine <= 0.75 * (1 - plainOthers), $"engine {engine:F3} should clearly beat the plain non-self mean {plainOthers:F3}");
        Assert.True(engine > 0.85, $"engine correlation {engine:F3}");
    }

    [Fact]
    public void Engine_ranks_behaviours_better_than_the_plain_mean()
    {
        var (org, model) = Fitted.Value;
        var obs = org.Observations;
        var sum = new double[org.Persons * org.Behaviors];
        var count = new int[sum.Length];
        for (var i = 0; i < obs.Count; i++)
        {
            if (obs.Relationship[i] == (byte)RelationshipCode.Self) continue;
            var c = obs.Subject[i] * org.Behaviors + obs.Behavior[i];
            sum[c] += obs.Rating[i];
            count[c]++;
        }
        var cells = Enumerable.Range(0, sum.Length).Where(c => count[c] > 0).ToArray();
        var truth = cells.Select(c => org.TrueLevel[c]).ToArray();
        var engine = SyntheticOrganisation.Spearman(cells.Select(c => model.Score(c / org.Behaviors, c % org.Behaviors)).ToArray(), truth);
        var plain = SyntheticOrganisation.Spearman(cells.Select(c => sum[c] / count[c]).ToArray(), truth);
        output.WriteLine($"cells with evidence {cells.Length}: Spearman engine {engine:F3}, plain non-self mean {plain:F3}");
        Assert.True(engine > plain + 0.05, $"engine {engine:F3} vs plain {plain:F3}");
    }

    [Fact]
    public void Planted_leniency_is_recovered()
    {
        var (org, model) = Fitted.Value;
        var raters = Enumerable.Range(0, org.Persons).Where(r => model.RatingsGiven(r) >= 20).ToArray();
        var lenient = raters.Where(r => org.Department[r] == SyntheticOrganisation.LenientDepartment).Select(model.Leniency).Average();
        var others = raters.Where(r => org.Department[r] != SyntheticOrganisation.LenientDepartment).Select(model.Leniency).Average();
        // Leniency as it actually shows in the ratings (rounding to whole points and the 1–5 bounds absorb some of the planted amount).
        var shown = new double[org.Persons];
        var shownCount = new int[org.Persons];
        var obs = org.Observations;
        for (var i = 0; i < obs.Count; i++)
        {
            if (obs.Relationship[i] == (byte)RelationshipCode.Self) continue;
            shown[obs.Rater[i]] += obs.Rating[i] - org.TrueLevel[obs.Subject[i] * org.Behaviors + obs.Behavior[i]];
            shownCount[obs.Rater[i]]++;
        }
        var shownLenient = raters.Where(r => org.Department[r] == SyntheticOrganisation.LenientDepartment).Average(r => shown[r] / shownCount[r]);
        var shownOthers = raters.Where(r => org.Department[r] != SyntheticOrganisation.LenientDepartment).Average(r => shown[r] / shownCount[r]);
        output.WriteLine($"leniency shown in the ratings (mean rating − true level): lenient department {shownLenient:F3}, others {shownOthers:F3}");
        var correlation = Pearson(raters.Select(model.Leniency).ToArray(), raters.Select(r => org.TrueLeniency[r]).ToArray());
        output.WriteLine($"raters with ≥ 20 ratings: {raters.Length}; mean estimated leniency: lenient department {lenient:F3}, others {others:F3} (planted difference {SyntheticOrganisation.DepartmentLeniency}); correlation with planted {correlation:F3}");
        Assert.InRange(lenient - others, shownLenient - shownOthers - 0.1, shownLenient - shownOthers + 0.1);
        Assert.InRange(model.GroupLeniency(SyntheticOrganisation.LenientDepartment), 0.3, 0.7);
        Assert.True(correlation > 0.8, $"correlation {correlation:F3}");
    }

    [Fact]
    public void Intervals_cover_the_truth_about_95_percent_of_the_time()
    {
        var (org, model) = Fitted.Value;
        int cells = 0, covered = 0, persons = 0, personsCovered = 0;
        var z = Normal.Quantile(0.975);
        for (var p = 0; p < org.Persons; p++)
        {
            if (model.EvidenceCount(p) == 0) continue;
            persons++;
            var half = z * Math.Sqrt(model.ValuesVariance(p));
            if (Math.Abs(model.ValuesScore(p) - org.AnchoredValues(p)) <= half) personsCovered++;
            for (var b = 0; b < org.Behaviors; b++)
            {
                if (model.EvidenceCount(p, b) == 0) continue;
                cells++;
                if (Math.Abs(model.Score(p, b) - org.AnchoredLevel(p * org.Behaviors + b)) <= z * Math.Sqrt(model.Variance(p, b))) covered++;
            }
        }
        var cellCoverage = (double)covered / cells;
        var personCoverage = (double)personsCovered / persons;
        output.WriteLine($"95% interval coverage: behaviour scores {cellCoverage:P1} of {cells}; values scores {personCoverage:P1} of {persons}");
        Assert.InRange(cellCoverage, 0.92, 0.98);
        Assert.InRange(personCoverage, 0.92, 0.98);
    }

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
