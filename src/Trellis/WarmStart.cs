using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;

namespace Trellis;

/// <summary>
/// The server of <c>trellis serve</c>, which sends a few anonymous requests through the app's own pipeline in process
/// before it starts listening: the sign-in page, the home page (a redirect to sign in) and <c>/api/v1/me</c> with a token
/// that is no token. The first person after "Now listening" then finds routing, Razor and the layout, authentication,
/// ProblemDetails, the EF Core model and the token lookup ready instead of paying for them (about half a second on 2
/// cores, twice that while the background warm-up loads the organisation and readiness).
/// </summary>
/// <remarks>
/// No one's identity is used: no session or token is made for a real account, so warming reads nothing of anyone's and
/// writes nothing (no audit-log entry, no last-used time, no notification read). The requests carry
/// <see cref="WarmRequest"/>, a feature that only this class sets (a request from the network cannot), and the request log
/// leaves them out, so the log never shows a visit that no one made. Only with <c>warmup</c> on (the server).
/// </remarks>
internal sealed partial class WarmStart(IServer inner, IOptions<ServeOptions> serve, ILogger<WarmStart> log) : IServer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed the request path in {Milliseconds} ms before listening")]
    private static partial void Warmed(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the request path failed; the first requests will do it")]
    private static partial void WarmFailed(ILogger logger, Exception exception);

    /// <summary>Puts this in front of the server the host registered (Kestrel), and keeps its requests out of the request log.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IServer));
        if (registered is null) return;
        services.Remove(registered);
        Func<IServiceProvider, IServer> inner = registered switch
        {
            { ImplementationInstance: IServer instance } => _ => instance,
            { ImplementationFactory: { } factory } => sp => (IServer)factory(sp),
            { ImplementationType: { } type } => sp => (IServer)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException("unexpected IServer registration"),
        };
        services.AddHttpLoggingInterceptor<WarmRequestLogging>();
        services.AddSingleton<IServer>(sp => new WarmStart(inner(sp), sp.GetRequiredService<IOptions<ServeOptions>>(), sp.GetRequiredService<ILogger<WarmStart>>()));
    }

    public IFeatureCollection Features => inner.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        if (serve.Value.WarmUp)
        {
            try
            {
                var clock = Stopwatch.StartNew();
                await WarmAsync(application, cancellationToken);
                Warmed(log, clock.ElapsedMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                WarmFailed(log, e);
            }
        }
        await inner.StartAsync(application, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose() => inner.Dispose();

    private static async Task WarmAsync<TContext>(IHttpApplication<TContext> application, CancellationToken ct) where TContext : notnull
    {
        await SendAsync(application, "/signin", null, ct);
        await SendAsync(application, "/", null, ct);
        await SendAsync(application, "/api/v1/me", "Bearer warm-start-is-not-a-token", ct);
    }

    /// <summary>One GET through the pipeline, as Kestrel would hand it over, its response thrown away.</summary>
    private static async Task SendAsync<TContext>(IHttpApplication<TContext> application, string path, string? authorization, CancellationToken ct)
        where TContext : notnull
    {
        var request = new HttpRequestFeature { Method = "GET", Scheme = "http", Path = path, PathBase = "", QueryString = "", Protocol = "HTTP/1.1" };
        request.Headers.Host = "127.0.0.1";
        request.Headers.Accept = path.StartsWith("/api/", StringComparison.Ordinal) ? "application/json" : "text/html";
        if (authorization is not null) request.Headers.Authorization = authorization;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "warm-start", LocalIpAddress = System.Net.IPAddress.Loopback, RemoteIpAddress = System.Net.IPAddress.Loopback,
        });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = ct });
        features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = new ClaimsPrincipal() });
        features.Set(WarmRequest.Instance);
        var context = application.CreateContext(features);
        Exception? failed = null;
        try { await application.ProcessRequestAsync(context); }
        catch (Exception e) { failed = e; throw; }
        finally { application.DisposeContext(context, failed); }
    }
}

/// <summary>Marks a request sent by <see cref="WarmStart"/>; nothing from the network carries it.</summary>
internal sealed class WarmRequest
{
    public static readonly WarmRequest Instance = new();
    private WarmRequest() { }

    public static bool Is(HttpContext context) => context.Features.Get<WarmRequest>() is not null;
}

/// <summary>Leaves the warm-up's requests out of the request log.</summary>
internal sealed class WarmRequestLogging : Microsoft.AspNetCore.HttpLogging.IHttpLoggingInterceptor
{
    public ValueTask OnRequestAsync(Microsoft.AspNetCore.HttpLogging.HttpLoggingInterceptorContext logContext)
    {
        if (WarmRequest.Is(logContext.HttpContext)) logContext.LoggingFields = Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None;
        return ValueTask.CompletedTask;
    }

    public ValueTask OnResponseAsync(Microsoft.AspNetCore.HttpLogging.HttpLoggingInterceptorContext logContext)
    {
        if (WarmRequest.Is(logContext.HttpContext)) logContext.LoggingFields = Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.None;
        return ValueTask.CompletedTask;
    }
}
