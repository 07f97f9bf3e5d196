using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Growth;

public sealed class EvidenceAnonymityTests
{
    private static async Task AddPeerRatingsAsync(TrellisApp app, params string[] raters)
    {
        await app.WithDbAsync(async db =>
        {
            var i = 0;
            foreach (var rater in raters)
                db.Observations.Add(new Observation
                {
                    Id = $"P{++i}-{rater}", SubjectId = "E2", RaterId = rater, Relationship = "peer", Behavior = "asks-why",
                    Rating = 3 + i % 2, ObservedOn = new DateOnly(2026, 3, i), Comment = $"In the March planning {rater} saw E2 ask why.",
                });
            db.Observations.Add(new Observation
            {
                Id = "MGR1", SubjectId = "E2", RaterId = "M2", Relationship = "manager", Behavior = "asks-why",
                Rating = 4, ObservedOn = new DateOnly(2026, 3, 9), Comment = "Asked why before the migration.",
            });
            await db.SaveChangesAsync();
            // As feedback given in the app: complete batches of anonymous feedback are released to the subject.
            await Trellis.Evidence.FeedbackRelease.ReleaseDueAsync(db, 3, DateTimeOffset.UtcNow);
        });
    }

    private static JsonElement PeerGroup(JsonElement view) =>
        view.GetProperty("behaviors").EnumerateArray().Single(b => b.GetProperty("behavior").GetString() == "asks-why")
            .GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == "peers");

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Peer_feedback_is_held_back_below_the_threshold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await AddPeerRatingsAsync(app, "E1", "E3"); // threshold is 3 in the sample framework: 2 = threshold − 1
        var view = await (await app.ClientForAsync("E2")).GetFromJsonAsync<JsonElement>("/api/v1/employees/E2/evidence");
        // The subject sees nothing of held-back feedback, not even how much there is.
        Assert.DoesNotContain(view.GetProperty("behaviors").EnumerateArray().SelectMany(b => b.GetProperty("groups").EnumerateArray()),
            g => g.GetProperty("group").GetString() == "peers");
        // Their manager sees that it exists, still without a mean or comments.
        var peers = PeerGroup(await (await app.ClientForAsync("M2")).GetFromJsonAsync<JsonElement>("/api/v1/employees/E2/evidence"));
        Assert.False(peers.GetProperty("shown").GetBoolean());
        Assert.Equal(JsonValueKind.Null, peers.GetProperty("mean").ValueKind);
        Assert.Empty(peers.GetProperty("comments").EnumerateArray());
        var text = view.GetRawText();
        Assert.DoesNotContain("E1", text);
        Assert.DoesNotContain("E3", text);
        Assert.DoesNotContain("March planning", text);
        // Manager feedback is attributed.
        Assert.Contains("Milo Manager", text);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Peer_feedback_is_shown_in_aggregate_without_identity_at_the_threshold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await AddPeerRatingsAsync(app, "E1", "E3", "X1");
        var view = await (await app.ClientForAsync("E2")).GetFromJsonAsync<JsonElement>("/api/v1/employees/E2/evidence");
        var peers = PeerGroup(view);
        Assert.True(peers.GetProperty("shown").GetBoolean());
        Assert.Equal(3, peers.GetProperty("raters").GetInt32());
        Assert.Equal((4 + 3 + 4) / 3.0, peers.GetProperty("mean").GetDouble(), 2);
        Assert.Equal(3, peers.GetProperty("comments").GetArrayLength());
        Assert.DoesNotContain("\"rater_id\":\"E1\"", view.GetRawText());
        Assert.DoesNotContain("Xavi", view.GetRawText());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Evidence_is_scoped_to_self_managers_hr_and_committee_and_reads_are_audited(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await AddPeerRatingsAsync(app, "E1");
        foreach (var (who, expected) in new[] { ("E2", HttpStatusCode.OK), ("M2", HttpStatusCode.OK), ("M1", HttpStatusCode.OK), ("H1", HttpStatusCode.OK),
                     ("C1", HttpStatusCode.OK), ("E1", HttpStatusCode.Forbidden), ("X1", HttpStatusCode.Forbidden), ("A1", HttpStatusCode.Forbidden) })
        {
            var response = await (await app.ClientForAsync(who)).GetAsync("/api/v1/employees/E2/evidence");
            Assert.True(expected == response.StatusCode, $"{who}: expected {expected}, got {response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.ClientForAsync("H1")).GetAsync("/api/v1/employees/NOPE/evidence")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/v1/employees/E2/evidence")).StatusCode);

        var logged = await app.WithDbAsync(db => Task.FromResult(db.AuditLog.Where(a => a.SubjectEmployeeId == "E2" && a.Action == "read_evidence").Select(a => a.ActorEmployeeId ?? "").ToList()));
        Assert.Equal(new[] { "C1", "H1", "M1", "M2" }, logged.Order().ToArray());
        Assert.DoesNotContain("E2", logged); // reading one's own evidence is not a disclosure
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Team_readiness_lists_the_whole_line_and_only_it(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var team = await (await app.ClientForAsync("M1")).GetFromJsonAsync<JsonElement>("/api/v1/team/readiness");
        var ids = team.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("employee_id").GetString() ?? "").Order().ToArray();
        Assert.Equal(new[] { "E1", "E2", "E3", "M2" }, ids);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("E1")).GetAsync("/api/v1/team/readiness")).StatusCode);
    }
}
