using Trellis.Core.Readiness;
using Xunit.Abstractions;

namespace Trellis.Core.Tests.Readiness;

/// <summary>
/// Honest intervals (issue 18): on generated organisations with planted truth, the 95% intervals of the person ×
/// behaviour cells and of the values scores cover the truth 92–98% of the time, for several seeds and shapes.
/// Coverage is reported with the mean width of the intervals, so that wider-than-needed intervals show too. The truth
/// is the planted level on the scale the ratings identify (<see cref="SyntheticOrganisation.ScaleOffset"/>).
/// </summary>
public sealed class IntervalCoverageTests(ITestOutputHelper output)
{
    public static TheoryData<string> Shapes => ["typical", "lenient departments", "few raters", "very uneven evidence", "small organisation", "managers only"];

    internal static SyntheticOrganisation Organisation(string shape) => shape switch
    {
        // The shape of the comparison with lme4: 3,000 people, about 36,000 observations, one lenient department.
        "typical" => SyntheticOrganisation.Generate(persons: 3000, observations: 36_000, seed: 101),
        "lenient departments" => SyntheticOrganisation.Generate(persons: 2000, observations: 40_000, seed: 102, lenientDepartments: 4),
        // Two or three raters behind each person, each rating many people.
        "few raters" => SyntheticOrganisation.Generate(persons: 2000, observations: 30_000, seed: 103, maxRaters: 3),
        // Log-normal evidence with σ = 2: most people have a handful of ratings, a few have hundreds.
        "very uneven evidence" => SyntheticOrganisation.Generate(persons: 2000, observations: 30_000, seed: 104, evidenceSpread: 2.0),
        // 150 people: the variance components themselves are uncertain.
        "small organisation" => SyntheticOrganisation.Generate(persons: 150, observations: 2_500, seed: 105, departments: 4),
        // Everyone rated by their manager alone (teams of 8): raters and the people they rate are nested, so what a rater's
        // ratings say about its leniency is mostly what they say about its team, and σb² must count that.
        "managers only" => SyntheticOrganisation.Generate(persons: 2000, observations: 24_000, seed: 106, managerSpan: 8),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Theory, MemberData(nameof(Shapes))]
    public void Intervals_cover_the_planted_truth_95_percent_of_the_time(string shape)
    {
        var org = Organisation(shape);
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, new ReadinessOptions { AsOf = org.AsOf }, org.Department);
        var z = Normal.Quantile(0.975);
        int cells = 0, cellsCovered = 0, persons = 0, personsCovered = 0;
        double cellWidth = 0, personWidth = 0, cellZ2 = 0, personZ2 = 0;
        for (var p = 0; p < org.Persons; p++)
        {
            if (model.EvidenceCount(p) == 0) continue;
            persons++;
            var sd = Math.Sqrt(model.ValuesVariance(p));
            var error = model.ValuesScore(p) - org.AnchoredValues(p);
            if (Math.Abs(error) <= z * sd) personsCovered++;
            personWidth += 2 * z * sd;
            personZ2 += error * error / (sd * sd);
            for (var b = 0; b < org.Behaviors; b++)
            {
                if (model.EvidenceCount(p, b) == 0) continue;
                cells++;
                var cellSd = Math.Sqrt(model.Variance(p, b));
                var cellError = model.Score(p, b) - org.AnchoredLevel(p * org.Behaviors + b);
                if (Math.Abs(cellError) <= z * cellSd) cellsCovered++;
                cellWidth += 2 * z * cellSd;
                cellZ2 += cellError * cellError / (cellSd * cellSd);
            }
        }
        double cellCoverage = (double)cellsCovered / cells, personCoverage = (double)personsCovered / persons;
        output.WriteLine($"{shape}: {org.Persons} people, levels anchored on the average department's raters (+{org.ScaleOffset:F3} on the planted ones)");
        output.WriteLine($"  {org.Persons} people, {model.ObservationsUsed} observations used, {model.Iterations} sweeps");
        output.WriteLine($"  cells with evidence {cells}: coverage {cellCoverage:P1}, mean width {cellWidth / cells:F3}, SD of standardised errors {Math.Sqrt(cellZ2 / cells):F3}");
        output.WriteLine($"  values scores {persons}: coverage {personCoverage:P1}, mean width {personWidth / persons:F3}, SD of standardised errors {Math.Sqrt(personZ2 / persons):F3}");
        output.WriteLine($"  components: σ² {model.ResidualVariance:F3}, τu² {model.PersonVariance:F3}, τv² {model.PersonBehaviorVariance:F3}, σb² {model.RaterVariance:F3}, τg² {model.GroupVariance:F4}");
        Assert.InRange(cellCoverage, 0.92, 0.98);
        Assert.InRange(personCoverage, 0.92, 0.98);
    }
}
