using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Operations;

/// <summary>Behind a reverse proxy (forwarded headers) and with an OpenTelemetry collector (OTLP).</summary>
public sealed class DeployTests
{
    /// <summary>An anonymous page request as it arrives from <paramref name="remote"/>, a proxy that says the client used https://trellis.example.com.</summary>
    private static Task<HttpContext> ProxiedAsync(TrellisApp app, string remote) =>
        app.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Scheme = "http";
            c.Request.Host = new HostString("10.0.0.2:5000");
            c.Request.Path = "/people";
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.Headers["X-Forwarded-Host"] = "trellis.example.com";
            c.Request.Headers["X-Forwarded-For"] = "198.51.100.7";
        });

    private static (string Location, bool Hsts) Seen(HttpContext c) =>
        (c.Response.Headers.Location.ToString(), c.Response.Headers.ContainsKey("Strict-Transport-Security"));

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Forwarded_scheme_and_host_are_honoured_only_from_known_proxies_and_only_when_enabled(Provider provider)
    {
        var behindProxy = new Dictionary<string, string?> { ["ForwardedHeaders:Enabled"] = "true", ["ForwardedHeaders:KnownProxies"] = "10.0.0.5" };
        await using var app = await TrellisApp.StartAsync(provider, seed: false, settings: behindProxy);

        // The proxy named in KnownProxies, and one on loopback (trusted by default): the sign-in redirect goes to the public
        // https address, and HSTS is sent as for any https request.
        foreach (var proxy in new[] { "10.0.0.5", "127.0.0.1" })
        {
            var (location, hsts) = Seen(await ProxiedAsync(app, proxy));
            Assert.StartsWith("https://trellis.example.com/signin", location);
            Assert.True(hsts, proxy);
        }

        // Anyone else sending the same headers (a client reaching the node directly) changes nothing.
        var (direct, directHsts) = Seen(await ProxiedAsync(app, "203.0.113.9"));
        Assert.StartsWith("http://10.0.0.2:5000/signin", direct);
        Assert.False(directHsts);

        // Without ForwardedHeaders:Enabled the headers are ignored even from loopback.
        await using var plain = TrellisApp.StartAnother(app, new Dictionary<string, string?>());
        var (ignored, ignoredHsts) = Seen(await ProxiedAsync(plain, "127.0.0.1"));
        Assert.StartsWith("http://10.0.0.2:5000/signin", ignored);
        Assert.False(ignoredHsts);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Traces_and_metrics_go_to_the_otlp_endpoint_when_it_is_set_and_telemetry_is_off_otherwise(Provider provider)
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using (var app = await TrellisApp.StartAsync(provider, seed: false, settings: new Dictionary<string, string?>
                     {
                         ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                     }))
        {
            Assert.NotNull(app.Services.GetService<TracerProvider>());
            Assert.NotNull(app.Services.GetService<MeterProvider>());
            Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().GetAsync("/health/live")).StatusCode);
        } // stopping the app flushes both exporters

        // Spans under the service name (on PostgreSQL the first batch is full of the migrations' database spans, so the
        // request's own span may come in a later batch), and the request metrics.
        await collector.WaitForAsync("/v1/traces", "trellis");
        Assert.Contains("trellis", await collector.WaitForAsync("/v1/metrics", "http.server.request.duration"));

        // Without the setting nothing is set up: no tracer or meter provider, nothing exported.
        await using var quiet = await TrellisApp.StartAsync(provider, seed: false);
        Assert.Null(quiet.Services.GetService<TracerProvider>());
        Assert.Null(quiet.Services.GetService<MeterProvider>());
    }

    /// <summary>An OTLP/HTTP collector in the test process: records each export request's path and body (protobuf, read as text).</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
        public string Url { get; private set; } = "";

        private OtlpCollector(WebApplication app) => _app = app;

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext ctx) =>
            {
                using var buffer = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(buffer);
                collector._received.Enqueue((ctx.Request.Path.Value!, Encoding.UTF8.GetString(buffer.ToArray())));
                ctx.Response.ContentType = "application/x-protobuf";
                return Results.Ok();
            });
            await app.StartAsync();
            collector.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return collector;
        }

        /// <summary>Everything exported to <paramref name="path"/>, once it mentions <paramref name="text"/> (exports may come in several requests).</summary>
        public async Task<string> WaitForAsync(string path, string text)
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < until)
            {
                var bodies = string.Concat(_received.Where(r => r.Path == path).Select(r => r.Body));
                if (bodies.Contains(text, StringComparison.Ordinal)) return bodies;
                await Task.Delay(100);
            }
            Assert.Fail($"no OTLP export to {path} mentions {text}; received: {string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} chars)"))}");
            return "";
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
