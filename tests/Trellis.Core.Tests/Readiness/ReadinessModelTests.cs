using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

public sealed class ReadinessModelTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    [Fact]
    public void Two_raters_one_lenient_corrected_scores_are_exact()
    {
        // Rater 3 (neutral) rates person 0 → 3 and person 1 → 4; rater 4 (one point lenient) rates person 0 → 4 and
        // person 2 → 5. Person 2 is seen only by the lenient rater. Plain means: 3.5, 4, 5 — they rank person 2 first.
        // Corrected: rater 4 is +1 against rater 3 on the same person, so persons 1 and 2 are equal and one point
        // above person 0. Many identical ratings make the data dominate the priors, so this holds to 3 decimals.
        var table = new ObservationTable();
        for (var k = 0; k < 200; k++)
        {
            table.Add(0, 3, 0, RelationshipCode.Peer, 3, AsOf.DayNumber);
            table.Add(1, 3, 0, RelationshipCode.Peer, 4, AsOf.DayNumber);
            table.Add(0, 4, 0, RelationshipCode.Peer, 4, AsOf.DayNumber);
            table.Add(2, 4, 0, RelationshipCode.Peer, 5, AsOf.DayNumber);
        }
        var model = ReadinessModel.Fit(table, persons: 5, behaviors: 1, new ReadinessOptions { AsOf = AsOf, MaxIterations = 200, ConvergenceTolerance = 1e-10 });
        Assert.Equal(1.0, model.Leniency(4) - model.Leniency(3), 3);
        Assert.Equal(1.0, model.Score(1, 0) - model.Score(0, 0), 3);
        Assert.Equal(0.0, model.Score(2, 0) - model.Score(1, 0), 3);
        // Rater effects are centred between the two raters, so the absolute levels are exact too.
        Assert.Equal(3.5, model.Score(0, 0), 2);
        Assert.Equal(4.5, model.Score(1, 0), 2);
        Assert.Equal(4.5, model.Score(2, 0), 2);
        Assert.Equal(200, model.EvidenceCount(2, 0));
        Assert.Equal(2, model.RaterCount(0));
        Assert.Equal(1, model.RaterCount(2));
    }

    [Fact]
    public void Self_ratings_stay_out_of_the_score_and_are_reported_apart()
    {
        var table = new ObservationTable();
        table.Add(0, 1, 0, RelationshipCode.Peer, 3, AsOf.DayNumber);
        table.Add(0, 2, 0, RelationshipCode.Manager, 3, AsOf.DayNumber);
        var without = ReadinessModel.Fit(table, 3, 1, new ReadinessOptions { AsOf = AsOf });
        table.Add(0, 0, 0, RelationshipCode.Self, 5, AsOf.DayNumber);
        table.Add(0, 0, 0, RelationshipCode.Self, 4, AsOf.DayNumber);
        var with = ReadinessModel.Fit(table, 3, 1, new ReadinessOptions { AsOf = AsOf });
        Assert.Equal(without.Score(0, 0), with.Score(0, 0));
        Assert.Equal(2, with.EvidenceCount(0));
        Assert.Equal(2, with.RaterCount(0));
        Assert.Equal(4.5, with.SelfRatingMean(0));
        Assert.Equal(2, with.SelfRatingCount(0));
    }

    [Fact]
    public void Thin_evidence_is_shrunk_toward_the_population_and_has_a_wider_interval()
    {
        var org = SyntheticOrganisation.Generate(300, 6000, seed: 3);
        var table = org.Observations;
        // Person 299 gets one single very high rating on top of whatever they had.
        var model = ReadinessModel.Fit(table, org.Persons, org.Behaviors, new ReadinessOptions { AsOf = org.AsOf });
        var thin = Enumerable.Range(0, org.Persons).Where(p => model.EvidenceCount(p) is > 0 and <= 3).ToArray();
        var thick = Enumerable.Range(0, org.Persons).Where(p => model.EvidenceCount(p) >= 40).ToArray();
        Assert.NotEmpty(thin);
        Assert.NotEmpty(thick);
        Assert.True(thin.Average(p => model.ValuesVariance(p)) > 2 * thick.Average(p => model.ValuesVariance(p)));
        // A behaviour with no evidence sits at the person's level with the widest interval.
        var p0 = thick[0];
        var empty = Enumerable.Range(0, org.Behaviors).FirstOrDefault(b => model.EvidenceCount(p0, b) == 0, -1);
        if (empty >= 0) Assert.True(model.Variance(p0, empty) > Enumerable.Range(0, org.Behaviors).Where(b => model.EvidenceCount(p0, b) > 0).Max(b => model.Variance(p0, b)));
    }

    [Fact]
    public void Recency_half_life_halves_the_weight_of_year_old_evidence()
    {
        var table = new ObservationTable();
        // Two raters disagree: the recent one says 4, the year-old one says 2 (each rates two other people the same way, so neither is lenient).
        table.Add(0, 1, 0, RelationshipCode.Peer, 4, AsOf.DayNumber);
        table.Add(0, 2, 0, RelationshipCode.Peer, 2, AsOf.DayNumber - 365);
        var model = ReadinessModel.Fit(table, 3, 1, new ReadinessOptions { AsOf = AsOf });
        var noDecay = ReadinessModel.Fit(table, 3, 1, new ReadinessOptions { AsOf = AsOf, RecencyHalfLifeDays = 0 });
        Assert.True(model.Score(0, 0) > noDecay.Score(0, 0));
    }

    [Fact]
    public void Evidence_after_the_as_of_date_is_ignored_and_cannot_be_added()
    {
        var table = new ObservationTable();
        table.Add(0, 1, 0, RelationshipCode.Peer, 3, AsOf.DayNumber);
        var model = ReadinessModel.Fit(table, 2, 1, new ReadinessOptions { AsOf = AsOf });
        Assert.False(model.Add(0, 1, 0, RelationshipCode.Peer, 5, AsOf.DayNumber + 1));
        Assert.Equal(1, model.EvidenceCount(0));
        Assert.True(model.Add(0, 1, 0, RelationshipCode.Peer, 5, AsOf.DayNumber));
        Assert.Equal(2, model.EvidenceCount(0));
        Assert.Equal(1, model.RaterCount(0));
    }

    [Fact]
    public void Incremental_add_counts_a_new_rater_once()
    {
        var org = SyntheticOrganisation.Generate(100, 2000, seed: 11);
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, new ReadinessOptions { AsOf = org.AsOf });
        var s = Enumerable.Range(0, org.Persons).First(p => model.EvidenceCount(p) > 5);
        var existingRater = Enumerable.Range(0, org.Observations.Count)
            .First(i => org.Observations.Subject[i] == s && org.Observations.Relationship[i] != (byte)RelationshipCode.Self);
        var raters = model.RaterCount(s);
        model.Add(s, org.Observations.Rater[existingRater], 0, RelationshipCode.Peer, 4, org.AsOf.DayNumber);
        Assert.Equal(raters, model.RaterCount(s));
        var newRater = Enumerable.Range(0, org.Persons).First(r => r != s &&
            !Enumerable.Range(0, org.Observations.Count).Any(i => org.Observations.Subject[i] == s && org.Observations.Rater[i] == r));
        model.Add(s, newRater, 0, RelationshipCode.Peer, 4, org.AsOf.DayNumber);
        model.Add(s, newRater, 1, RelationshipCode.Peer, 4, org.AsOf.DayNumber);
        Assert.Equal(raters + 1, model.RaterCount(s));
    }

    [Fact]
    public void The_fit_reaches_its_tolerance_and_agrees_with_a_far_tighter_fit_to_display_precision()
    {
        var org = SyntheticOrganisation.Generate(2000, 60_000, seed: 21);
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options, org.Department);
        Assert.True(model.Converged, $"not converged after {model.Iterations} sweeps (last change {model.LastRaterChange:E1})");
        Assert.True(model.LastRaterChange < options.ConvergenceTolerance);
        Assert.True(model.Iterations < options.MaxIterations);
        var tight = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options with { ConvergenceTolerance = 1e-8, MaxIterations = 5000 }, org.Department);
        Assert.True(tight.Converged);
        double worst = 0;
        for (var p = 0; p < org.Persons; p++)
        {
            worst = Math.Max(worst, Math.Abs(model.ValuesScore(p) - tight.ValuesScore(p)));
            for (var b = 0; b < org.Behaviors; b++) worst = Math.Max(worst, Math.Abs(model.Score(p, b) - tight.Score(p, b)));
        }
        // Scores are shown to two decimals.
        Assert.True(worst < 0.005, $"largest difference to the tight fit {worst:E2}");
    }

    [Theory]
    [InlineData("typical")]
    [InlineData("lenient departments")]
    [InlineData("few raters")]
    [InlineData("very uneven evidence")]
    public void The_fixed_point_is_within_a_thousandth_of_a_fit_run_to_1e9(string shape)
    {
        // Issue 18: the solver may take any path, but where it stops must be the fixed point of a fit run to 10⁻⁹ to
        // within 10⁻³ on every score, values score and rater effect, and on every interval's half-width.
        var org = shape switch
        {
            "typical" => SyntheticOrganisation.Generate(persons: 3000, observations: 90_000, seed: 31),
            "lenient departments" => SyntheticOrganisation.Generate(persons: 2000, observations: 60_000, seed: 32, lenientDepartments: 4),
            "few raters" => SyntheticOrganisation.Generate(persons: 2000, observations: 40_000, seed: 33, maxRaters: 3),
            _ => SyntheticOrganisation.Generate(persons: 2000, observations: 60_000, seed: 34, evidenceSpread: 2.0),
        };
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options, org.Department);
        Assert.True(model.Converged, $"not converged after {model.Iterations} sweeps");
        var tight = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options with { ConvergenceTolerance = 1e-9, MaxIterations = 5000 }, org.Department);
        Assert.True(tight.Converged);
        double score = 0, values = 0, leniency = 0, halfWidth = 0;
        for (var p = 0; p < org.Persons; p++)
        {
            values = Math.Max(values, Math.Abs(model.ValuesScore(p) - tight.ValuesScore(p)));
            halfWidth = Math.Max(halfWidth, 1.96 * Math.Abs(Math.Sqrt(model.ValuesVariance(p)) - Math.Sqrt(tight.ValuesVariance(p))));
            leniency = Math.Max(leniency, Math.Abs(model.Leniency(p) - tight.Leniency(p)));
            for (var b = 0; b < org.Behaviors; b++)
            {
                score = Math.Max(score, Math.Abs(model.Score(p, b) - tight.Score(p, b)));
                halfWidth = Math.Max(halfWidth, 1.96 * Math.Abs(Math.Sqrt(model.Variance(p, b)) - Math.Sqrt(tight.Variance(p, b))));
            }
        }
        var report = $"{shape}: {model.Iterations} sweeps (tight {tight.Iterations}): cells {score:E2}, values {values:E2}, leniency {leniency:E2}, half-widths {halfWidth:E2}";
        Assert.True(score < 1e-3 && values < 1e-3 && leniency < 1e-3 && halfWidth < 1e-3, report);
    }

    [Fact]
    public void The_pair_layout_does_not_change_any_result()
    {
        // 2-byte and 4-byte pair indices, and pairs written from the behaviour masks or by scanning every behaviour,
        // must give bit-for-bit the same fit: only the storage differs, every sum runs in the same order.
        var org = SyntheticOrganisation.Generate(1500, 45_000, seed: 8);
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var plain = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options, org.Department);
        foreach (var other in new[] { options with { WidePairIndex = true }, options with { ScanBehaviours = true } })
        {
            var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, other, org.Department);
            Assert.Equal(plain.Iterations, model.Iterations);
            for (var p = 0; p < org.Persons; p++)
            {
                Assert.Equal(plain.ValuesScore(p), model.ValuesScore(p));
                Assert.Equal(plain.Leniency(p), model.Leniency(p));
                for (var b = 0; b < org.Behaviors; b++)
                {
                    Assert.Equal(plain.Score(p, b), model.Score(p, b));
                    Assert.Equal(plain.Variance(p, b), model.Variance(p, b));
                }
            }
        }
    }

    [Fact]
    public void A_person_with_thousands_of_raters_is_fitted_like_everyone_else()
    {
        // Person 0 is rated by 5,000 distinct colleagues (more than a 2-byte pair index holds with ten behaviours), each
        // one point more lenient than the last thousand; every rater also rates person 1 the same way, so person 0 and
        // person 1 end up equal whatever the rater effects are.
        const int raters = 5000;
        var table = new ObservationTable();
        for (var r = 0; r < raters; r++)
        {
            var rating = 1 + r / 1000;
            for (var b = 0; b < 10; b++)
            {
                table.Add(0, 2 + r, b, RelationshipCode.Peer, rating, AsOf.DayNumber);
                table.Add(1, 2 + r, b, RelationshipCode.Peer, rating, AsOf.DayNumber);
            }
        }
        var model = ReadinessModel.Fit(table, persons: raters + 2, behaviors: 10, new ReadinessOptions { AsOf = AsOf });
        Assert.True(model.Converged);
        Assert.Equal(raters, model.RaterCount(0));
        for (var b = 0; b < 10; b++)
        {
            Assert.True(double.IsFinite(model.Score(0, b)));
            Assert.Equal(model.Score(1, b), model.Score(0, b), 6);
        }
        // The raters' spread is theirs, not the persons': the most lenient thousand sit about four points above the least.
        Assert.True(model.Leniency(2 + raters - 1) - model.Leniency(2) > 3.5);
    }

    [Fact]
    public void Grouping_rows_by_subject_keeps_every_row_and_changes_no_result()
    {
        var org = SyntheticOrganisation.Generate(800, 24_000, seed: 4);
        var rows = org.Observations;
        var shuffled = new ObservationTable(rows.Count);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(9).Shuffle(order);
        foreach (var i in order) shuffled.Add(rows.Subject[i], rows.Rater[i], rows.Behavior[i], (RelationshipCode)rows.Relationship[i], rows.Rating[i], rows.Day[i]);
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var before = ReadinessModel.Fit(shuffled, org.Persons, org.Behaviors, options, org.Department);
        Assert.False(before.InputGroupedBySubject);

        Assert.True(shuffled.GroupBySubject());
        Assert.False(shuffled.GroupBySubject()); // already grouped: nothing moves
        Assert.Equal(rows.Count, shuffled.Count);
        for (var i = 1; i < shuffled.Count; i++) Assert.True(shuffled.Subject[i - 1] <= shuffled.Subject[i]);
        static IEnumerable<(int, int, byte, byte, byte, int)> All(ObservationTable t) =>
            Enumerable.Range(0, t.Count).Select(i => (t.Subject[i], t.Rater[i], t.Behavior[i], t.Relationship[i], t.Rating[i], t.Day[i])).Order();
        Assert.Equal(All(rows), All(shuffled));

        var after = ReadinessModel.Fit(shuffled, org.Persons, org.Behaviors, options, org.Department);
        Assert.True(after.InputGroupedBySubject);
        for (var p = 0; p < org.Persons; p++)
        {
            Assert.Equal(before.ValuesScore(p), after.ValuesScore(p));
            for (var b = 0; b < org.Behaviors; b++) Assert.Equal(before.Score(p, b), after.Score(p, b));
        }
    }

    [Fact]
    public void A_framework_with_more_than_64_behaviours_fits_and_does_not_depend_on_row_order()
    {
        // Past 64 behaviours a rater's behaviours no longer fit a 64-bit mask and the pairs are written by scanning.
        var org = SyntheticOrganisation.Generate(600, 30_000, seed: 6, behaviors: 70);
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var model = ReadinessModel.Fit(org.Observations, org.Persons, org.Behaviors, options, org.Department);
        Assert.True(model.Converged);
        var rows = org.Observations;
        var reversed = new ObservationTable(rows.Count);
        for (var i = rows.Count - 1; i >= 0; i--) reversed.Add(rows.Subject[i], rows.Rater[i], rows.Behavior[i], (RelationshipCode)rows.Relationship[i], rows.Rating[i], rows.Day[i]);
        var other = ReadinessModel.Fit(reversed, org.Persons, org.Behaviors, options, org.Department);
        for (var p = 0; p < org.Persons; p++)
            for (var b = 0; b < org.Behaviors; b++)
            {
                Assert.True(double.IsFinite(model.Score(p, b)));
                Assert.Equal(model.Score(p, b), other.Score(p, b));
            }
    }
}
