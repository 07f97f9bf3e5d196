using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Webhooks;

/// <summary>Changing an endpoint: PATCH (url, events, description, enabled), pausing and resuming, and the automatic disable of a dead endpoint.</summary>
public sealed class WebhookEndpointChangesTests
{
    private static async Task<(int Id, string Secret)> AddAsync(HttpClient admin, string url, params string[] events)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events });
        await AssertStatusAsync(HttpStatusCode.Created, r);
        var json = await JsonAsync(r);
        return (json.GetProperty("id").GetInt32(), json.GetProperty("secret").GetString()!);
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient c, string path, object body) =>
        c.PatchAsJsonAsync(path, body);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_endpoint_is_changed_paused_and_resumed(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "A1", "H1");
        var (id, secret) = await AddAsync(c["A1"], receiver.Url, EventTypes.CyclePhaseChanged);
        receiver.Secrets["current"] = secret;
        var path = $"/api/v1/webhooks/{id}";

        // Field errors, as when adding; nothing to change is a 400 too; another endpoint is a 404; only admins.
        async Task<JsonElement> Refused(object body)
        {
            var r = await PatchAsync(c["A1"], path, body);
            await AssertStatusAsync(HttpStatusCode.BadRequest, r);
            return (await JsonAsync(r)).GetProperty("errors");
        }
        Assert.True((await Refused(new { url = "https://hooks.example.com/" + new string('a', 2100) })).TryGetProperty("url", out _));
        Assert.Contains("cycle.nope", (await Refused(new { events = new[] { "cycle.nope" } })).GetProperty("events")[0].GetString());
        Assert.True((await Refused(new { events = Array.Empty<string>() })).TryGetProperty("events", out _));
        Assert.True((await Refused(new { })).TryGetProperty("webhook", out _));
        await AssertStatusAsync(HttpStatusCode.NotFound, await PatchAsync(c["A1"], "/api/v1/webhooks/999", new { enabled = false }));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await PatchAsync(c["H1"], path, new { enabled = false }));

        var changed = await PatchAsync(c["A1"], path, new { events = new[] { EventTypes.CyclePhaseChanged, EventTypes.CyclePublished }, description = "HRIS" });
        await AssertStatusAsync(HttpStatusCode.OK, changed);
        var view = await JsonAsync(changed);
        Assert.Equal([EventTypes.CyclePhaseChanged, EventTypes.CyclePublished], view.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("HRIS", view.GetProperty("description").GetString());

        // Paused: events are not queued for it, and what is queued (a test event) waits.
        var paused = await PatchAsync(c["A1"], path, new { enabled = false });
        await AssertStatusAsync(HttpStatusCode.OK, paused);
        Assert.False((await JsonAsync(paused)).GetProperty("enabled").GetBoolean());
        Assert.Contains("Resume", await (await c["A1"].GetAsync("/admin/webhooks")).Content.ReadAsStringAsync());
        await CreateCycleAsync(c["H1"], "later", opens: Today.AddDays(5), closes: Today.AddDays(50));
        await PhaseAsync(c["H1"], "later", "nominations");
        await AssertStatusAsync(HttpStatusCode.Accepted, await c["A1"].PostAsync($"{path}/test", null));
        await Task.Delay(1500);
        Assert.Empty(receiver.Seen);
        var deliveries = await JsonAsync(await c["A1"].GetAsync($"{path}/deliveries"));
        Assert.Equal(["webhook.test"], deliveries.EnumerateArray().Select(d => d.GetProperty("type").GetString()));
        Assert.Equal("pending", deliveries[0].GetProperty("status").GetString());

        // Resumed: the waiting delivery goes, and new events are queued again.
        await AssertStatusAsync(HttpStatusCode.OK, await PatchAsync(c["A1"], path, new { enabled = true }));
        await receiver.WaitForAsync(r => r.Count >= 1);
        await PhaseAsync(c["H1"], "later", "calibration");
        var got = await receiver.WaitForAsync(r => r.Count >= 2);
        Assert.Equal(["webhook.test", EventTypes.CyclePhaseChanged], got.Select(r => r.Type));

        var audit = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "webhook.update").Select(a => a.Detail).ToListAsync());
        Assert.Equal(3, audit.Count);
        Assert.Contains(audit, d => d!.Contains("paused", StringComparison.Ordinal));
        Assert.Contains(audit, d => d!.Contains("resumed", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_endpoint_whose_events_keep_failing_is_disabled_with_an_audit_entry(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:QuickRetries"] = "0", ["Webhooks:RetryBaseSeconds"] = "0.2", ["Webhooks:GiveUpAfterHours"] = "0.0003", // about 1 s
            ["Webhooks:DisableAfterFailedEvents"] = "2",
        });
        var admin = await app.ClientForAsync("A1");
        var (id, secret) = await AddAsync(admin, receiver.Url, EventTypes.CyclePublished);
        receiver.Secrets["current"] = secret;
        receiver.FailFirst = 100_000;
        for (var i = 0; i < 3; i++) await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"/api/v1/webhooks/{id}/test", null));

        var until = DateTime.UtcNow.AddSeconds(30);
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = await JsonAsync(await admin.GetAsync($"/api/v1/webhooks/{id}"));
        } while (DateTime.UtcNow < until && view.GetProperty("enabled").GetBoolean());
        Assert.False(view.GetProperty("enabled").GetBoolean());
        var seen = receiver.Seen.Count;
        await Task.Delay(1000);
        Assert.Equal(seen, receiver.Seen.Count); // nothing more is sent
        var statuses = (await JsonAsync(await admin.GetAsync($"/api/v1/webhooks/{id}/deliveries"))).EnumerateArray().Select(d => d.GetProperty("status").GetString());
        Assert.Equal(["pending", "failed", "failed"], statuses); // newest first: the third waits for a resume
        var entry = await app.WithDbAsync(db => db.AuditLog.SingleAsync(a => a.Action == "webhook.disable"));
        Assert.Null(entry.ActorEmployeeId);
        Assert.Contains("2 events", entry.Detail);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_resumed_endpoint_counts_its_failures_afresh(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:QuickRetries"] = "0", ["Webhooks:RetryBaseSeconds"] = "0.2", ["Webhooks:GiveUpAfterHours"] = "0.0003", // about 1 s
            ["Webhooks:DisableAfterFailedEvents"] = "2",
        });
        var admin = await app.ClientForAsync("A1");
        var (id, secret) = await AddAsync(admin, receiver.Url, EventTypes.CyclePublished);
        receiver.Secrets["current"] = secret;
        receiver.FailFirst = 100_000;
        var path = $"/api/v1/webhooks/{id}";
        for (var i = 0; i < 3; i++) await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"{path}/test", null));

        async Task<(bool Enabled, string[] Statuses)> WaitAsync(Func<bool, string[], bool> done)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var enabled = (await JsonAsync(await admin.GetAsync(path))).GetProperty("enabled").GetBoolean();
                var statuses = (await JsonAsync(await admin.GetAsync($"{path}/deliveries"))).EnumerateArray().Select(d => d.GetProperty("status").GetString()!).ToArray();
                if (done(enabled, statuses) || DateTime.UtcNow > until) return (enabled, statuses);
                await Task.Delay(200);
            }
        }

        // Two failed events disable it; the third waits.
        var (enabled, statuses) = await WaitAsync((e, _) => !e);
        Assert.False(enabled);
        Assert.Equal(["pending", "failed", "failed"], statuses);

        // Resumed, the waiting event fails too: one failure since the resume is not two, and the endpoint stays on.
        await AssertStatusAsync(HttpStatusCode.OK, await PatchAsync(admin, path, new { enabled = true }));
        (enabled, statuses) = await WaitAsync((_, s) => !s.Contains("pending"));
        Assert.Equal(["failed", "failed", "failed"], statuses);
        await Task.Delay(500);
        Assert.True((await JsonAsync(await admin.GetAsync(path))).GetProperty("enabled").GetBoolean());
        var resumed = await app.WithDbAsync(db => db.AuditLog.SingleAsync(a => a.Action == "webhook.update"));
        Assert.Contains("resumed", resumed.Detail);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "webhook.disable")));

        // A second failure since the resume disables it again, as it should.
        await AssertStatusAsync(HttpStatusCode.Accepted, await admin.PostAsync($"{path}/test", null));
        (enabled, _) = await WaitAsync((e, _) => !e);
        Assert.False(enabled);
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "webhook.disable")));
    }
}
