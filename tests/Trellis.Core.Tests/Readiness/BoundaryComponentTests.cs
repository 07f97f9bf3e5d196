using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

/// <summary>
/// Data in which two variance components are truly zero: ratings follow the person only (no person × behaviour
/// variation) and no rater is lenient. Their estimates sit on the boundary, where the accelerated fit once ran away on
/// the audit's synthetic history at 100,000 people (τv² jumped from 3·10⁻⁴ to 36 and the fit never converged; the
/// accelerated components are now kept within a factor of two of their plain EM step). This smaller data set checks
/// that the fit settles on the boundary, ranks people, and agrees with a far tighter fit.
/// </summary>
public sealed class BoundaryComponentTests
{
    [Fact]
    public void Fit_converges_when_person_behaviour_and_rater_variation_are_zero()
    {
        const int persons = 3000, behaviors = 10;
        var random = new Random(11);
        var truth = new double[persons];
        for (var p = 0; p < persons; p++) truth[p] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var asOf = new DateOnly(2022, 1, 28);
        var table = new ObservationTable();
        RelationshipCode[] relationships = [RelationshipCode.Peer, RelationshipCode.Manager, RelationshipCode.Report, RelationshipCode.Peer];
        for (var k = 0; k < 36_000; k++)
        {
            var subject = k % persons;
            var rater = (subject + 1 + random.Next(persons - 1)) % persons;
            var rating = Math.Clamp((int)Math.Round(3.2 + 0.8 * truth[subject] + 0.7 * (random.NextDouble() - 0.5) * 2), 1, 5);
            // Each person's ratings spread over the behaviours ((k / persons) % behaviours). An earlier version used k % behaviours,
            // which gave every person a single behaviour: u and v were then one effect, and τv² was decided by its prior alone
            // once the EM update counted v̂'s uncertainty through û (before, that design merely happened to land on zero).
            table.Add(subject, rater, k / persons % behaviors, relationships[k & 3], rating, asOf.DayNumber - random.Next(210));
        }
        var departments = Enumerable.Range(0, persons).Select(p => p % 5).ToArray();

        var model = ReadinessModel.Fit(table, persons, behaviors, new ReadinessOptions { AsOf = asOf }, departments);

        Assert.True(model.Converged, $"not converged after {model.Iterations} sweeps (last rater change {model.LastRaterChange:E2})");
        Assert.InRange(model.PersonBehaviorVariance, 0, 0.01);
        Assert.InRange(model.RaterVariance, 0, 0.01);
        Assert.InRange(model.PersonVariance, 0.2, 0.8);
        var people = Enumerable.Range(0, persons).ToArray();
        var rho = SyntheticOrganisation.Spearman(people.Select(model.ValuesScore).ToArray(), truth);
        Assert.True(rho > 0.9, $"Spearman with the truth {rho:F3}");
        // The same fixed point as a fit run far tighter (the path may differ, the answer may not).
        var tight = ReadinessModel.Fit(table, persons, behaviors, new ReadinessOptions { AsOf = asOf, ConvergenceTolerance = 1e-8, MaxIterations = 400 }, departments);
        Assert.All(people, p => Assert.InRange(model.ValuesScore(p) - tight.ValuesScore(p), -0.005, 0.005));
    }
}
