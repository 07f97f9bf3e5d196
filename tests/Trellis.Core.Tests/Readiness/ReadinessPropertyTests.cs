using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

public sealed class ReadinessPropertyTests
{
    private static ReadinessOptions Options(DateOnly asOf) => new() { AsOf = asOf };

    private static ObservationTable Shuffled(ObservationTable table, int seed)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, table.Count).OrderBy(_ => random.Next()).ToArray();
        var copy = new ObservationTable(table.Count);
        foreach (var i in order)
            copy.Add(table.Subject[i], table.Rater[i], table.Behavior[i], (RelationshipCode)table.Relationship[i], table.Rating[i], table.Day[i]);
        return copy;
    }

    private static bool SameResults(ReadinessModel a, ReadinessModel b, int persons, int behaviors)
    {
        for (var p = 0; p < persons; p++)
        {
            if (a.ValuesScore(p) != b.ValuesScore(p) || a.ValuesVariance(p) != b.ValuesVariance(p)) return false;
            if (a.EvidenceCount(p) != b.EvidenceCount(p) || a.RaterCount(p) != b.RaterCount(p) || a.Leniency(p) != b.Leniency(p)) return false;
            for (var k = 0; k < behaviors; k++)
                if (a.Score(p, k) != b.Score(p, k) || a.Variance(p, k) != b.Variance(p, k)) return false;
        }
        return true;
    }

    [Property(MaxTest = 25)]
    public bool Order_of_observations_does_not_matter(PositiveInt seed)
    {
        var org = SyntheticOrganisation.Generate(60, 900, seed.Get);
        var sorted = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, Options(org.AsOf));
        var shuffledTable = Shuffled(org.Observations, seed.Get);
        var shuffled = ReadinessModel.Fit(shuffledTable, org.Persons, org.Behaviors, Options(org.AsOf));
        return !shuffled.InputGroupedBySubject && SameResults(sorted, shuffled, org.Persons, org.Behaviors);
    }

    [Property(MaxTest = 25)]
    public bool Results_are_deterministic_whatever_the_parallelism(PositiveInt seed)
    {
        var org = SyntheticOrganisation.Generate(80, 200_000 / 100, seed.Get);
        var one = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, Options(org.AsOf) with { Parallelism = 1 }, org.Department);
        var again = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, Options(org.AsOf) with { Parallelism = 1 }, org.Department);
        var four = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, Options(org.AsOf) with { Parallelism = 4 }, org.Department);
        return SameResults(one, again, org.Persons, org.Behaviors) && SameResults(one, four, org.Persons, org.Behaviors);
    }

    [Property(MaxTest = 25)]
    public bool As_of_ignores_later_evidence(PositiveInt seed, PositiveInt extra)
    {
        var org = SyntheticOrganisation.Generate(50, 700, seed.Get);
        var asOf = org.AsOf.AddDays(-100);
        var before = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, Options(asOf));
        var table = Shuffled(org.Observations, seed.Get + 1);
        var random = new Random(extra.Get);
        for (var k = 0; k < 1 + extra.Get % 50; k++)
            table.Add(random.Next(org.Persons), random.Next(org.Persons), random.Next(org.Behaviors), RelationshipCode.Peer, 1 + random.Next(5), asOf.DayNumber + 1 + random.Next(300));
        var after = ReadinessModel.Fit(table, org.Persons, org.Behaviors, Options(asOf));
        return SameResults(before, after, org.Persons, org.Behaviors);
    }

    [Property(MaxTest = 40)]
    public Property One_more_rating_from_a_known_lenient_rater_moves_a_score_less_than_the_plain_mean(PositiveInt seed)
    {
        var org = SyntheticOrganisation.Generate(120, 3000, seed.Get);
        // Equal weights for every rating, so that only leniency correction and shrinkage separate the two.
        var options = Options(org.AsOf) with { RecencyHalfLifeDays = 0, RelationshipWeights = [0, 1, 1, 1, 1, 1] };
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options, org.Department);
        var obs = org.Observations;
        // The known-lenient rater: the largest estimated leniency among raters with plenty of ratings.
        var rater = Enumerable.Range(0, org.Persons).Where(r => model.RatingsGiven(r) >= 15).MaxBy(model.Leniency);
        var subject = new Random(seed.Get).Next(org.Persons);
        var behavior = Enumerable.Range(0, org.Behaviors).FirstOrDefault(b => model.EvidenceCount(subject, b) > 0, -1);
        if (model.Leniency(rater) <= 0.2 || behavior < 0 || subject == rater) return true.ToProperty().Label("no lenient rater or evidence: nothing to compare");
        double sum = 0;
        var count = 0;
        for (var i = 0; i < obs.Count; i++)
        {
            if (obs.Subject[i] != subject || obs.Behavior[i] != behavior || obs.Relationship[i] == (byte)RelationshipCode.Self) continue;
            sum += obs.Rating[i];
            count++;
        }
        const int rating = 5;
        var plainMove = Math.Abs((sum + rating) / (count + 1) - sum / count);
        var before = model.Score(subject, behavior);
        model.Add(subject, rater, behavior, RelationshipCode.Peer, rating, org.AsOf.DayNumber);
        var engineMove = Math.Abs(model.Score(subject, behavior) - before);
        return (engineMove < plainMove).Label($"engine moved {engineMove:F4}, plain mean {plainMove:F4} (leniency {model.Leniency(rater):F2}, {count} ratings)");
    }
}
