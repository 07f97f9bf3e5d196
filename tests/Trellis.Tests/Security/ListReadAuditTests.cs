using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Security;

/// <summary>
/// A list of people's readiness or plans is a read of each person on it: the audit log has one entry per person shown
/// (whom, by whom, what), never one entry without a subject that no one can find by the person's name.
/// </summary>
public sealed class ListReadAuditTests
{
    private static async Task<List<(string? Subject, string? Actor)>> EntriesAsync(TrellisApp app, string action, long after) =>
        (await app.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Action == action && e.Id > after)
            .Select(e => new { e.SubjectEmployeeId, e.ActorEmployeeId }).ToListAsync()))
        .Select(e => (e.SubjectEmployeeId, e.ActorEmployeeId)).ToList();

    private static Task<long> LastEntryAsync(TrellisApp app) => app.WithDbAsync(async db => await db.AuditLog.AnyAsync() ? await db.AuditLog.MaxAsync(e => e.Id) : 0L);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Team_readiness_is_logged_per_person_shown(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var milo = await app.ClientForAsync("M2");

        var last = await LastEntryAsync(app);
        await AssertStatusAsync(HttpStatusCode.OK, await milo.GetAsync("/api/v1/team/readiness"));
        Assert.Equal([("E1", "M2"), ("E2", "M2")], (await EntriesAsync(app, "read_team_readiness", last)).Order());

        // One page of one: only the person on it was read.
        last = await LastEntryAsync(app);
        await AssertStatusAsync(HttpStatusCode.OK, await milo.GetAsync("/api/v1/team/readiness?page=2&page_size=1"));
        Assert.Equal([("E2", "M2")], await EntriesAsync(app, "read_team_readiness", last));

        last = await LastEntryAsync(app);
        await AssertStatusAsync(HttpStatusCode.OK, await milo.GetAsync("/team"));
        Assert.Equal([("E1", "M2"), ("E2", "M2")], (await EntriesAsync(app, "read_team_readiness", last)).Order());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Suggestions_are_logged_per_person_shown_in_the_api_and_on_the_cycle_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // Strong released feedback about Eva: the engine suggests her.
        var behaviors = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.Select(b => b.Key).ToList();
        await app.WithDbAsync(async db =>
        {
            var k = 0;
            foreach (var b in behaviors)
                foreach (var rater in new[] { "E1", "E3", "X1" })
                    db.Observations.Add(new Observation { Id = $"e2-{k++}", SubjectId = "E2", RaterId = rater, Relationship = "other", Behavior = b, Rating = 5,
                        ObservedOn = Today.AddDays(-30), ReleasedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
        var c = await ClientsAsync(app, "H1", "M2");
        await CycleAsync(c["H1"], "c1");

        foreach (var (who, path) in new[] { ("H1", "/api/v1/cycles/c1/suggestions"), ("M2", "/api/v1/cycles/c1/suggestions"), ("H1", "/cycles/c1"), ("M2", "/cycles/c1") })
        {
            var last = await LastEntryAsync(app);
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync(path), $"{who} {path}");
            Assert.Equal([("E2", who)], await EntriesAsync(app, "cycle.suggestions", last));
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_list_of_plans_is_logged_per_person_listed(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M2", "E1", "E2");
        foreach (var who in new[] { "E1", "E2", "M2" })
            await AssertStatusAsync(HttpStatusCode.Created, await c[who].PostAsJsonAsync("/api/v1/development-plans", new
            {
                employee_id = who, behaviors = new[] { "asks-why" },
                actions = new[] { new { behavior = "asks-why", text = "Ask who a change is for before starting it", due_on = Iso(Today.AddDays(14)) } },
            }), who);

        foreach (var (who, expected) in new[] { ("M2", new[] { "E1", "E2" }), ("H1", new[] { "E1", "E2", "M2" }) })
        {
            var last = await LastEntryAsync(app);
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync("/api/v1/development-plans"), who);
            Assert.Equal(expected.Select(s => ((string?)s, (string?)who)), (await EntriesAsync(app, "development_plan.list", last)).Order());
        }
        // One's own plans are not a disclosure.
        var mine = await LastEntryAsync(app);
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].GetAsync("/api/v1/development-plans"));
        Assert.Empty(await EntriesAsync(app, "development_plan.list", mine));
    }
}
