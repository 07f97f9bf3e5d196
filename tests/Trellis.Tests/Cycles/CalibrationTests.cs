using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class CalibrationTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_board_is_for_hr_and_the_cycles_committee_with_rows_flags_budget_and_bands(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "A1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"], budget: 2);
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e2 = await NominatedAsync(c["E2"], "c1", "E2", "e4");
        await NominatedAsync(c["M1"], "c1", "E3", "l4");
        await NominatedAsync(c["H1"], "c1", "X1", "l4");
        await app.WithDbAsync(async db =>
        {
            db.Concerns.Add(new Concern { Id = "K1", EmployeeId = "E1", Category = "conduct", Substantiated = true, RecordedOn = Today.AddDays(-20) });
            db.Results.Add(new ResultRecord { EmployeeId = "E2", Period = "2025-H1", PeriodEnd = new DateOnly(2025, 6, 30), Score = 3.0 });
            db.Results.Add(new ResultRecord { EmployeeId = "E2", Period = "2025-H2", PeriodEnd = new DateOnly(2025, 12, 31), Score = 4.5 });
            await db.SaveChangesAsync();
        });
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], e2, "accept"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], e1, "decline"));

        foreach (var who in new[] { "M1", "M2", "E1", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/cycles/c1/board"), who);
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await app.AnonymousClient().GetAsync("/api/v1/cycles/c1/board"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/cycles/nope/board"));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await c["H1"].GetAsync("/api/v1/cycles/c1/board?sort=height"));
        await AssertStatusAsync(HttpStatusCode.OK, await c["C1"].GetAsync("/api/v1/cycles/c1/board"));

        var board = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/board"));
        Assert.Equal(4, board.GetProperty("candidates").GetInt32());
        Assert.Equal(2, board.GetProperty("budget").GetInt32());
        Assert.Equal(4, board.GetProperty("bands").EnumerateObject().Sum(b => b.Value.GetInt32()));
        var rows = board.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("employee_id").GetString()!);
        Assert.Equal(["E1", "E2", "E3", "X1"], rows.Keys.Order());
        Assert.All(rows.Values, r => Assert.Contains(r.GetProperty("band").GetString(), ReadinessBands.All));
        Assert.Equal("e3", rows["E1"].GetProperty("target_level").GetString());
        Assert.Contains("substantiated_concern", rows["E1"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.DoesNotContain("substantiated_concern", rows["E2"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(4.5, rows["E2"].GetProperty("latest_results").GetDouble());
        Assert.Equal("decline", rows["E1"].GetProperty("response").GetString());
        Assert.True(rows.Values.All(r => r.TryGetProperty("evidence_count", out _) && r.TryGetProperty("rater_count", out _) && r.TryGetProperty("values_ci", out _) && r.TryGetProperty("results_gate", out _)));

        // Filters and sort.
        var accepted = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/board?response=accept"));
        Assert.Equal(["E2"], accepted.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("employee_id").GetString()));
        var flagged = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/board?flag=substantiated_concern"));
        Assert.Equal(["E1"], flagged.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("employee_id").GetString()));
        var byNameDesc = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/board?sort=name&dir=desc"));
        Assert.Equal(["Xavi Sales", "Ezra Engineer", "Eva Engineer", "Eli Engineer"], byNameDesc.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var search = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/board?q=sales"));
        Assert.Equal(1, search.GetProperty("rows").GetArrayLength());

        // Budget used counts promotions that stand: not the one the candidate declined.
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], e2, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], e1, "promoted"));
        var after = await JsonAsync(await c["C1"].GetAsync("/api/v1/cycles/c1/board"));
        Assert.Equal(1, after.GetProperty("budget_used").GetInt32());
        var decided = after.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("employee_id").GetString() == "E2");
        Assert.Equal(("promoted", 1), (decided.GetProperty("decision").GetString(), decided.GetProperty("version").GetInt32()));
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "cycle.board" && a.ActorEmployeeId == "C1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Each_row_opens_to_its_evidence_with_anonymity_kept(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        await app.WithDbAsync(async db =>
        {
            var n = 0;
            Observation O(string rater, string rel, int rating, string comment) => new()
            {
                Id = $"O{++n}", SubjectId = "E1", RaterId = rater, Relationship = rel, Behavior = "asks-why", Rating = rating, ObservedOn = Today.AddDays(-n), Comment = comment,
            };
            db.Observations.AddRange(
                O("E2", "peer", 4, "peer comment from a small group"), O("E3", "peer", 3, "another small-group comment"),
                O("X1", "other", 4, "other one"), O("A1", "other", 4, "other two"), O("H1", "other", 5, "other three"));
            await db.SaveChangesAsync();
        });
        foreach (var who in new[] { "M2", "E1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/nominations/{id}/evidence"), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/nominations/4242/evidence"));
        var response = await c["C1"].GetAsync($"/api/v1/nominations/{id}/evidence");
        await AssertStatusAsync(HttpStatusCode.OK, response);
        var text = await response.Content.ReadAsStringAsync();
        var evidence = JsonDocument.Parse(text).RootElement;
        var groups = evidence.GetProperty("relationships").EnumerateArray().ToDictionary(g => g.GetProperty("relationship").GetString()!);
        Assert.True(groups["peer"].GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, groups["peer"].GetProperty("mean_rating").ValueKind);
        Assert.Equal(2, groups["peer"].GetProperty("raters").GetInt32());
        Assert.False(groups["other"].GetProperty("suppressed").GetBoolean());
        Assert.Equal(4.33, groups["other"].GetProperty("mean_rating").GetDouble());
        Assert.DoesNotContain("small-group", text);
        Assert.Contains("other three", text);
        foreach (var rater in new[] { "\"E2\"", "\"E3\"", "\"X1\"", "\"A1\"" }) Assert.DoesNotContain(rater, text);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "nomination.evidence" && a.SubjectEmployeeId == "E1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Publication_by_hr_records_every_candidate_changes_levels_and_shows_decisions(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "E3", "X1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var leader = await NominatedAsync(c["M2"], "c1", "E1", "l3");   // accepts, promoted: a new people leader
        var expert = await NominatedAsync(c["M1"], "c1", "E3", "l4");   // takes the expert track, promoted: e4
        var alt = await NominatedAsync(c["H1"], "c1", "X1", "l4");      // chooses the expert track, committee gives the alternative: e4
        var declined = await NominatedAsync(c["H1"], "c1", "M2", "l4"); // declines
        var deferred = await NominatedAsync(c["E2"], "c1", "E2", "e4"); // defers
        var notYet = await NominatedAsync(c["H1"], "c1", "H1", "l5");   // accepts, not yet
        await RespondAsync(c["E1"], leader, "accept");
        await RespondAsync(c["E3"], expert, "expert_track");
        await RespondAsync(c["X1"], alt, "expert_track");
        await RespondAsync(c["M2"], declined, "decline");
        await RespondAsync(c["E2"], deferred, "defer");
        await RespondAsync(c["H1"], notYet, "accept");

        await AssertStatusAsync(HttpStatusCode.Conflict, await PublishAsync(c["H1"], "c1"), "publish before calibration");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await DecideAsync(c["C1"], leader, "promoted", "Grows others; the team asked for them.");
        await DecideAsync(c["C1"], expert, "promoted");
        await DecideAsync(c["C1"], alt, "alternative", "Deep expertise; the leader scope is not the best fit yet.");
        var undecided = await PublishAsync(c["H1"], "c1");
        await AssertStatusAsync(HttpStatusCode.Conflict, undecided);
        Assert.Contains("H1", (await JsonAsync(undecided)).GetProperty("detail").GetString());
        await DecideAsync(c["C1"], notYet, "not_yet", "Needs more evidence from reports.");

        // Before publication, neither the candidate nor their manager sees the decision.
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{leader}"))).GetProperty("decision").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(await c["M2"].GetAsync($"/api/v1/nominations/{leader}"))).GetProperty("decision").ValueKind);

        foreach (var who in new[] { "C1", "M1", "E1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await PublishAsync(c[who], "c1"), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await PublishAsync(c["H1"], "nope"));
        var published = await PublishAsync(c["H1"], "c1");
        await AssertStatusAsync(HttpStatusCode.OK, published);
        Assert.Equal("published", (await JsonAsync(published)).GetProperty("phase").GetString());

        var promotions = await app.WithDbAsync(db => db.Promotions.AsNoTracking().Where(p => p.Cycle == "c1").ToListAsync());
        Assert.Equal(
            [("E1", "e2", "l3", "promoted"), ("E2", "e3", "e4", "deferred"), ("E3", "e3", "e4", "promoted"), ("H1", "l4", "l5", "not_promoted"), ("M2", "l3", "l4", "declined"), ("X1", "e3", "e4", "promoted")],
            promotions.OrderBy(p => p.EmployeeId, StringComparer.Ordinal).Select(p => (p.EmployeeId, p.FromLevel, p.ToLevel, p.Outcome)));
        Assert.All(promotions, p => Assert.Equal(Today, p.DecidedOn));

        var people = await app.WithDbAsync(db => db.Employees.AsNoTracking().ToDictionaryAsync(e => e.Id));
        Assert.Equal(("l3", "leader", Today), (people["E1"].Level, people["E1"].Track, people["E1"].LevelSince));
        Assert.Equal(("e4", "expert", Today), (people["E3"].Level, people["E3"].Track, people["E3"].LevelSince));
        Assert.Equal(("e4", "expert"), (people["X1"].Level, people["X1"].Track));
        Assert.Equal(("l3", TestOrganisation.Hired), (people["M2"].Level, people["M2"].LevelSince));
        Assert.Equal(("e3", TestOrganisation.Hired), (people["E2"].Level, people["E2"].LevelSince));
        Assert.Equal("l4", people["H1"].Level);

        // Now the candidate and their managers see the outcome and the rationale.
        foreach (var who in new[] { "E1", "M2", "M1" })
        {
            var view = await JsonAsync(await c[who].GetAsync($"/api/v1/nominations/{leader}"));
            Assert.Equal(("promoted", "l3"), (view.GetProperty("outcome").GetString(), view.GetProperty("reached_level").GetString()));
            Assert.Equal("Grows others; the team asked for them.", view.GetProperty("decision").GetProperty("rationale").GetString());
        }
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["X1"].GetAsync($"/api/v1/nominations/{leader}"));
        var altView = await JsonAsync(await c["X1"].GetAsync($"/api/v1/nominations/{alt}"));
        Assert.Equal(("promoted", "e4"), (altView.GetProperty("outcome").GetString(), altView.GetProperty("reached_level").GetString()));

        // The new people leader gets a transition plan with their manager; the others do not.
        var plans = await app.WithDbAsync(db => db.TransitionPlans.AsNoTracking().ToListAsync());
        var plan = Assert.Single(plans);
        Assert.Equal(("E1", "M2", "l3"), (plan.EmployeeId, plan.ManagerId, plan.Level));
        Assert.Equal([30, 60, 90], await app.WithDbAsync(db => db.TransitionCheckIns.Where(x => x.PlanId == plan.Id).OrderBy(x => x.Day).Select(x => x.Day).ToListAsync()));
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.EmployeeId == "M2" && n.Link == $"/nominations/{leader}")));

        // Published means closed.
        await AssertStatusAsync(HttpStatusCode.Conflict, await PublishAsync(c["H1"], "c1"));
        await AssertStatusAsync(HttpStatusCode.Conflict, await DecideAsync(c["C1"], leader, "not_yet", version: 1));
        await AssertStatusAsync(HttpStatusCode.Conflict, await RespondAsync(c["E2"], deferred, "accept"));
        await AssertStatusAsync(HttpStatusCode.Conflict, await c["H1"].PostAsJsonAsync("/api/v1/cycles/c1/phase", new { phase = "calibration" }));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Declining_or_deferring_never_lowers_readiness_eligibility_or_suggestions(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1", "E2");
        var readiness = app.Services.GetRequiredService<ReadinessService>();
        async Task<string> ReadinessOf(string id) => JsonSerializer.Serialize(await readiness.GetAsync(id));
        async Task<bool> SuggestedIn(string cycle, string id) =>
            (await JsonAsync(await c["H1"].GetAsync($"/api/v1/cycles/{cycle}/suggestions"))).GetProperty("items").EnumerateArray().Any(s => s.GetProperty("employee_id").GetString() == id);

        await CycleAsync(c["H1"], "before");
        var before = new Dictionary<string, (string Readiness, bool Suggested, Employee Record)>();
        foreach (var id in new[] { "E1", "E2" })
            before[id] = (await ReadinessOf(id), await SuggestedIn("before", id), await app.WithDbAsync(db => db.Employees.AsNoTracking().FirstAsync(e => e.Id == id)));

        await CycleAsync(c["H1"], "c1");
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e2 = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], e1, "decline", "I love the work I do now."));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], e2, "defer"));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        Assert.Equal(["declined", "deferred"], await app.WithDbAsync(db => db.Promotions.Where(p => p.Cycle == "c1").OrderBy(p => p.EmployeeId).Select(p => p.Outcome).ToListAsync()));

        await CycleAsync(c["H1"], "after");
        foreach (var id in new[] { "E1", "E2" })
        {
            Assert.Equal(before[id].Readiness, await ReadinessOf(id));
            Assert.Equal(before[id].Suggested, await SuggestedIn("after", id));
            var record = await app.WithDbAsync(db => db.Employees.AsNoTracking().FirstAsync(e => e.Id == id));
            Assert.Equal((before[id].Record.Level, before[id].Record.Track, before[id].Record.LevelSince), (record.Level, record.Track, record.LevelSince));
        }
        // Still eligible: nominated again in the next cycle, for the same target.
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["M2"], "after", "E1", "e3"));
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["E2"], "after", "E2", "e4"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Suggestions_are_for_hr_and_managers_only(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "E1", "A1");
        await CycleAsync(c["H1"], "c1");
        foreach (var who in new[] { "H1", "M1", "C1" })
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync("/api/v1/cycles/c1/suggestions"), who);
        foreach (var who in new[] { "E1", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/cycles/c1/suggestions"), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/cycles/nope/suggestions"));
    }
}
