using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;

namespace Trellis;

/// <summary>
/// The server of <c>trellis serve</c>, which sends a few requests through the app's own pipeline in process before it
/// starts listening: the sign-in page and the home page's redirect to it, anonymously; the home page and
/// <c>/api/v1/me</c> signed in as no one (<see cref="WarmRequest"/>); and it runs the bearer token lookup once. The first
/// person after "Now listening" then finds routing, Razor and the layout, authentication, ProblemDetails, the EF Core
/// model and those queries ready instead of paying for them (about half a second on 2 cores, twice that while the
/// background warm-up loads the organisation and readiness).
/// </summary>
/// <remarks>
/// No one's identity is used: no session or token is made for a real account, so warming reads nothing of anyone's and
/// writes nothing (no audit-log entry, no last-used time, no notification read). The requests carry
/// <see cref="WarmRequest"/>, a feature that only this class sets (a request from the network cannot), and the request log
/// leaves them out, so the log never shows a visit that no one made. Only with <c>warmup</c> on (the server).
/// </remarks>
internal sealed partial class WarmStart(IServer inner, IServiceProvider services, IOptions<ServeOptions> serve, ILogger<WarmStart> log) : IServer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed the request path in {Milliseconds} ms before listening ({Answers})")]
    private static partial void Warmed(ILogger logger, long milliseconds, string answers);

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
        services.AddSingleton<IServer>(sp => new WarmStart(inner(sp), sp, sp.GetRequiredService<IOptions<ServeOptions>>(), sp.GetRequiredService<ILogger<WarmStart>>()));
    }

    public IFeatureCollection Features => inner.Features;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        if (serve.Value.WarmUp)
        {
            try
            {
                var clock = Stopwatch.StartNew();
                var answers = await WarmAsync(application, cancellationToken);
                Warmed(log, clock.ElapsedMilliseconds, answers);
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

    /// <summary>Sends the requests; says what each was answered ("/signin 200, / 302, …").</summary>
    private async Task<string> WarmAsync<TContext>(IHttpApplication<TContext> application, CancellationToken ct) where TContext : notnull
    {
        var answers = new List<string>
        {
            $"/signin {await SendAsync(application, "/signin", asNobody: false, ct)}",
            $"/ {await SendAsync(application, "/", asNobody: false, ct)}",
            // The signed-in home page, layout and an API answer, as no one (see WarmRequest): their queries find nothing.
            $"/ as no one {await SendAsync(application, "/", asNobody: true, ct)}",
            $"/api/v1/me as no one {await SendAsync(application, "/api/v1/me", asNobody: true, ct)}",
        };
        // The bearer token lookup, for a hash no token has (a request with a made-up token would log a failed sign-in).
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.TrellisDb>();
        await Accounts.ApiTokenAuthenticationHandler.FindAsync(db, "warm-start: no token", ct);
        // And the update a token's first use makes (its last-used time), on a token that does not exist (id -1; 0 would insert): the
        // statement changes no row, which EF reports as a concurrency failure, and the transaction is rolled back anyway.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var none = new Data.ApiToken { Id = -1, Name = "", Hash = "" };
            db.ApiTokens.Attach(none);
            none.LastUsedAt = DateTimeOffset.UnixEpoch;
            try { await db.SaveChangesAsync(ct); }
            catch (Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException) { answers.Add("token update changed no row"); }
            await tx.RollbackAsync(ct);
        }
        return string.Join(", ", answers);
    }

    /// <summary>One GET through the pipeline, as Kestrel would hand it over, its response thrown away but for the status.</summary>
    private static async Task<int> SendAsync<TContext>(IHttpApplication<TContext> application, string path, bool asNobody, CancellationToken ct)
        where TContext : notnull
    {
        var request = new HttpRequestFeature { Method = "GET", Scheme = "http", Path = path, PathBase = "", QueryString = "", Protocol = "HTTP/1.1" };
        request.Headers.Host = "127.0.0.1";
        request.Headers.Accept = path.StartsWith("/api/", StringComparison.Ordinal) ? "application/json" : "text/html";
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        var response = new HttpResponseFeature();
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "warm-start", LocalIpAddress = System.Net.IPAddress.Loopback, RemoteIpAddress = System.Net.IPAddress.Loopback,
        });
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = ct });
        features.Set<IHttpAuthenticationFeature>(new HttpAuthenticationFeature { User = new ClaimsPrincipal() });
        features.Set(asNobody ? WarmRequest.AsNobody : WarmRequest.Anonymous);
        var context = application.CreateContext(features);
        Exception? failed = null;
        try { await application.ProcessRequestAsync(context); }
        catch (Exception e) { failed = e; throw; }
        finally { application.DisposeContext(context, failed); }
        return response.StatusCode;
    }
}

/// <summary>
/// Marks a request sent by <see cref="WarmStart"/>; nothing from the network carries it (the server makes a new feature
/// collection per request and only <see cref="WarmStart"/> creates these). One kind is anonymous; the other is signed in as
/// <see cref="NobodyId"/>, an employee id no one can have (it holds a '/', which the import and SCIM refuse in ids), with the employee role only and no
/// account, so that the signed-in home page and layout run once with queries that find nothing of anyone's.
/// </summary>
internal sealed class WarmRequest
{
    public const string Scheme = "warm-start";
    public const string NobodyId = "warm-start/no-one";

    public static readonly WarmRequest Anonymous = new(false);
    public static readonly WarmRequest AsNobody = new(true);
    private WarmRequest(bool signedIn) => SignedIn = signedIn;

    public bool SignedIn { get; }

    public static bool Is(HttpContext context) => context.Features.Get<WarmRequest>() is not null;

    /// <summary>True for the warm-up's request signed in as no one: the authentication scheme then is <see cref="Scheme"/>.</summary>
    public static bool IsAsNobody(HttpContext context) => context.Features.Get<WarmRequest>() is { SignedIn: true };
}

/// <summary>Signs in the warm-up's <see cref="WarmRequest.AsNobody"/> request, and nothing else, as no one.</summary>
internal sealed class WarmRequestAuthenticationHandler(
    IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
    : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!WarmRequest.IsAsNobody(Context)) return Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());
        var principal = Accounts.AuthSetup.CreatePrincipal(0, WarmRequest.NobodyId, "", [Accounts.Roles.Employee], Scheme.Name);
        return Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.Success(
            new Microsoft.AspNetCore.Authentication.AuthenticationTicket(principal, Scheme.Name)));
    }
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
