using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Framework;

namespace Trellis.Tests.Readiness;

/// <summary>Everyone's bands decided in parallel are the bands decided one by one, in employee-id order.</summary>
public sealed class ReadinessBandsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("e4")]
    public void Bands_for_everyone_equal_the_band_of_each_person(string? target)
    {
        var org = SyntheticOrganisation.Generate(3000, 90_000, seed: 12);
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        var snapshot = new EvidenceSnapshot
        {
            // Ids out of order (so the id order needs a sort) and every seventh person inactive (rates, gets no band).
            PersonIds = Enumerable.Range(0, org.Persons).Select(p => $"P{(p * 7919) % org.Persons:D5}").ToArray(),
            CurrentLevels = Enumerable.Range(0, org.Persons).Select(p => p % 7 == 0 ? null : (p % 3) switch { 0 => "e2", 1 => "e3", _ => "l3" }).ToArray(),
            BehaviorKeys = framework.Behaviors.Select(b => b.Key).ToArray(),
            Observations = org.Observations,
        };
        var assessment = ReadinessAssessment.Compute(snapshot, framework, new ReadinessOptions { AsOf = org.AsOf }, org.Department);

        var active = assessment.ActivePersons;
        Assert.Equal(org.Persons - (org.Persons + 6) / 7, active.Count);
        Assert.Equal(active.Select(p => snapshot.PersonIds[p]).Order(StringComparer.Ordinal), active.Select(p => snapshot.PersonIds[p]));
        var bands = assessment.Bands(target);
        Assert.Equal(active.Select(p => assessment.Band(p, target)), bands);
        Assert.Equal(active.Select(p => assessment.Report(p, target).Band), bands);
        Assert.Contains(ReadinessBands.Ready, bands);
        Assert.Contains(ReadinessBands.InsufficientEvidence, bands);
    }

    [Fact]
    public void An_unknown_target_is_refused_before_any_band_is_decided()
    {
        var org = SyntheticOrganisation.Generate(200, 4000, seed: 3);
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        var snapshot = new EvidenceSnapshot
        {
            PersonIds = Enumerable.Range(0, org.Persons).Select(p => $"P{p:D4}").ToArray(),
            CurrentLevels = Enumerable.Range(0, org.Persons).Select(_ => (string?)"e2").ToArray(),
            BehaviorKeys = framework.Behaviors.Select(b => b.Key).ToArray(),
            Observations = org.Observations,
        };
        var assessment = ReadinessAssessment.Compute(snapshot, framework, new ReadinessOptions { AsOf = org.AsOf }, org.Department);
        var error = Assert.Throws<ArgumentException>(() => assessment.Bands("no-such-level"));
        Assert.Contains("no-such-level", error.Message);
    }
}
