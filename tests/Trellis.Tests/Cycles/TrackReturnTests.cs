using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>Issue 11: approving a move back to the expert track is complete — reports, plan, title — in one transaction and in the history.</summary>
public sealed class TrackReturnTests
{
    private static async Task<int> RequestAsync(HttpClient client)
    {
        var r = await client.PostAsJsonAsync("/api/v1/track-returns", new { reason = "I miss the craft." });
        await AssertStatusAsync(HttpStatusCode.OK, r);
        return (await JsonAsync(r)).GetProperty("id").GetInt32();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Approval_moves_the_reports_to_the_manager_closes_the_plan_sets_the_title_and_writes_the_history(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "M2", "E1", "X1");
        // M2 (l3, reports E1 and E2, manager M1) is a new leader with an open transition plan.
        await app.WithDbAsync(async db =>
        {
            db.TransitionPlans.Add(new TransitionPlan { EmployeeId = "M2", ManagerId = "M1", Cycle = "old", Level = "l3", StartsOn = new DateOnly(2026, 10, 1) });
            await db.SaveChangesAsync();
        });
        var id = await RequestAsync(c["M2"]);
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["M1"].PostAsync($"/api/v1/track-returns/{id}/approve", null));

        // The page asks HR who takes the two reports, with M2's manager preselected.
        var page = await c["H1"].GetStringAsync("/returns");
        Assert.Contains("2 direct report(s) go to", page);
        Assert.Contains("selected=\"selected\">Mira Manager (their manager)", page);

        await AssertStatusAsync(HttpStatusCode.OK, await c["H1"].PostAsync($"/api/v1/track-returns/{id}/approve", null));
        var people = await app.WithDbAsync(db => db.Employees.AsNoTracking().ToDictionaryAsync(e => e.Id));
        Assert.Equal(("e3", "expert", "Senior", TestOrganisation.Hired), (people["M2"].Level, people["M2"].Track, people["M2"].Title, people["M2"].LevelSince));
        Assert.Equal(("M1", "M1"), (people["E1"].ManagerId, people["E2"].ManagerId));
        var plan = await app.WithDbAsync(db => db.TransitionPlans.AsNoTracking().SingleAsync(p => p.EmployeeId == "M2"));
        Assert.NotNull(plan.ClosedOn);
        Assert.Equal("M1", await app.WithDbAsync(db => db.TrackReturns.Where(r => r.Id == id).Select(r => r.ReportsMovedTo).SingleAsync()));
        Assert.False(await app.WithDbAsync(db => db.Promotions.AnyAsync(p => p.EmployeeId == "M2")));

        var history = await JsonAsync(await c["M2"].GetAsync("/api/v1/employees/M2/history"));
        Assert.Equal(["transition_closed", "reports_moved", "title", "track_return"], history.EnumerateArray().Select(h => h.GetProperty("kind").GetString()));
        Assert.Contains("Eli Engineer", history.EnumerateArray().Single(h => h.GetProperty("kind").GetString() == "reports_moved").GetProperty("detail").GetString());
        var eli = await JsonAsync(await c["E1"].GetAsync("/api/v1/employees/E1/history"));
        Assert.Contains("Mira Manager", Assert.Single(eli.EnumerateArray()).GetProperty("detail").GetString());
        await AssertStatusAsync(HttpStatusCode.OK, await c["M1"].GetAsync("/api/v1/employees/M2/history"));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["X1"].GetAsync("/api/v1/employees/M2/history"));
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.EmployeeId == "E1" && n.Title == "You now report to Mira Manager")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_picks_who_takes_the_reports_and_nobody_ends_up_under_themselves(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "C1");
        // M1 (l5) leads M2 (who leads E1, E2) and E3.
        var id = await RequestAsync(c["M1"]);
        async Task<HttpResponseMessage> Approve(string? to) => await c["H1"].PostAsJsonAsync($"/api/v1/track-returns/{id}/approve", new { reports_to = to });

        foreach (var inside in new[] { "M1", "M2", "E1" })
        {
            var refused = await Approve(inside);
            await AssertStatusAsync(HttpStatusCode.BadRequest, refused, inside);
            Assert.True((await JsonAsync(refused)).GetProperty("errors").TryGetProperty("reports_to", out _));
        }
        await AssertStatusAsync(HttpStatusCode.BadRequest, await Approve("NOPE"));
        // Nothing moved while refused.
        Assert.Equal("l5", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "M1").Select(e => e.Level).SingleAsync()));

        await AssertStatusAsync(HttpStatusCode.OK, await Approve("H1"));
        var managers = await app.WithDbAsync(db => db.Employees.AsNoTracking().Where(e => e.Id == "M2" || e.Id == "E3").Select(e => e.ManagerId).ToListAsync());
        Assert.All(managers, m => Assert.Equal("H1", m));
        Assert.Equal("e5", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "M1").Select(e => e.Level).SingleAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_leader_without_a_manager_needs_hr_to_name_who_takes_the_team(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1");
        var id = await RequestAsync(c["C1"]);   // C1 (l6) has no manager and leads M1
        var refused = await c["H1"].PostAsync($"/api/v1/track-returns/{id}/approve", null);
        await AssertStatusAsync(HttpStatusCode.BadRequest, refused);
        Assert.Contains("no manager", (await JsonAsync(refused)).GetProperty("detail").GetString());
        await AssertStatusAsync(HttpStatusCode.OK, await c["H1"].PostAsJsonAsync($"/api/v1/track-returns/{id}/approve", new { reports_to = "H1" }));
        Assert.Equal("H1", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "M1").Select(e => e.ManagerId).SingleAsync()));
    }
}
