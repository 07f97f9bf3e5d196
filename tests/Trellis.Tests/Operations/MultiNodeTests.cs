using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Audit;
using Trellis.Tests.Infrastructure;
using Trellis.Tests.Webhooks;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Operations;

/// <summary>
/// Two app instances (separate hosts: their own caches, key rings in memory, workers) over one PostgreSQL database, as two
/// nodes behind a load balancer would run.
/// </summary>
public sealed partial class MultiNodeTests
{
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)" """)]
    private static partial Regex Antiforgery();

    private static async Task<string> TokenAsync(HttpClient client, string path, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        var m = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(m.Success, html);
        return m.Groups[1].Value;
    }

    private static string Cookies(HttpResponseMessage r, string? existing = null)
    {
        var jar = new Dictionary<string, string>();
        foreach (var pair in (existing ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries)) jar[pair.Split('=')[0]] = pair;
        if (r.Headers.TryGetValues("Set-Cookie", out var set))
            foreach (var c in set) { var pair = c.Split(';')[0]; jar[pair.Split('=')[0]] = pair; }
        return string.Join("; ", jar.Values);
    }

    [Fact]
    public async Task Two_nodes_on_one_postgresql_share_sign_ins_evidence_cycles_and_deliver_each_webhook_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var a = await TrellisApp.StartAsync(Provider.Postgres);
        await using var b = TrellisApp.StartAnother(a);

        // Sign in on A (the antiforgery token of A's form), then use B with that cookie: pages and a form post.
        var browserA = a.AnonymousClient();
        var browserB = b.AnonymousClient();
        var first = await browserA.GetAsync("/signin");
        var cookie = Cookies(first);
        var token = Antiforgery().Match(await first.Content.ReadAsStringAsync()).Groups[1].Value;
        using (var signIn = new HttpRequestMessage(HttpMethod.Post, "/signin")
               {
                   Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Login"] = "E1", ["Password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = token }),
               })
        {
            signIn.Headers.Add("Cookie", cookie);
            var signedIn = await browserA.SendAsync(signIn);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            cookie = Cookies(signedIn, cookie);
        }
        using (var onB = new HttpRequestMessage(HttpMethod.Get, "/growth"))
        {
            onB.Headers.Add("Cookie", cookie);
            var page = await browserB.SendAsync(onB);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        var formToken = await TokenAsync(browserA, "/feedback/give", cookie);
        using (var signOut = new HttpRequestMessage(HttpMethod.Post, "/signout") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = formToken }) })
        {
            signOut.Headers.Add("Cookie", cookie);
            var r = await browserB.SendAsync(signOut); // a token made by A is valid on B
            Assert.True(r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, $"{(int)r.StatusCode}");
        }

        // An endpoint added on A; both nodes' workers run.
        var adminA = await a.ClientForAsync("A1");
        var created = await adminA.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = EventTypes.All });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;

        // An observation written on A shows in B's readiness (B checks the evidence revision every 2 s).
        var m2OnB = await b.ClientForAsync("M2");
        var before = await (await m2OnB.GetAsync("/api/v1/employees/E1/readiness")).Content.ReadAsStringAsync();
        var e2OnA = await a.ClientForAsync("E2");
        await AssertStatusAsync(HttpStatusCode.Created, await e2OnA.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 5 }));
        var until = DateTime.UtcNow.AddSeconds(20);
        var after = before;
        while (after == before && DateTime.UtcNow < until)
        {
            await Task.Delay(250);
            after = await (await m2OnB.GetAsync("/api/v1/employees/E1/readiness")).Content.ReadAsStringAsync();
        }
        Assert.NotEqual(before, after);

        // A cycle run partly on each node and published on A shows as published on B.
        var hrA = await a.ClientForAsync("H1");
        var hrB = await b.ClientForAsync("H1");
        await CycleAsync(hrA, "c1");
        var id = await NominatedAsync(await b.ClientForAsync("M2"), "c1", "E1", "l3");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(await a.ClientForAsync("E1"), id, "accept"));
        await PhaseAsync(hrB, "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(await b.ClientForAsync("C1"), id, "promoted"));
        // Published before the response deadline: with the override reason issue 11 requires.
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(hrA, "c1"));
        var onB2 = await JsonAsync(await hrB.GetAsync("/api/v1/cycles/c1"));
        Assert.Equal("published", onB2.GetProperty("phase").GetString());
        var nomination = await JsonAsync(await (await b.ClientForAsync("E1")).GetAsync($"/api/v1/nominations/{id}"));
        Assert.Equal("promoted", nomination.GetProperty("outcome").GetString());

        // Every event once: two workers share the outbox without doubling a delivery.
        for (var i = 0; i < 5; i++)
            await AssertStatusAsync(HttpStatusCode.Accepted, await (i % 2 == 0 ? adminA : await b.ClientForAsync("A1")).PostAsync("/api/v1/webhooks/1/test", null));
        const int expected = 8 + 5; // the cycle's eight events and five test events
        await receiver.WaitForAsync(r => r.Count >= expected);
        await Task.Delay(1500); // anything doubled would arrive by now
        Assert.Equal(expected, receiver.Seen.Count);
        Assert.Equal(expected, receiver.Seen.Select(r => r.Id).Distinct().Count());
        Assert.All(receiver.Seen, r => Assert.Equal(["current"], r.VerifiedBy));
    }

    [Fact]
    public async Task Two_nodes_compute_the_background_audit_once_and_show_the_same_report()
    {
        await using var a = await TrellisApp.StartAsync(Provider.Postgres);
        await a.WithDbAsync(db => SyntheticHistory.SeedAsync(db, new SyntheticHistory.Shape(People: 400, Cycles: 3, Observations: 8000)));
        await using var b = TrellisApp.StartAnother(a);
        var auditA = a.Services.GetRequiredService<AuditService>();
        var auditB = b.Services.GetRequiredService<AuditService>();

        // Both nodes' background checks reach the computation at the same moment (each waits at its start until the other
        // is there too), as when the 2-second watches of two nodes see the same change.
        var arrived = 0;
        var bothThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Hold()
        {
            if (Interlocked.Increment(ref arrived) == 2) bothThere.TrySetResult();
            return bothThere.Task;
        }
        auditA.BeforeBackgroundCompute = Hold;
        auditB.BeforeBackgroundCompute = Hold;
        await Task.WhenAll(auditA.CheckInBackground(now: true), auditB.CheckInBackground(now: true)).WaitAsync(TimeSpan.FromMinutes(5));

        // The engine fits (one per decision date, nearly all of the work) happened on one node; the other read the stored snapshots.
        var dates = await a.WithDbAsync(db => db.Promotions.Select(p => p.DecidedOn).Distinct().CountAsync());
        var runs = new[] { auditA.LastTimings!.EngineRuns, auditB.LastTimings!.EngineRuns };
        Assert.Equal(0, runs.Min());
        Assert.InRange(runs.Max(), 1, dates);
        Assert.Equal(dates, await a.WithDbAsync(db => db.DecisionSnapshotDates.CountAsync()));

        // Both nodes show the same audit.
        var json = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Assert.Equal(JsonSerializer.Serialize(auditA.Peek(null)!.Report, json), JsonSerializer.Serialize(auditB.Peek(null)!.Report, json));
    }
}
