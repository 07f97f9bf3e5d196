using System.Net;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>
/// Publication applies exactly what was decided, once: never to a level the person has left, never to a leaver, never twice
/// when published twice at once, never with an answer other than the one stored, and never over history it did not write.
/// </summary>
public sealed class PublicationIntegrityTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_person_is_nominated_in_one_open_cycle_at_a_time(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        await CycleAsync(c["H1"], "c2", committee: ["C1"]);
        var first = await NominatedAsync(c["M2"], "c1", "E1", "e3");

        var second = await NominateAsync(c["H1"], "c2", "E1", "l3");
        await AssertStatusAsync(HttpStatusCode.Conflict, second);
        Assert.Contains("'c1'", (await JsonAsync(second)).GetProperty("detail").GetString());
        await AssertStatusAsync(HttpStatusCode.Conflict, await NominateAsync(c["E1"], "c2", "E1", "e3"));

        // Once that cycle is published, the next nomination is made from the level the person is at then.
        await RespondAsync(c["E1"], first, "accept");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], first, "not_yet"));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["H1"], "c2", "E1", "e3"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_promotion_decided_for_a_level_the_person_no_longer_holds_blocks_publication(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E3");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        await CycleAsync(c["H1"], "c2", committee: ["C1"]);
        var inC1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e3 = await NominatedAsync(c["M1"], "c2", "E3", "e4");
        // E1 is nominated in c2 as well, from the same level, on the other track: written before one open nomination was the rule.
        var inC2 = await app.WithDbAsync(async db =>
        {
            var cycle = await db.Cycles.SingleAsync(x => x.Name == "c2");
            var n = new Nomination
            {
                CycleId = cycle.Id, EmployeeId = "E1", FromLevel = "e2", TargetLevel = "l3", Rationale = "Leads the guild.",
                NominatedBy = "H1", NominatedAs = "hr", CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Nominations.Add(n);
            await db.SaveChangesAsync();
            return n.Id;
        });
        foreach (var (who, id) in new[] { ("E1", inC1), ("E1", inC2), ("E3", e3) })
            await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c[who], id, "accept"), who);
        foreach (var cycle in new[] { "c1", "c2" }) await PhaseAsync(c["H1"], cycle, "calibration");
        foreach (var id in new[] { inC1, inC2, e3 }) await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], id, "promoted"));
        // An import moves E3 up after the nomination.
        await app.WithDbAsync(async db => { (await db.Employees.SingleAsync(e => e.Id == "E3")).Level = "e4"; await db.SaveChangesAsync(); });

        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        Assert.Equal("e3", await LevelAsync(app, "E1"));

        var preview = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c2/publication"));
        var blockers = preview.GetProperty("blockers").EnumerateArray()
            .ToDictionary(b => b.GetProperty("employee_id").GetString()!, b => b.GetProperty("reason").GetString()!);
        Assert.Equal(["E1", "E3"], blockers.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("now at e3, not at e2", blockers["E1"]);
        Assert.Contains("now at e4, not at e3", blockers["E3"]);
        Assert.Equal(0, preview.GetProperty("promotions").GetInt32());

        var refused = await PublishAsync(c["H1"], "c2");
        await AssertStatusAsync(HttpStatusCode.Conflict, refused);
        Assert.Equal(2, (await JsonAsync(refused)).GetProperty("blockers").GetArrayLength());
        Assert.Equal("calibration", (await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c2"))).GetProperty("phase").GetString());
        Assert.Equal(("e3", "e4"), (await LevelAsync(app, "E1"), await LevelAsync(app, "E3")));
        Assert.False(await app.WithDbAsync(db => db.Promotions.AnyAsync(p => p.Cycle == "c2")));

        // The committee reconsiders: published, nothing moves, and the history says what was decided.
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], inC2, "not_yet", "Promoted in c1 already.", version: 1));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], e3, "not_yet", "Moved up by the reorganisation.", version: 1));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c2"));
        Assert.Equal(("e3", "e4"), (await LevelAsync(app, "E1"), await LevelAsync(app, "E3")));
        Assert.Equal("expert", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E1").Select(e => e.Track).SingleAsync()));
        Assert.Equal([("E1", "c1", "promoted"), ("E1", "c2", "not_promoted"), ("E3", "c2", "not_promoted")],
            (await app.WithDbAsync(db => db.Promotions.Select(p => new { p.EmployeeId, p.Cycle, p.Outcome }).ToListAsync()))
                .Select(p => (p.EmployeeId, p.Cycle, p.Outcome)).Order());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Someone_who_left_after_the_nomination_is_never_promoted(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1", "E2");
        await CycleAsync(c["H1"], "c1", committee: ["C1"], budget: 1);
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e2 = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        await RespondAsync(c["E1"], e1, "accept");
        await RespondAsync(c["E2"], e2, "accept");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await DecideAsync(c["C1"], e1, "promoted");
        await DecideAsync(c["C1"], e2, "promoted");
        await app.WithDbAsync(async db => { (await db.Employees.SingleAsync(e => e.Id == "E1")).Status = EmployeeStatus.Left; await db.SaveChangesAsync(); });

        var preview = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/publication"));
        var blocker = Assert.Single(preview.GetProperty("blockers").EnumerateArray());
        Assert.Equal("E1", blocker.GetProperty("employee_id").GetString());
        Assert.Contains("left the organisation", blocker.GetProperty("reason").GetString());
        Assert.Equal(1, preview.GetProperty("promotions").GetInt32());   // the leaver does not count against the budget
        Assert.Contains("left the organisation", await c["H1"].GetStringAsync("/cycles/c1"));
        await AssertStatusAsync(HttpStatusCode.Conflict, await PublishAsync(c["H1"], "c1"));
        Assert.Equal("e2", await LevelAsync(app, "E1"));

        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], e1, "not_yet", "Left the company.", version: 1));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        Assert.Equal(("e2", "e4"), (await LevelAsync(app, "E1"), await LevelAsync(app, "E2")));
        Assert.Equal("not_promoted", await app.WithDbAsync(db => db.Promotions.Where(p => p.Cycle == "c1" && p.EmployeeId == "E1").Select(p => p.Outcome).SingleAsync()));
        Assert.Equal(["E2"], await app.WithDbAsync(db => db.Notifications.Where(n => n.Link == "/promotions/story/c1").Select(n => n.EmployeeId).ToListAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Five_publications_at_once_publish_the_cycle_once(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "E3");
        await app.WithDbAsync(async db =>
        {
            // Unreachable: events are stored (and counted below) only for a subscribed endpoint.
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                Url = "http://127.0.0.1:9/hook", Events = "cycle.published promotion.published", Secret = "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==",
                CreatedBy = "A1", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        });
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var ids = new Dictionary<string, int>
        {
            ["E1"] = await NominatedAsync(c["M2"], "c1", "E1", "e3"),
            ["E2"] = await NominatedAsync(c["M2"], "c1", "E2", "e4"),
            ["E3"] = await NominatedAsync(c["M1"], "c1", "E3", "e4"),
        };
        foreach (var (who, id) in ids) await RespondAsync(c[who], id, "accept");
        await PhaseAsync(c["H1"], "c1", "calibration");
        foreach (var (who, id) in ids) await DecideAsync(c["C1"], id, who == "E3" ? "not_yet" : "promoted");

        var hr = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => app.ClientForAsync("H1")));
        var answers = await Task.WhenAll(hr.Select(client => PublishAsync(client, "c1")));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict],
            answers.Select(a => a.StatusCode).Order());
        foreach (var refused in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            await AssertStatusAsync(HttpStatusCode.Conflict, refused);
            Assert.Contains("already published", (await JsonAsync(refused)).GetProperty("detail").GetString());
        }
        await app.WithDbAsync(async db =>
        {
            var cycle = await db.Cycles.SingleAsync(x => x.Name == "c1");
            Assert.Equal(1, await db.CycleEvents.CountAsync(e => e.CycleId == cycle.Id && e.Kind == "published"));
            Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.CyclePublished));
            // One per person promoted (E1, E2): the third candidate's outcome is theirs and is not sent (docs/security.md).
            Assert.Equal(2, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.PromotionPublished));
            Assert.Equal(["E1", "E2"], await db.Notifications.Where(n => n.Link == "/promotions/story/c1").Select(n => n.EmployeeId).OrderBy(e => e).ToListAsync());
            Assert.Equal(3, await db.Notifications.CountAsync(n => n.Title == "The c1 cycle is published"));
            Assert.Equal(3, await db.Promotions.CountAsync(p => p.Cycle == "c1"));
        });
        Assert.Equal(("e3", "e4", "e3"), (await LevelAsync(app, "E1"), await LevelAsync(app, "E2"), await LevelAsync(app, "E3")));
    }

    /// <summary>
    /// Rounds of a publication and answers sent at the same moment. Each answer either lands before the publication, which then
    /// uses it (or is refused because of it), or is refused with 409; what is stored is always what the outcome was made of.
    /// </summary>
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_answer_racing_the_publication_is_either_the_one_it_used_or_refused(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1", "E2");
        var outcomeOf = new Dictionary<string, string> { ["accept"] = "not_promoted", ["decline"] = "declined", ["defer"] = "deferred" };
        for (var round = 0; round < 6; round++)
        {
            var cycle = $"r{round}";
            await CycleAsync(c["H1"], cycle, committee: ["C1"]);
            // E1 defers and has no decision: an accept landing before the publication blocks it (no committee decision).
            // E2 accepted and is not promoted this time: any answer of theirs publishes.
            var e1 = await NominatedAsync(c["M2"], cycle, "E1", "e3");
            var e2 = await NominatedAsync(c["M2"], cycle, "E2", "e4");
            await RespondAsync(c["E1"], e1, "defer");
            await RespondAsync(c["E2"], e2, "accept");
            await PhaseAsync(c["H1"], cycle, "calibration");
            await DecideAsync(c["C1"], e2, "not_yet");

            var publish = PublishAsync(c["H1"], cycle);
            var answers = new[] { RespondAsync(c["E1"], e1, "accept"), RespondAsync(c["E2"], e2, "decline"), RespondAsync(c["E2"], e2, "defer") };
            var published = await publish;
            foreach (var answer in await Task.WhenAll(answers))
                Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{cycle}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            Assert.True(published.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{cycle}: {(int)published.StatusCode} {await published.Content.ReadAsStringAsync()}");

            var stored = await app.WithDbAsync(db => db.Nominations.AsNoTracking().Where(n => n.Id == e1 || n.Id == e2).ToDictionaryAsync(n => n.EmployeeId));
            if (published.StatusCode == HttpStatusCode.OK)
            {
                foreach (var n in stored.Values) Assert.Equal(outcomeOf[n.Choice!], n.PublishedOutcome);
                Assert.Equal("defer", stored["E1"].Choice);   // its accept came too late: had it landed, publication would have been blocked
                Assert.Equal(stored.Values.Select(n => (n.EmployeeId, n.PublishedOutcome)).Order(),
                    (await app.WithDbAsync(db => db.Promotions.Where(p => p.Cycle == cycle).Select(p => new { p.EmployeeId, p.Outcome }).ToListAsync()))
                        .Select(p => (p.EmployeeId, (string?)p.Outcome)).Order());
            }
            else
            {
                // Blocked by the accept that landed first: nothing is published, and the cycle is closed for the next round.
                Assert.Contains("blockers", await published.Content.ReadAsStringAsync());
                Assert.Equal("accept", stored["E1"].Choice);
                Assert.All(stored.Values, n => Assert.Null(n.PublishedOutcome));
                await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], e1, "not_yet"));
                await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], cycle));
            }
            // After publication every answer is refused.
            await AssertStatusAsync(HttpStatusCode.Conflict, await RespondAsync(c["E2"], e2, "accept"));
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_promotion_history_is_never_overwritten_by_a_cycle_of_the_same_name(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1", "E2");
        var imported = new PromotionRecord { Cycle = "2025-H2", EmployeeId = "E1", DecidedOn = new DateOnly(2025, 12, 15), FromLevel = "e1", ToLevel = "e2", Outcome = "promoted" };
        await app.WithDbAsync(async db => { db.Promotions.Add(imported); await db.SaveChangesAsync(); });

        var reused = await CreateCycleAsync(c["H1"], "2025-H2", committee: ["C1"]);
        await AssertStatusAsync(HttpStatusCode.Conflict, reused);
        Assert.Contains("promotion history", (await JsonAsync(reused)).GetProperty("detail").GetString());
        Assert.False(await app.WithDbAsync(db => db.Cycles.AnyAsync(x => x.Name == "2025-H2")));

        // History imported under a cycle's name after the cycle was created: publication blocks on it rather than overwrite it.
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e2 = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        await RespondAsync(c["E1"], e1, "accept");
        await RespondAsync(c["E2"], e2, "decline");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await DecideAsync(c["C1"], e1, "promoted");
        await app.WithDbAsync(async db =>
        {
            db.Promotions.Add(new PromotionRecord { Cycle = "c1", EmployeeId = "E1", DecidedOn = new DateOnly(2024, 6, 30), FromLevel = "e1", ToLevel = "e2", Outcome = "promoted" });
            await db.SaveChangesAsync();
        });

        var blocker = Assert.Single((await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/publication"))).GetProperty("blockers").EnumerateArray());
        Assert.Equal("E1", blocker.GetProperty("employee_id").GetString());
        Assert.Contains("promotion history", blocker.GetProperty("reason").GetString());
        var refused = await PublishAsync(c["H1"], "c1");
        await AssertStatusAsync(HttpStatusCode.Conflict, refused);
        var row = await app.WithDbAsync(db => db.Promotions.AsNoTracking().SingleAsync(p => p.Cycle == "c1"));
        Assert.Equal((new DateOnly(2024, 6, 30), "e1", "e2", "promoted"), (row.DecidedOn, row.FromLevel, row.ToLevel, row.Outcome));
        Assert.Equal("e2", await LevelAsync(app, "E1"));
    }

    private static Task<string> LevelAsync(TrellisApp app, string id) =>
        app.WithDbAsync(db => db.Employees.Where(e => e.Id == id).Select(e => e.Level).SingleAsync());
}
