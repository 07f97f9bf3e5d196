using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Trellis.Tests.Webhooks;

/// <summary>
/// A webhook receiver in the test process (Kestrel on a loopback port). It verifies every request with the Standard
/// Webhooks reference library against the secrets it was given, answers <see cref="FailFirst"/> requests with 500, and
/// records what it saw.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, int AnsweredWith, IReadOnlyList<string> VerifiedBy)
    {
        public string Type => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("type").GetString()!;
        public System.Text.Json.JsonElement Data => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("data").Clone();
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _seen = new();
    private int _requests;

    /// <summary>Secrets to verify with, by name (e.g. "new", "old").</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new();
    /// <summary>How long each request waits before it is answered (a slow or unreachable endpoint).</summary>
    public TimeSpan AnswerAfter { get; set; }
    /// <summary>How many of the first requests answer 500.</summary>
    public int FailFirst { get; set; }
    public string Url { get; }
    public IReadOnlyList<Received> Seen => _seen.ToList();
    /// <summary>Requests answered 2xx: what the sender counts as delivered.</summary>
    public IReadOnlyList<Received> Accepted => _seen.Where(r => r.AnsweredWith < 300).ToList();

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            if (receiver!.AnswerAfter > TimeSpan.Zero)
            {
                try { await Task.Delay(receiver.AnswerAfter, ctx.RequestAborted); }
                catch (OperationCanceledException) { return Results.Empty; } // the sender gave up
            }
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref receiver!._requests);
            var verifiedBy = new List<string>();
            // One signature at a time: this library's loop over a space-separated list never matches the last entry.
            foreach (var (name, secret) in receiver.Secrets)
            foreach (var signature in ctx.Request.Headers["webhook-signature"].ToString().Split(' '))
            {
                var single = new HeaderDictionary
                {
                    ["webhook-id"] = ctx.Request.Headers["webhook-id"], ["webhook-timestamp"] = ctx.Request.Headers["webhook-timestamp"], ["webhook-signature"] = signature,
                };
                try
                {
                    new StandardWebhook(secret).Verify(body, single);
                    verifiedBy.Add(name);
                    break;
                }
                catch (WebhookVerificationException) { }
            }
            var status = n <= receiver.FailFirst ? 500 : verifiedBy.Count > 0 ? 204 : 401;
            receiver._seen.Enqueue(new Received(ctx.Request.Headers["webhook-id"].ToString(), ctx.Request.Headers["webhook-timestamp"].ToString(),
                ctx.Request.Headers["webhook-signature"].ToString(), body, status, verifiedBy));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address.TrimEnd('/') + "/hook");
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was accepted (a generous bound: delivery is asynchronous).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> done, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (done(Accepted)) return Accepted;
            await Task.Delay(100);
        }
        Assert.Fail($"the receiver did not get what was expected in {seconds} s; it saw: {string.Join(" | ", Seen.Select(r => $"{r.AnsweredWith} {r.Id} {r.Body}"))}");
        return [];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
