using Trellis.Core.Audit;
using Trellis.Core.Framework;

namespace Trellis.Core.Tests.Audit;

/// <summary>Synthetic organisations with planted effects: the audit must find what was planted, and nothing it must not show.</summary>
public sealed class CultureAuditTests
{
    private static readonly AuditLevel[] Levels =
    [
        new("e2", "expert", TrackKinds.Individual, 2, 3.0, 0), new("e3", "expert", TrackKinds.Individual, 3, 3.5, 0),
        new("l3", "leader", TrackKinds.PeopleLeader, 3, 3.5, 8), new("l4", "leader", TrackKinds.PeopleLeader, 4, 4.0, 12),
    ];

    /// <summary>
    /// An organisation of <paramref name="n"/> candidates over 4 cycles, promoted with log-odds
    /// −1.4 + βr·z(results) + βv·z(values) + βt·z(tenure) (+ <paramref name="groupPenalty"/> for gender "x").
    /// </summary>
    private static AuditInput Organisation(double betaResults, double betaValues, int n = 4000, int seed = 7, double groupPenalty = 0, double betaTenure = 0.2)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var people = new List<AuditPerson>();
        var candidates = new List<AuditCandidate>();
        string[] departments = ["Engineering", "Sales", "Support", "Finance"];
        for (var i = 0; i < n; i++)
        {
            var id = $"P{i:D5}";
            var gender = i % 10 == 0 ? "x" : i % 2 == 0 ? "f" : "m";
            people.Add(new AuditPerson(id, null, departments[i % 4], i % 3 == 0 ? "Lisbon" : "Porto", gender, "expert", "e3", new DateOnly(2018, 1, 1), true));
            var zr = Gauss(); var zv = Gauss(); var zt = Gauss();
            var eta = -1.4 + betaResults * zr + betaValues * zv + betaTenure * zt + (gender == "x" ? groupPenalty : 0);
            var promoted = rng.NextDouble() < 1 / (1 + Math.Exp(-eta));
            var cycle = i % 4;
            candidates.Add(new AuditCandidate($"202{cycle}-H2", new DateOnly(2020 + cycle, 12, 1), id, "e2", "e3",
                promoted ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 3.2 + 0.7 * zr, 3.4 + 0.6 * zv, 4 + 2 * zt));
        }
        return new AuditInput { AsOf = new DateOnly(2024, 1, 1), Levels = Levels, People = people, Candidates = candidates, ValueKeys = ["curiosity", "craft"] };
    }

    [Fact]
    public void A_results_driven_organisation_shows_a_high_results_odds_ratio_and_a_low_say_do_index()
    {
        var report = CultureAudit.Compute(Organisation(betaResults: 1.5, betaValues: 0.1));
        var d = report.Drivers;
        Assert.Equal(FitStatuses.Ok, d.Status);
        Assert.InRange(Math.Exp(1.5), d.Results!.Ci[0], d.Results.Ci[1]);
        Assert.True(d.Results.OddsRatio > 3.5, $"results OR {d.Results.OddsRatio}");
        Assert.True(report.SayDoIndex < 0.15, $"say–do {report.SayDoIndex}");
        Assert.Contains("Values explain about", report.SayDoReading);
        Assert.Equal(4, report.DriversByCycle.Count);
        Assert.All(report.DriversByCycle, c => Assert.True(c.Fit.Results!.OddsRatio > 2.5));
    }

    [Fact]
    public void A_values_driven_organisation_shows_the_reverse()
    {
        var report = CultureAudit.Compute(Organisation(betaResults: 0.1, betaValues: 1.5));
        var d = report.Drivers;
        Assert.InRange(Math.Exp(1.5), d.Values!.Ci[0], d.Values.Ci[1]);
        Assert.InRange(Math.Exp(0.1), d.Results!.Ci[0], d.Results.Ci[1]);
        Assert.True(report.SayDoIndex > 0.85, $"say–do {report.SayDoIndex}");
        Assert.InRange(Math.Exp(0.2), d.Tenure!.Ci[0], d.Tenure.Ci[1]);
    }

    [Fact]
    public void An_adversely_treated_group_is_found_and_a_fair_one_is_not()
    {
        var report = CultureAudit.Compute(Organisation(1.0, 1.0, groupPenalty: -1.2));
        var x = Assert.Single(report.Groups, g => g is { Attribute: "gender", Group: "x" });
        Assert.True(x.ImpactRatio < 0.8);
        Assert.True(x.FisherP < 0.001);
        Assert.True(x.Adverse);
        Assert.All(report.Groups.Where(g => g.Attribute == "location"), g => Assert.False(g.Adverse));
        var fair = CultureAudit.Compute(Organisation(1.0, 1.0, groupPenalty: 0));
        Assert.DoesNotContain(fair.Groups, g => g.Adverse);
    }

    [Fact]
    public void Planted_flags_are_found_and_nothing_else_of_their_kind()
    {
        var org = Organisation(1.0, 1.0, n: 400);
        var decided = new DateOnly(2025, 12, 1);
        AuditCandidate C(string id, string outcome, double results, double values) =>
            new("2025-H2", decided, id, "e2", "e3", outcome, results, values, 3);
        var cycle = Enumerable.Range(0, 40).Select(i => C($"N{i:D2}", i % 4 == 0 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 3.0 + (i % 5) * 0.1, 3.6 + (i % 3) * 0.1))
            .Append(C("LOW", PromotionOutcomes.Promoted, 3.2, 2.5))         // 1.0 below e3's 3.5
            .Append(C("RES", PromotionOutcomes.Promoted, 4.9, 3.65))        // top results, values below the median (3.7)
            .Append(C("CON", PromotionOutcomes.Promoted, 3.1, 3.8))         // substantiated concern before the decision
            .Append(C("LATE", PromotionOutcomes.Promoted, 3.1, 3.8))        // concern recorded only after the decision
            .Append(C("UNSUB", PromotionOutcomes.Promoted, 3.1, 3.8))       // concern not substantiated
            .Append(C("NOTP", PromotionOutcomes.NotPromoted, 4.9, 2.0))     // not promoted: never flagged
            .ToList();
        var input = org with
        {
            Candidates = org.Candidates.Concat(cycle).ToList(),
            Concerns =
            [
                new("K1", "CON", "conduct", true, decided.AddDays(-30)),
                new("K2", "LATE", "conduct", true, decided.AddDays(10)),
                new("K3", "UNSUB", "conduct", false, decided.AddDays(-30)),
            ],
        };
        var flags = CultureAudit.Compute(input).Flags.Where(f => f.Cycle == "2025-H2").ToList();
        Assert.Contains(flags, f => f is { EmployeeId: "LOW", Reason: "low_values" });
        Assert.Contains(flags, f => f is { EmployeeId: "RES", Reason: "results_only" });
        var concern = Assert.Single(flags, f => f.Reason == "substantiated_concern");
        Assert.Equal(("CON", "K1"), (concern.EmployeeId, concern.ConcernId));
        Assert.DoesNotContain(flags, f => f.EmployeeId is "LATE" or "UNSUB" or "NOTP");
        Assert.DoesNotContain(flags, f => f.EmployeeId == "RES" && f.Reason == "low_values");
    }

    [Fact]
    public void A_group_of_two_is_never_shown_nor_recoverable_from_the_others()
    {
        var org = Organisation(1.0, 1.0, n: 400);
        // Two people in a location of their own, and two with a gender nobody else has.
        var people = org.People.Select((p, i) => i < 2 ? p with { Location = "Faro", Gender = "nb" } : p).ToList();
        var report = CultureAudit.Compute(org with { People = people, Readiness = people.Select(p => new AuditReadiness(p.Id, "ready")).ToList() });
        Assert.DoesNotContain(report.Groups, g => g.Group is "Faro" or "nb");
        Assert.DoesNotContain(report.ReadinessByGroup, g => g.Group is "Faro" or "nb");
        Assert.All(report.Groups, g => Assert.True(g.Candidates >= 3));
        // Hidden groups that add up to less than the threshold take the next-smallest group with them.
        Assert.True(report.Groups.Count(g => g.Attribute == "gender") <= 1 || report.Groups.Where(g => g.Attribute == "gender").Sum(g => g.Candidates) <= 398);
        Assert.Contains(report.SuppressedGroups, s => s.Attribute == "location");
        Assert.Contains(report.SuppressedGroups, s => s.Attribute == "gender");
    }

    [Fact]
    public void Separation_gives_a_firth_fit_with_finite_numbers_or_no_numbers_never_nonsense()
    {
        var candidates = Enumerable.Range(0, 60).Select(i => new AuditCandidate("c", new DateOnly(2025, 1, 1), $"E{i}", "e2", "e3",
            i >= 40 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 2 + i * 0.05, 3 + Math.Sin(i) * 0.5, 1 + (i * 7 % 11))).ToList();
        var fit = CultureAudit.FitDrivers(candidates, new AuditOptions { MinimumEventsPerPredictor = 5 });
        Assert.Contains(fit.Status, new[] { FitStatuses.Firth, FitStatuses.Separation });
        Assert.Contains("separation", fit.Reason);
        if (fit.Status == FitStatuses.Firth)
        {
            Assert.True(double.IsFinite(fit.Results!.OddsRatio) && fit.Results.OddsRatio > 1);
            Assert.True(double.IsFinite(fit.Results.Ci[1]));
            Assert.True(double.IsFinite(fit.SayDoIndex!.Value));
        }
        else Assert.Null(fit.Results);
    }

    [Fact]
    public void Firth_estimates_are_finite_and_shrunk_for_a_perfectly_separated_single_predictor()
    {
        double[] x = [-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2];
        bool[] y = [false, false, false, false, true, true, true, true];
        var fit = LogisticRegression.Fit([x], y);
        Assert.Equal(FitStatuses.Firth, fit.Status);
        Assert.InRange(fit.Coefficients[1].Beta, 0.5, 10);
        Assert.Equal(0, fit.Coefficients[0].Beta, 6); // symmetric data: intercept exactly 0
    }

    [Fact]
    public void Collinear_predictors_are_named_as_such_not_as_separation_and_get_no_say_do_index()
    {
        // Promotion at random; values an exact (then an almost exact) linear function of results.
        var random = new Random(7);
        List<AuditCandidate> Candidates(double noise) => Enumerable.Range(0, 200).Select(i =>
        {
            var results = 1 + 4 * random.NextDouble();
            return new AuditCandidate("c", new DateOnly(2025, 1, 1), $"E{i}", "e2", "e3",
                random.NextDouble() < 0.4 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted,
                results, 2 * results + 1 + noise * (random.NextDouble() - 0.5), i % 6);
        }).ToList();

        foreach (var noise in new[] { 0, 1e-4 })
        {
            var exact = CultureAudit.FitDrivers(Candidates(noise), new AuditOptions());
            Assert.Equal(FitStatuses.Skipped, exact.Status);
            Assert.Contains("collinear", exact.Reason);
            Assert.DoesNotContain("separation", exact.Reason);
            Assert.Null(exact.SayDoIndex);
        }

        // r ≈ 0.99995 between results and values.
        var near = CultureAudit.FitDrivers(Candidates(0.08), new AuditOptions());
        Assert.Contains(near.Status, new[] { FitStatuses.Ok, FitStatuses.Firth });
        Assert.NotNull(near.Values);
        Assert.Contains("strongly correlated", near.Reason);
        Assert.Null(near.SayDoIndex);
        Assert.Contains("cannot be computed", CultureAudit.SayDoReading(near));

        // Ordinary correlation between the two (r ≈ 0.7) keeps the index.
        var ordinary = CultureAudit.FitDrivers(Candidates(8), new AuditOptions());
        Assert.Equal(FitStatuses.Ok, ordinary.Status);
        Assert.NotNull(ordinary.SayDoIndex);
    }

    [Fact]
    public void Tiny_samples_and_constant_predictors_are_skipped_with_a_reason()
    {
        var few = Enumerable.Range(0, 8).Select(i => new AuditCandidate("c", new DateOnly(2025, 1, 1), $"E{i}", "e2", "e3",
            i % 2 == 0 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 3 + i * 0.1, 3, 2)).ToList();
        var fit = CultureAudit.FitDrivers(few, new AuditOptions());
        Assert.Equal(FitStatuses.Skipped, fit.Status);
        Assert.Contains("too few candidates", fit.Reason);
        Assert.Null(fit.Values);
        Assert.Null(fit.SayDoIndex);

        var rarely = Enumerable.Range(0, 200).Select(i => new AuditCandidate("c", new DateOnly(2025, 1, 1), $"E{i}", "e2", "e3",
            i < 4 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 3 + (i % 9) * 0.1, 3 + (i % 7) * 0.1, i % 5)).ToList();
        Assert.Contains("too few promotions", CultureAudit.FitDrivers(rarely, new AuditOptions()).Reason);

        var constant = rarely.Select((c, i) => c with { TenureYears = 2, Outcome = i % 3 == 0 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted }).ToList();
        Assert.Contains("same tenure", CultureAudit.FitDrivers(constant, new AuditOptions()).Reason);

        var missing = rarely.Select(c => c with { ValuesScore = null }).ToList();
        var none = CultureAudit.FitDrivers(missing, new AuditOptions());
        Assert.Equal(200, none.ExcludedMissing);
        Assert.Contains("no candidate has both", none.Reason);
        Assert.Contains("cannot be computed", CultureAudit.SayDoReading(none));
    }

    [Fact]
    public void Declined_and_deferred_are_counted_but_not_fitted_and_departments_too_small_are_not_shown()
    {
        var org = Organisation(1.0, 1.0, n: 800);
        var extra = Enumerable.Range(0, 30).Select(i => new AuditCandidate("2023-H2", new DateOnly(2023, 12, 1), $"D{i}", "l3", i < 5 ? "e3" : "l4",
            i % 2 == 0 ? PromotionOutcomes.Declined : i < 5 ? PromotionOutcomes.Promoted : PromotionOutcomes.Deferred, 5, 1, 1)).ToList();
        var people = org.People.Concat(extra.Select(c => new AuditPerson(c.EmployeeId, null, "Tiny", "Porto", "f", "leader", "l3", new DateOnly(2019, 1, 1), true))).ToList();
        var report = CultureAudit.Compute(org with { Candidates = org.Candidates.Concat(extra).ToList(), People = people });
        var cycle = Assert.Single(report.Cycles, c => c.Cycle == "2023-H2");
        Assert.Equal(200 + 30, cycle.Candidates);
        Assert.Equal(15, cycle.Declined);
        Assert.Equal(13, cycle.Deferred);
        Assert.Equal(800 + 2, report.Drivers.N);
        // Tiny has 2 decided candidates, under the anonymity threshold: neither it nor (since 2 alone would be the
        // pooled total minus the shown departments) the next-smallest department is shown.
        Assert.True(org.AnonymityThreshold > 2);
        Assert.DoesNotContain(report.DriversByDepartment, d => d.Segment == "Tiny");
        var hidden = Assert.Single(report.SuppressedGroups, g => g.Section == "drivers");
        Assert.Contains("2 department(s)", hidden.Reason);
        Assert.True(report.Drivers.N - report.DriversByDepartment.Sum(d => d.Fit.N) >= org.AnonymityThreshold);
        var moves = Assert.Single(report.Moves, m => m.Cycle == "2023-H2");
        Assert.Equal(2, moves.ReturnsToExpertTrack);
    }

    [Fact]
    public void Span_of_control_recognition_and_tracks_are_summarised()
    {
        var people = new List<AuditPerson> { new("M", null, "Ops", "Porto", "f", "leader", "l3", new DateOnly(2015, 1, 1), true) };
        people.AddRange(Enumerable.Range(0, 13).Select(i => new AuditPerson($"R{i}", "M", "Ops", "Porto", "m", "expert", "e2", new DateOnly(2020, 1, 1), true)));
        var input = new AuditInput
        {
            AsOf = new DateOnly(2026, 1, 1), Levels = Levels, People = people, ValueKeys = ["curiosity", "craft", "candour"],
            Recognitions = [new("R1", "R2", "curiosity", new DateOnly(2025, 3, 1)), new("M", "R3", "curiosity", new DateOnly(2025, 9, 1)), new("R4", "M", "craft", new DateOnly(2025, 9, 2))],
            Candidates = [new("c", new DateOnly(2025, 1, 1), "R1", "e2", "e3", PromotionOutcomes.Promoted, 3, 3, 5)],
        };
        var report = CultureAudit.Compute(input);
        var outlier = Assert.Single(report.SpanOfControl);
        Assert.Equal(("M", 13, 12, 8), (outlier.ManagerId, outlier.DirectReports, outlier.Limit, outlier.LevelLimit!.Value));
        Assert.Equal(["candour"], report.Recognition.Unrecognised);
        var curiosity = report.Recognition.Values.Single(v => v.Value == "curiosity");
        Assert.Equal((2, 1, 0, 1), (curiosity.Count, curiosity.FromManager, curiosity.FromReport, curiosity.FromPeer));
        Assert.Equal(1, report.Recognition.Values.Single(v => v.Value == "craft").FromReport);
        Assert.Equal(["2025-H1", "2025-H2"], report.Recognition.Periods);
        Assert.Equal(13, report.Tracks.Ladder.Single(l => l.Level == "e2").People);
        var expert = report.Tracks.Promotions.Single(t => t.Track == "expert");
        Assert.Equal(1, expert.Promoted);
        Assert.Equal(5.0, expert.MedianYearsToPromotion!.Value, 1);
        Assert.Equal(FitStatuses.Skipped, report.Drivers.Status);
    }

    [Fact]
    public void The_cycle_filter_restricts_the_decision_sections()
    {
        var org = Organisation(1.0, 1.0, n: 800);
        var report = CultureAudit.Compute(org with { Cycle = "2021-H2" });
        Assert.Equal("2021-H2", Assert.Single(report.Cycles).Cycle);
        Assert.Equal(200, report.Drivers.N);
        Assert.All(report.Flags, f => Assert.Equal("2021-H2", f.Cycle));
    }
}
