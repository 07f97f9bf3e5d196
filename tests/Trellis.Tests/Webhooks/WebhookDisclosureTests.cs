using System.Net;
using System.Net.Http.Json;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Webhooks;

/// <summary>
/// Webhooks follow the role model: an admin, who gets 403 on the board, the nominations and the decisions, does not read
/// them off a receiver either. Events about a cycle's undisclosed matters are thin (ids, cycle, a link); after publication
/// only promotions are sent, with the level reached.
/// </summary>
public sealed class WebhookDisclosureTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Cycle_events_hold_no_candidate_answer_or_decision_and_only_promotions_are_published(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "A1", "H1", "M1", "M2", "E1", "E2", "E3", "C1");
        var created = await c["A1"].PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = EventTypes.All });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;

        await CycleAsync(c["H1"], "c1");
        var promoted = await NominatedAsync(c["M2"], "c1", "E1", "l3");
        var declined = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        var notYet = await NominatedAsync(c["M1"], "c1", "E3", "e4");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], promoted, "accept"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], declined, "decline"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E3"], notYet, "accept"));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], promoted, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], notYet, "not_yet"));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        await receiver.WaitForAsync(r => r.Any(x => x.Type == EventTypes.CyclePublished));
        await Task.Delay(500);
        var got = receiver.Accepted;

        // Before publication: which nomination, which cycle, where to read it. Not who, by whom, the answer or the decision.
        var thin = got.Where(r => r.Type is EventTypes.NominationCreated or EventTypes.NominationAnswered or EventTypes.DecisionRecorded).ToList();
        Assert.Equal(3 + 3 + 2, thin.Count);
        foreach (var r in thin)
        {
            Assert.Equal(["cycle", "link", "nomination_id"], r.Data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("c1", r.Data.GetProperty("cycle").GetString());
            Assert.Equal($"/api/v1/nominations/{r.Data.GetProperty("nomination_id").GetInt32()}", r.Data.GetProperty("link").GetString());
            foreach (var word in new[] { "E1", "E2", "E3", "M1", "M2", "C1", "Eli", "Eva", "Ezra", "accept", "decline", "promoted", "not_yet", "e4", "l3" })
                Assert.DoesNotContain(word, r.Body, StringComparison.Ordinal);
        }
        // The link is read with the receiver's own token, where the roles apply: the admin who added the endpoint gets 403, HR gets it.
        var link = thin[0].Data.GetProperty("link").GetString()!;
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["A1"].GetAsync(link));
        await AssertStatusAsync(HttpStatusCode.OK, await c["H1"].GetAsync(link));

        // After publication: the promotion, with the level reached; the declined and not promoted outcomes stay the candidates' own.
        var published = Assert.Single(got, r => r.Type == EventTypes.PromotionPublished).Data;
        Assert.Equal(("E1", "e2", "l3", "promoted"), (published.GetProperty("employee_id").GetString(), published.GetProperty("from_level").GetString(),
            published.GetProperty("to_level").GetString(), published.GetProperty("outcome").GetString()));
        foreach (var r in got.Where(r => r.Type != EventTypes.NominationCreated && r.Type != EventTypes.NominationAnswered && r.Type != EventTypes.DecisionRecorded))
        {
            Assert.DoesNotContain("declined", r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("not_promoted", r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"E2\"", r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"E3\"", r.Body, StringComparison.Ordinal);
        }
    }
}
