using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class AfterPromotionTests
{
    /// <summary>E1 (e2) becomes a people leader at l3 in cycle c1; E2, E3 and X1 then report to them.</summary>
    private static async Task<int> NewLeaderWithTeamAsync(TrellisApp app, Dictionary<string, HttpClient> c)
    {
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");
        await RespondAsync(c["E1"], id, "accept");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], id, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        await app.WithDbAsync(async db =>
        {
            foreach (var e in await db.Employees.Where(e => e.Id == "E2" || e.Id == "E3" || e.Id == "X1").ToListAsync()) e.ManagerId = "E1";
            await db.SaveChangesAsync();
        });
        return await app.WithDbAsync(db => db.TransitionPlans.Where(p => p.EmployeeId == "E1").Select(p => p.Id).SingleAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_new_leader_has_check_ins_with_their_manager_and_an_anonymous_pulse_shown_only_at_the_threshold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, CycleTestKit.Everyone);
        var plan = await NewLeaderWithTeamAsync(app, c);

        foreach (var who in new[] { "E1", "M2", "M1", "C1", "H1", "E2" })
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync($"/api/v1/transitions/{plan}"), who);
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["A1"].GetAsync($"/api/v1/transitions/{plan}"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/transitions/999"));

        await AssertStatusAsync(HttpStatusCode.OK, await c["M2"].PostAsJsonAsync($"/api/v1/transitions/{plan}/check-ins/30", new { note = "Delegation is going well." }));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["E2"].PostAsJsonAsync($"/api/v1/transitions/{plan}/check-ins/60", new { note = "x" }));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["M2"].PostAsJsonAsync($"/api/v1/transitions/{plan}/check-ins/45", new { note = "x" }));

        Task<HttpResponseMessage> Pulse(string who, int clarity = 4) =>
            c[who].PostAsJsonAsync($"/api/v1/transitions/{plan}/pulse", new { clarity, safety = 5, growth = 3, comment = $"comment {clarity}" });
        await AssertStatusAsync(HttpStatusCode.Forbidden, await Pulse("M2"));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await Pulse("E1"));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await Pulse("E2", clarity: 9));
        await AssertStatusAsync(HttpStatusCode.OK, await Pulse("E2", 4));
        await AssertStatusAsync(HttpStatusCode.Conflict, await Pulse("E2", 2));
        await AssertStatusAsync(HttpStatusCode.OK, await Pulse("E3", 2));

        var below = await JsonAsync(await c["E1"].GetAsync($"/api/v1/transitions/{plan}"));
        Assert.False(below.GetProperty("pulse").GetProperty("shown").GetBoolean());
        Assert.Equal(2, below.GetProperty("pulse").GetProperty("respondents").GetInt32());
        Assert.Equal(JsonValueKindNull, below.GetProperty("pulse").GetProperty("clarity").ValueKind);

        await AssertStatusAsync(HttpStatusCode.OK, await Pulse("X1", 3));
        var shown = await JsonAsync(await c["E1"].GetAsync($"/api/v1/transitions/{plan}"));
        Assert.True(shown.GetProperty("pulse").GetProperty("shown").GetBoolean());
        Assert.Equal(3.0, shown.GetProperty("pulse").GetProperty("clarity").GetDouble());
        Assert.Equal("Delegation is going well.", shown.GetProperty("check_ins")[0].GetProperty("note").GetString());
        // A team member sees neither the results nor the check-in notes.
        var asTeam = await JsonAsync(await c["E2"].GetAsync($"/api/v1/transitions/{plan}"));
        Assert.False(asTeam.GetProperty("pulse").GetProperty("shown").GetBoolean());
        Assert.Equal(JsonValueKindNull, asTeam.GetProperty("check_ins")[0].GetProperty("note").ValueKind);
        // The answers cannot be traced back: the stored answer carries no respondent.
        Assert.Equal(3, await app.WithDbAsync(db => db.PulseAnswers.CountAsync()));
        Assert.Equal(3, await app.WithDbAsync(db => db.PulseParticipation.CountAsync(p => p.PlanId == plan)));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_people_leader_moves_back_to_the_equal_band_expert_level_with_hr_approval_and_no_mark(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E2", "A1");

        var notLeader = await c["E2"].PostAsJsonAsync("/api/v1/track-returns", new { reason = "x" });
        await AssertStatusAsync(HttpStatusCode.BadRequest, notLeader);
        var requested = await c["M2"].PostAsJsonAsync("/api/v1/track-returns", new { reason = "I miss the hands-on work." });
        await AssertStatusAsync(HttpStatusCode.OK, requested);
        var request = await JsonAsync(requested);
        Assert.Equal(("l3", "e3", "requested"), (request.GetProperty("from_level").GetString(), request.GetProperty("to_level").GetString(), request.GetProperty("status").GetString()));
        var id = request.GetProperty("id").GetInt32();
        await AssertStatusAsync(HttpStatusCode.Conflict, await c["M2"].PostAsJsonAsync("/api/v1/track-returns", new { reason = "again" }));

        Assert.Equal(1, (await JsonAsync(await c["H1"].GetAsync("/api/v1/track-returns"))).GetArrayLength());
        Assert.Equal(0, (await JsonAsync(await c["E2"].GetAsync("/api/v1/track-returns"))).GetArrayLength());
        foreach (var who in new[] { "C1", "M2", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PostAsync($"/api/v1/track-returns/{id}/approve", null), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].PostAsync("/api/v1/track-returns/999/approve", null));
        await AssertStatusAsync(HttpStatusCode.OK, await c["H1"].PostAsync($"/api/v1/track-returns/{id}/approve", null));
        await AssertStatusAsync(HttpStatusCode.Conflict, await c["H1"].PostAsync($"/api/v1/track-returns/{id}/approve", null));

        var m2 = await app.WithDbAsync(db => db.Employees.AsNoTracking().FirstAsync(e => e.Id == "M2"));
        Assert.Equal(("e3", "expert", TestOrganisation.Hired), (m2.Level, m2.Track, m2.LevelSince));
        Assert.False(await app.WithDbAsync(db => db.Promotions.AnyAsync(p => p.EmployeeId == "M2")));
        // Counted as a return for the audit.
        Assert.Equal(1, await app.WithDbAsync(db => db.TrackReturns.CountAsync(r => r.Status == TrackReturnStatus.Approved && r.EmployeeId == "M2")));
    }
}
