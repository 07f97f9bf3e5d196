using Trellis.Core.Cycles;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Cycles;

public sealed class CycleRulesTests
{
    private static Level L(string key, int band) => new() { Key = key, Name = key.ToUpperInvariant(), Band = band };

    private static readonly CareerFramework Framework = new()
    {
        Name = "test",
        Tracks =
        [
            new Track { Key = "expert", Name = "Expert", Kind = TrackKinds.Individual, Levels = [L("e1", 1), L("e2", 2), L("e3", 3), L("e4", 4)] },
            new Track { Key = "leader", Name = "Leader", Kind = TrackKinds.PeopleLeader, Levels = [L("l3", 3), L("l4", 4), L("l5", 5)] },
        ],
    };

    [Fact]
    public void A_cycle_starts_in_nominations_when_it_has_opened_and_phases_only_move_forward()
    {
        var today = new DateOnly(2026, 3, 1);
        Assert.Equal(CyclePhases.Nominations, CyclePhases.Initial(today, today));
        Assert.Equal(CyclePhases.Draft, CyclePhases.Initial(today.AddDays(1), today));
        Assert.Null(CyclePhases.CheckMove(CyclePhases.Draft, CyclePhases.Nominations));
        Assert.Null(CyclePhases.CheckMove(CyclePhases.Draft, CyclePhases.Calibration));
        Assert.NotNull(CyclePhases.CheckMove(CyclePhases.Calibration, CyclePhases.Responses));
        Assert.NotNull(CyclePhases.CheckMove(CyclePhases.Responses, CyclePhases.Responses));
        Assert.NotNull(CyclePhases.CheckMove(CyclePhases.Calibration, CyclePhases.Published));
        Assert.NotNull(CyclePhases.CheckMove(CyclePhases.Published, CyclePhases.Calibration));
        Assert.Null(CyclePhases.CheckNominating(CyclePhases.Nominations));
        Assert.NotNull(CyclePhases.CheckNominating(CyclePhases.Responses));
        Assert.Null(CyclePhases.CheckDeciding(CyclePhases.Calibration));
        Assert.NotNull(CyclePhases.CheckDeciding(CyclePhases.Responses));
    }

    [Fact]
    public void A_candidate_may_answer_until_the_deadline_day_inclusive_and_never_after_publication()
    {
        var deadline = new DateOnly(2026, 3, 31);
        Assert.Null(CyclePhases.CheckResponding(CyclePhases.Nominations, deadline, deadline));
        Assert.Null(CyclePhases.CheckResponding(CyclePhases.Calibration, deadline.AddDays(-5), deadline));
        Assert.Contains("deadline", CyclePhases.CheckResponding(CyclePhases.Responses, deadline.AddDays(1), deadline));
        Assert.NotNull(CyclePhases.CheckResponding(CyclePhases.Published, deadline.AddDays(-1), deadline));
    }

    [Theory]
    [InlineData("e2", "e3,l3")]
    [InlineData("e3", "e4,l4")]
    [InlineData("l3", "l4,e4")]
    [InlineData("e1", "e2")]
    [InlineData("l4", "l5")]
    [InlineData("e4", "l5")]
    [InlineData("l5", "")]
    public void Targets_are_the_next_band_on_the_same_track_or_its_equal_on_the_other(string current, string expected) =>
        Assert.Equal(expected, string.Join(",", PromotionTargets.ValidTargets(Framework, current).Select(l => l.Key)));

    [Fact]
    public void A_lateral_or_skipping_target_is_refused_with_the_valid_ones_named()
    {
        Assert.Null(PromotionTargets.Check(Framework, "e3", "l4"));
        Assert.Contains("e4 or l4", PromotionTargets.Check(Framework, "e3", "l3"));
        Assert.NotNull(PromotionTargets.Check(Framework, "e2", "e4"));
        Assert.Contains("not a level", PromotionTargets.Check(Framework, "e2", "x9"));
    }

