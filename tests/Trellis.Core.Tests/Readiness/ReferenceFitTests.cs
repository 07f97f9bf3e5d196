using System.Globalization;
using System.Text;
using System.Text.Json;
using Trellis.Core.Readiness;
using Xunit.Abstractions;

namespace Trellis.Core.Tests.Readiness;

/// <summary>
/// The engine against a full mixed-model fit of the same model (issue 18): R's lme4, REML, on a generated organisation
/// of 1,200 people and 15,000 observations with one lenient department (a fit lme4 finishes in minutes) — rating ~ behaviour + (1 | person) + (1 | person:behaviour)
/// + (1 | rater's department) + (1 | rater), weights = recency × relationship, self-ratings left out. The data are
/// Reference/observations.csv (written from the generator, see <see cref="The_committed_reference_data_is_the_generated_organisation"/>),
/// the fit is Reference/reference_fit.R, its output Reference/reference.json (committed; R is not needed to run the tests).
/// </summary>
public sealed class ReferenceFitTests(ITestOutputHelper output)
{
    internal static SyntheticOrganisation Organisation() => SyntheticOrganisation.Generate(persons: 1200, observations: 15_000, seed: 106);

    private static string ReferenceDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Trellis.Core.Tests", "Readiness", "Reference");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("cannot find tests/Trellis.Core.Tests/Readiness/Reference above " + AppContext.BaseDirectory);
    }

    /// <summary>The fitted observations as the reference fit reads them: one line per non-self observation with its weight.</summary>
    internal static string ObservationsCsv(SyntheticOrganisation org)
    {
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var csv = new StringBuilder("subject,rater,behaviour,rater_department,rating,weight\n");
        var obs = org.Observations;
        for (var i = 0; i < obs.Count; i++)
        {
            if (obs.Relationship[i] == (byte)RelationshipCode.Self) continue;
            var age = org.AsOf.DayNumber - obs.Day[i];
            var weight = options.RelationshipWeights[obs.Relationship[i]] * Math.Pow(2, -age / options.RecencyHalfLifeDays);
            csv.Append(CultureInfo.InvariantCulture, $"{obs.Subject[i]},{obs.Rater[i]},{obs.Behavior[i]},{org.Department[obs.Rater[i]]},{obs.Rating[i]},{weight:R}\n");
        }
        return csv.ToString();
    }

    /// <summary>
    /// The committed data are exactly what the generator gives (so the reference fits the engine's data). With
    /// TRELLIS_WRITE_REFERENCE_DATA=1 the file is written first (then run Reference/reference_fit.R).
    /// </summary>
    [Fact]
    public void The_committed_reference_data_is_the_generated_organisation()
    {
        var path = Path.Combine(ReferenceDir(), "observations.csv");
        var expected = ObservationsCsv(Organisation());
        if (Environment.GetEnvironmentVariable("TRELLIS_WRITE_REFERENCE_DATA") == "1") File.WriteAllText(path, expected);
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void Engine_ranks_and_scores_as_well_as_a_converged_REML_fit_of_the_same_model()
    {
        var org = Organisation();
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, new ReadinessOptions { AsOf = org.AsOf }, org.Department);
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceDir(), "reference.json"))).RootElement;
        var referenceValues = reference.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var referenceCells = reference.GetProperty("cells").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(org.Persons, referenceValues.Length);
        Assert.Equal(org.Persons * org.Behaviors, referenceCells.Length);

        // People and cells with evidence, as the coverage tests count them.
        var people = Enumerable.Range(0, org.Persons).Where(p => model.EvidenceCount(p) > 0).ToArray();
        var cells = Enumerable.Range(0, org.Persons * org.Behaviors).Where(c => model.EvidenceCount(c / org.Behaviors, c % org.Behaviors) > 0).ToArray();
        var truth = people.Select(org.AnchoredValues).ToArray();
        var engineSpearman = SyntheticOrganisation.Spearman(people.Select(model.ValuesScore).ToArray(), truth);
        var referenceSpearman = SyntheticOrganisation.Spearman(people.Select(p => referenceValues[p]).ToArray(), truth);
        double Rmse(Func<int, double> score) => Math.Sqrt(cells.Average(c => Math.Pow(score(c) - org.AnchoredLevel(c), 2)));
        var engineRmse = Rmse(c => model.Score(c / org.Behaviors, c % org.Behaviors));
        var referenceRmse = Rmse(c => referenceCells[c]);
        var apart = Math.Sqrt(cells.Average(c => Math.Pow(model.Score(c / org.Behaviors, c % org.Behaviors) - referenceCells[c], 2)));
        var components = reference.GetProperty("components");
        output.WriteLine($"reference: {reference.GetProperty("generated_by").GetString()}, {reference.GetProperty("seconds").GetDouble():F1} s");
        output.WriteLine($"values Spearman with the truth: engine {engineSpearman:F4}, lme4 {referenceSpearman:F4}");
        output.WriteLine($"cell RMSE against the truth ({cells.Length} cells with evidence): engine {engineRmse:F4}, lme4 {referenceRmse:F4}; engine − lme4 RMS {apart:F4}");
        output.WriteLine($"components engine: σ² {model.ResidualVariance:F4}, τu² {model.PersonVariance:F4}, τv² {model.PersonBehaviorVariance:F4}, σb² {model.RaterVariance:F4}, τg² {model.GroupVariance:F4}");
        output.WriteLine($"components lme4:   σ² {components.GetProperty("sigma2").GetDouble():F4}, τu² {components.GetProperty("tau_u2").GetDouble():F4}, τv² {components.GetProperty("tau_v2").GetDouble():F4}, σb² {components.GetProperty("sigma_b2").GetDouble():F4}, τg² {components.GetProperty("tau_g2").GetDouble():F4}");
        Assert.InRange(engineSpearman - referenceSpearman, -0.005, 0.005);
        Assert.InRange(engineRmse - referenceRmse, -0.005, 0.005);
    }
}
