using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Webhooks;

/// <summary>How the worker delivers: endpoints at once, each in order, and attempts that fit in their lease.</summary>
public sealed class WebhookDeliveryTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_slow_endpoint_does_not_delay_delivery_to_another(Provider provider)
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        slow.AnswerAfter = TimeSpan.FromSeconds(30);
        // Each attempt to the slow endpoint: three requests of 2 s and two short waits, about 7 s in all.
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Webhooks:TimeoutSeconds"] = "2", ["Webhooks:QuickRetries"] = "2", ["Webhooks:QuickRetryDelaySeconds"] = "0.2",
        });
        var c = await ClientsAsync(app, "A1", "H1");
        // The slow endpoint has the lower id: a worker serving one endpoint at a time claims it first.
        foreach (var receiver in new[] { slow, healthy })
        {
            var created = await c["A1"].PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { EventTypes.CyclePhaseChanged } });
            await AssertStatusAsync(HttpStatusCode.Created, created);
            receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;
        }

        await CreateCycleAsync(c["H1"], "later", opens: Today.AddDays(5), closes: Today.AddDays(50));
        var clock = Stopwatch.StartNew();
        await PhaseAsync(c["H1"], "later", "nominations");
        await healthy.WaitForAsync(r => r.Count >= 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"the healthy endpoint got its event after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Settings_where_an_attempt_could_outlive_its_lease_stop_the_start()
    {
        // Three requests of 30 s exceed the 60 s lease: a second node could send the same event while the first still waits.
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TrellisApp.StartAsync(Provider.Sqlite, settings: new Dictionary<string, string?> { ["Webhooks:TimeoutSeconds"] = "30" });
        });
        Assert.Contains("Webhooks:LeaseSeconds", e.ToString());
        Assert.Contains("TimeoutSeconds", e.ToString());
    }
}