    [Fact]
    public void Alternatives_and_returns_are_the_equal_band_on_the_other_track()
    {
        Assert.Equal("e4", PromotionTargets.Alternative(Framework, "l4")!.Key);
        Assert.Equal("l4", PromotionTargets.Alternative(Framework, "e4")!.Key);
        Assert.Null(PromotionTargets.Alternative(Framework, "l5"));
        Assert.Equal("e4", PromotionTargets.ExpertEquivalent(Framework, "l4")!.Key);
        Assert.Equal("e3", PromotionTargets.ExpertEquivalent(Framework, "e3")!.Key);
        Assert.Equal("e3", PromotionTargets.ReturnLevel(Framework, "l3")!.Key);
        Assert.Null(PromotionTargets.ReturnLevel(Framework, "e3"));
        Assert.Null(PromotionTargets.ReturnLevel(Framework, "l5"));
    }

    [Theory]
    [InlineData("decline", null, "declined", "l4")]
    [InlineData("defer", null, "deferred", "l4")]
    [InlineData("decline", "not_yet", "declined", "l4")]
    [InlineData("defer", "not_yet", "deferred", "l4")]
    [InlineData(null, "not_yet", "not_promoted", "l4")]
    [InlineData("accept", "promoted", "promoted", "l4")]
    [InlineData("expert_track", "promoted", "promoted", "e4")]
    [InlineData("expert_track", "alternative", "promoted", "e4")]
    [InlineData("accept", "not_yet", "not_promoted", "l4")]
    [InlineData("expert_track", "not_yet", "not_promoted", "l4")]
    public void Publication_maps_each_case_one_to_one(string? choice, string? decision, string outcome, string level)
    {
        var alternative = decision == DecisionOutcomes.Alternative ? "e4" : null;
        Assert.Null(Publication.Blocker(choice, decision, "l4", "e4", alternative));
        var result = Publication.Resolve(choice, decision, "l4", "e4", alternative);
        Assert.Equal((outcome, level), (result.Outcome, result.ToLevel));
    }

    [Theory]
    [InlineData(null, null, "no answer and no committee decision")]
    [InlineData("accept", null, "no committee decision")]
    [InlineData("expert_track", null, "no committee decision")]
    [InlineData(null, "promoted", "promoted, but the candidate has not answered")]
    [InlineData("decline", "promoted", "promoted, but the candidate has declined")]
    [InlineData("defer", "alternative", "alternative (e4), but the candidate has deferred")]
    [InlineData("accept", "alternative", "alternative (e4), but the candidate has chosen l4")]
    [InlineData(null, "alternative", "alternative (e4), but the candidate has not answered")]
    public void Publication_is_blocked_by_missing_decisions_and_promotions_nobody_chose(string? choice, string? decision, string reason)
    {
        var alternative = decision == DecisionOutcomes.Alternative ? "e4" : null;
        Assert.Equal(reason, Publication.Blocker(choice, decision, "l4", "e4", alternative));
    }

    [Fact]
    public void An_undecided_nomination_never_gets_an_outcome_by_default() =>
        Assert.Throws<InvalidOperationException>(() => Publication.Resolve(null, null, "l4", "e4", null));

    [Fact]
    public void Publishing_early_or_over_budget_needs_an_override()
    {
        var deadline = new DateOnly(2026, 6, 30);
        Assert.Empty(Publication.OverridesNeeded(deadline.AddDays(1), deadline, 3, 3));
        Assert.Equal([Publication.BeforeDeadline], Publication.OverridesNeeded(deadline, deadline, 3, 3));
        Assert.Equal([Publication.OverBudget], Publication.OverridesNeeded(deadline.AddDays(1), deadline, 4, 3));
        Assert.Equal([Publication.BeforeDeadline, Publication.OverBudget], Publication.OverridesNeeded(deadline.AddDays(-5), deadline, 4, 3));
    }

