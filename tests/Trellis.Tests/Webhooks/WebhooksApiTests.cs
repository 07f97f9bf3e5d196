using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Webhooks;

public sealed class WebhooksApiTests
{
    private static async Task<(int Id, string Secret)> AddEndpointAsync(HttpClient admin, string url, params string[] events)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events, description = "test receiver" });
        await AssertStatusAsync(HttpStatusCode.Created, r);
        var json = await JsonAsync(r);
        var id = json.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/webhooks/{id}", r.Headers.Location?.OriginalString);
        return (id, json.GetProperty("secret").GetString()!);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_promotion_cycle_sends_signed_events_in_order_without_any_feedback_text(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "A1", "H1", "M2", "E1", "C1");
        var (endpoint, secret) = await AddEndpointAsync(c["A1"], receiver.Url, [.. EventTypes.All]);
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        receiver.Secrets["current"] = secret;

        // The secret is shown once: neither the list nor the endpoint shows it again.
        var listed = await (await c["A1"].GetAsync("/api/v1/webhooks")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(secret, await (await c["A1"].GetAsync($"/api/v1/webhooks/{endpoint}")).Content.ReadAsStringAsync());

        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], id, "accept", note: "A private note about my doubts"));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], id, "promoted", rationale: "Secret committee rationale"));
        // Published before the response deadline: with the override reason issue 11 requires.
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));

        string[] expected =
        [
            "nomination.created", "nomination.answered", "cycle.phase_changed", "decision.recorded",
            "promotion.published", "employee.changed", "cycle.phase_changed", "cycle.published",
        ];
        var got = await receiver.WaitForAsync(r => r.Count >= expected.Length);
        await Task.Delay(500); // nothing more arrives
        got = receiver.Accepted;
        Assert.Equal(expected, got.Select(r => r.Type));
        Assert.All(got, r => Assert.Equal(["current"], r.VerifiedBy));
        Assert.Equal(got.Count, got.Select(r => r.Id).Distinct().Count());
        Assert.All(got, r => Assert.Matches("^msg_[0-9a-f]{32}$", r.Id));

        // Before publication the events say which nomination changed; the receiver reads it with its own token (WebhookDisclosureTests).
        foreach (var i in new[] { 0, 1, 3 })
            Assert.Equal((id, "c1", $"/api/v1/nominations/{id}"), (got[i].Data.GetProperty("nomination_id").GetInt32(), got[i].Data.GetProperty("cycle").GetString(), got[i].Data.GetProperty("link").GetString()));
        var promotion = got[4].Data;
        Assert.Equal(("promoted", "e2", "l3"), (promotion.GetProperty("outcome").GetString(), promotion.GetProperty("from_level").GetString(), promotion.GetProperty("to_level").GetString()));
        Assert.Equal("l3", got[5].Data.GetProperty("level").GetString());
        Assert.Equal("published", got[6].Data.GetProperty("to_phase").GetString());
        Assert.Equal(1, got[7].Data.GetProperty("promoted").GetInt32());
        // Ids, names, levels and outcomes only: no rationale, note or other free text travels.
        foreach (var r in got)
        {
            Assert.DoesNotContain("rationale", r.Body);
            Assert.DoesNotContain("Leads the design reviews", r.Body);
            Assert.DoesNotContain("private note", r.Body);
            Assert.DoesNotContain("Secret committee", r.Body);
        }

        var deliveries = await JsonAsync(await c["A1"].GetAsync($"/api/v1/webhooks/{endpoint}/deliveries"));
        Assert.Equal(expected.Length, deliveries.GetArrayLength());
        Assert.All(deliveries.EnumerateArray(), d =>
        {
            Assert.Equal("delivered", d.GetProperty("status").GetString());
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            Assert.Equal(204, d.GetProperty("response_code").GetInt32());
        });
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_receiver_that_fails_twice_then_succeeds_gets_the_event_once_after_stored_retries(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // No quick retries inside an attempt: the two failures go through the stored backoff schedule.
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:QuickRetries"] = "0", ["Webhooks:RetryBaseSeconds"] = "0.3",
        });
        var c = await ClientsAsync(app, "A1", "H1");
        var (endpoint, secret) = await AddEndpointAsync(c["A1"], receiver.Url, EventTypes.CyclePhaseChanged);
        receiver.Secrets["current"] = secret;
        receiver.FailFirst = 2;

        await CreateCycleAsync(c["H1"], "later", opens: Today.AddDays(5), closes: Today.AddDays(50));
        await PhaseAsync(c["H1"], "later", "nominations");

        var got = await receiver.WaitForAsync(r => r.Count >= 1);
        await Task.Delay(1000);
        Assert.Single(receiver.Accepted);
        Assert.Equal(3, receiver.Seen.Count);
        Assert.Equal([500, 500, 204], receiver.Seen.Select(r => r.AnsweredWith));
        Assert.Single(receiver.Seen.Select(r => r.Id).Distinct()); // the same message each time
        var delivery = (await JsonAsync(await c["A1"].GetAsync($"/api/v1/webhooks/{endpoint}/deliveries"))).EnumerateArray().Single();
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(got[0].Id, delivery.GetProperty("message_id").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Events_keep_their_order_behind_a_failing_one_and_are_marked_failed_after_the_give_up_time(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:QuickRetries"] = "0", ["Webhooks:RetryBaseSeconds"] = "0.2", ["Webhooks:GiveUpAfterHours"] = "0.0003", // about 1 s
        });
        var c = await ClientsAsync(app, "A1", "H1");
        var (endpoint, secret) = await AddEndpointAsync(c["A1"], receiver.Url, EventTypes.CyclePhaseChanged);
        receiver.Secrets["current"] = secret;
        receiver.FailFirst = 1000;
        await CreateCycleAsync(c["H1"], "later", opens: Today.AddDays(5), closes: Today.AddDays(50));
        await PhaseAsync(c["H1"], "later", "nominations");
        await PhaseAsync(c["H1"], "later", "calibration");

        // Both give up in turn; the second is never sent before the first is settled.
        var until = DateTime.UtcNow.AddSeconds(30);
        JsonElement deliveries;
        do
        {
            await Task.Delay(200);
            deliveries = await JsonAsync(await c["A1"].GetAsync($"/api/v1/webhooks/{endpoint}/deliveries"));
        } while (DateTime.UtcNow < until && deliveries.EnumerateArray().Any(d => d.GetProperty("status").GetString() != "failed"));
        Assert.All(deliveries.EnumerateArray(), d => Assert.Equal("failed", d.GetProperty("status").GetString()));
        Assert.Equal(2, deliveries.GetArrayLength());
        var ids = receiver.Seen.Select(r => r.Id).ToList();
        var firstOfSecond = ids.IndexOf(ids.Last());
        Assert.True(ids.Take(firstOfSecond).All(i => i == ids[0]), "the second event went out before the first was given up");
        Assert.Equal("calibration", receiver.Seen[^1].Data.GetProperty("to_phase").GetString());

        // Replay: the same message goes again and, once the receiver accepts, is delivered.
        receiver.FailFirst = 0;
        var failed = deliveries.EnumerateArray().Last(); // the oldest
        var replay = await c["A1"].PostAsync($"/api/v1/webhooks/{endpoint}/deliveries/{failed.GetProperty("id").GetInt64()}/replay", null);
        await AssertStatusAsync(HttpStatusCode.Accepted, replay);
        var got = await receiver.WaitForAsync(r => r.Count >= 1);
        Assert.Equal(failed.GetProperty("message_id").GetString(), got[0].Id);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["A1"].PostAsync($"/api/v1/webhooks/{endpoint}/deliveries/999999/replay", null));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Test_events_rotation_signs_with_both_secrets_and_removal(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");
        var (endpoint, secret) = await AddEndpointAsync(admin, receiver.Url, EventTypes.CyclePublished);
        receiver.Secrets["old"] = secret;

        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/test", null));
        var first = (await receiver.WaitForAsync(r => r.Count >= 1))[0];
        Assert.Equal("webhook.test", first.Type);
        Assert.Single(first.Signature.Split(' '));

        var rotated = await admin.PostAsync($"/api/v1/webhooks/{endpoint}/rotate-secret", null);
        await AssertStatusAsync(HttpStatusCode.OK, rotated);
        var json = await JsonAsync(rotated);
        var newSecret = json.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        var validUntil = json.GetProperty("previous_secret_valid_until").GetDateTimeOffset();
        Assert.InRange(validUntil - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
        receiver.Secrets["new"] = newSecret;

        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/test", null));
        var second = (await receiver.WaitForAsync(r => r.Count >= 2))[1];
        Assert.Equal(2, second.Signature.Split(' ').Length);
        Assert.Equal(["new", "old"], second.VerifiedBy.Order());
        // Each signature on its own, checked with the reference library: one per secret.
        foreach (var (name, s) in new[] { ("new", newSecret), ("old", secret) })
            Assert.Contains(second.Signature.Split(' '), sig => sig == Trellis.Webhooks.WebhookSigner.Sign(s, second.Id, long.Parse(second.Timestamp), second.Body));

        // A second rotation during the grace period would cut it short: refused, and both secrets keep signing.
        var again = await admin.PostAsync($"/api/v1/webhooks/{endpoint}/rotate-secret", null);
        await AssertStatusAsync(HttpStatusCode.Conflict, again);
        Assert.Contains("still signs until", (await JsonAsync(again)).GetProperty("detail").GetString());
        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/test", null));
        var afterRefusal = (await receiver.WaitForAsync(r => r.Count >= 3))[2];
        Assert.Equal(["new", "old"], afterRefusal.VerifiedBy.Order());

        // After 24 hours only the new secret signs.
        await app.WithDbAsync(db => db.WebhookEndpoints.ExecuteUpdateAsync(s => s.SetProperty(e => e.PreviousSecretUntil, DateTimeOffset.UtcNow.AddMinutes(-1))));
        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/test", null));
        var third = (await receiver.WaitForAsync(r => r.Count >= 4))[3];
        Assert.Equal(["new"], third.VerifiedBy);
        Assert.Single(third.Signature.Split(' '));
        // ... and the secret may be rotated again.
        await AssertStatusAsync(HttpStatusCode.OK, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/rotate-secret", null));

        await AssertStatusAsync(HttpStatusCode.NoContent, await admin.DeleteAsync($"/api/v1/webhooks/{endpoint}"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.GetAsync($"/api/v1/webhooks/{endpoint}"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.PostAsync($"/api/v1/webhooks/{endpoint}/test", null));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Endpoints_are_checked_http_private_addresses_and_events(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:AllowHttp"] = "false", ["Webhooks:AllowPrivateNetworks"] = "false",
        });
        var admin = await app.ClientForAsync("A1");
        async Task<JsonElement> Refused(object body)
        {
            var r = await admin.PostAsJsonAsync("/api/v1/webhooks", body);
            await AssertStatusAsync(HttpStatusCode.BadRequest, r);
            return (await JsonAsync(r)).GetProperty("errors");
        }
        Assert.Contains("https", (await Refused(new { url = "http://hooks.example.com/x", events = new[] { "cycle.published" } })).GetProperty("url")[0].GetString());
        Assert.Contains("private", (await Refused(new { url = "https://127.0.0.1/x", events = new[] { "cycle.published" } })).GetProperty("url")[0].GetString());
        Assert.Contains("private", (await Refused(new { url = "https://10.1.2.3/x", events = new[] { "cycle.published" } })).GetProperty("url")[0].GetString());
        Assert.Contains("private", (await Refused(new { url = "https://[::1]/x", events = new[] { "cycle.published" } })).GetProperty("url")[0].GetString());
        Assert.Contains("private", (await Refused(new { url = "https://localhost/x", events = new[] { "cycle.published" } })).GetProperty("url")[0].GetString());
        var errors = await Refused(new { url = "not a url", events = new[] { "cycle.nope" } });
        Assert.True(errors.TryGetProperty("url", out _));
        Assert.Contains("cycle.nope", errors.GetProperty("events")[0].GetString());
        Assert.True((await Refused(new { url = "https://hooks.example.com/x", events = Array.Empty<string>() })).TryGetProperty("events", out _));

        // At delivery time too: an endpoint stored while its name resolved elsewhere (DNS rebinding) is not called on loopback.
        var id = await app.WithDbAsync(async db =>
        {
            var e = new WebhookEndpoint { Url = receiver.Url, Events = "cycle.published", Secret = WebhookSigner.NewSecret(), CreatedBy = "A1", CreatedAt = DateTimeOffset.UtcNow };
            db.WebhookEndpoints.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{id}/test", null));
        JsonElement delivery;
        var until = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(200);
            delivery = (await JsonAsync(await admin.GetAsync($"/api/v1/webhooks/{id}/deliveries"))).EnumerateArray().Single();
        } while (DateTime.UtcNow < until && delivery.GetProperty("attempts").GetInt32() == 0);
        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("refused", delivery.GetProperty("last_error").GetString());
        Assert.Empty(receiver.Seen);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_url_longer_than_its_column_is_a_field_error(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");
        var url = "https://hooks.example.com/" + new string('a', 2100);
        var r = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { "cycle.published" } });
        await AssertStatusAsync(HttpStatusCode.BadRequest, r);
        Assert.Contains("2000", (await JsonAsync(r)).GetProperty("errors").GetProperty("url")[0].GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookEndpoints.CountAsync()));
        // At the limit it is stored.
        var fits = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = url[..2000], events = new[] { "cycle.published" } });
        await AssertStatusAsync(HttpStatusCode.Created, fits);
    }

    [Theory]
    [InlineData("::127.0.0.1")]        // IPv4-compatible
    [InlineData("::10.0.0.1")]
    [InlineData("::ffff:0:127.0.0.1")] // IPv4-translated
    [InlineData("64:ff9b::7f00:1")]    // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254 (cloud metadata)
    [InlineData("64:ff9b:1::5db8:d822")] // local-use NAT64
    [InlineData("2002:7f00:1::")]      // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:101::1")]   // 6to4 of 192.168.1.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo
    [InlineData("::ffff:127.0.0.1")]   // IPv4-mapped (already refused)
    public async Task IPv6_addresses_that_carry_a_private_IPv4_address_are_refused(string address)
    {
        Assert.True(UrlPolicy.IsPrivate(System.Net.IPAddress.Parse(address)), address);
        Assert.Contains("private", await UrlPolicy.CheckAsync($"https://[{address}]/hook", new WebhookOptions(), CancellationToken.None));
    }

    [Theory]
    [InlineData("64:ff9b::5db8:d822")] // NAT64 of 93.184.216.34
    [InlineData("2002:5db8:d822::1")]  // 6to4 of 93.184.216.34
    [InlineData("2606:4700:4700::1111")]
    [InlineData("93.184.216.34")]
    public void Public_addresses_stay_allowed(string address) =>
        Assert.False(UrlPolicy.IsPrivate(System.Net.IPAddress.Parse(address)), address);

    [Fact]
    public void Signatures_follow_the_standard_webhooks_reference_implementation()
    {
        var secret = WebhookSigner.NewSecret();
        const string body = """{"type":"x","data":{}}""";
        var ours = WebhookSigner.Sign(secret, "msg_1", 1_700_000_000, body);
        var reference = new StandardWebhooks.StandardWebhook(secret).Sign("msg_1", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), body);
        Assert.Equal(reference, ours);
    }
}