    private static ReadinessReport Report(string id, string band, double? values = 3.5, int evidence = 20, int raters = 5, string level = "e2", string? target = "e3") =>
        new(id, level, target, band, values, values is null ? null : [values.Value - 0.3, values.Value + 0.3], evidence, raters, ResultsGates.Pass, [], [], "");

    [Fact]
    public void Flags_name_high_results_with_low_values_thin_or_one_sided_evidence_and_concerns()
    {
        Assert.Empty(CandidateFlags.Compute(Report("a", ReadinessBands.Ready), 4.5, false, 3));
        Assert.Equal([CandidateFlags.HighResultsLowValues], CandidateFlags.Compute(Report("a", ReadinessBands.Developing, values: 2.4), 4.5, false, 3));
        Assert.Empty(CandidateFlags.Compute(Report("a", ReadinessBands.Developing, values: 2.4), 3.5, false, 3));
        Assert.Equal([CandidateFlags.ThinEvidence], CandidateFlags.Compute(null, null, false, 3));
        Assert.Equal([CandidateFlags.ThinEvidence, CandidateFlags.OneSidedEvidence], CandidateFlags.Compute(Report("a", ReadinessBands.Soon, evidence: 6, raters: 1), null, false, 3));
        Assert.Equal([CandidateFlags.OneSidedEvidence, CandidateFlags.SubstantiatedConcern], CandidateFlags.Compute(Report("a", ReadinessBands.Ready, raters: 2), null, true, 3));
    }

    [Fact]
    public void Suggestions_are_ready_or_soon_eligible_and_not_nominated()
    {
        var reports = new[]
        {
            Report("E1", ReadinessBands.Soon), Report("E2", ReadinessBands.Ready), Report("E3", ReadinessBands.Developing),
            Report("E4", ReadinessBands.Ready), Report("E5", ReadinessBands.Ready, level: "e3", target: "e4"), Report("E6", ReadinessBands.Ready, target: null),
        };
        var picked = Suggestions.Select(reports, new HashSet<string> { "E4" }, ["e2"]);
        Assert.Equal(["E2", "E1"], picked.Select(r => r.EmployeeId));
        Assert.Equal(["E2", "E5", "E1"], Suggestions.Select(reports, new HashSet<string> { "E4" }, []).Select(r => r.EmployeeId));
    }

    [Fact]
    public void Suggestions_are_ordered_ready_before_soon_then_by_employee_id_ordinally()
    {
        var order = Suggestions.Order<(string Band, string Id)>(x => x.Band, x => x.Id);
        Assert.True(order.Compare((ReadinessBands.Ready, "Z9"), (ReadinessBands.Soon, "A1")) < 0);
        Assert.True(order.Compare((ReadinessBands.Soon, "A1"), (ReadinessBands.Ready, "Z9")) > 0);
        // Ordinal, not culture: upper case before lower case, "E10" before "E2".
        Assert.True(order.Compare((ReadinessBands.Ready, "E10"), (ReadinessBands.Ready, "E2")) < 0);
        Assert.True(order.Compare((ReadinessBands.Soon, "E1"), (ReadinessBands.Soon, "e0")) < 0);
        Assert.Equal(0, order.Compare((ReadinessBands.Soon, "E1"), (ReadinessBands.Soon, "E1")));

        // Select lists its reports in exactly this order.
        var reports = new[] { Report("e0", ReadinessBands.Soon), Report("E2", ReadinessBands.Ready), Report("E10", ReadinessBands.Soon), Report("E1", ReadinessBands.Ready) };
        var selected = Suggestions.Select(reports, new HashSet<string>(), []).Select(r => (r.Band, r.EmployeeId)).ToList();
        Assert.Equal(selected.Order(order), selected);
        Assert.Equal(["E1", "E2", "E10", "e0"], selected.Select(x => x.EmployeeId));
    }
}
