using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Trellis.Accounts;

/// <summary>
/// What every request goes through before any endpoint, set up once for the whole app:
/// forwarded headers (when <c>ForwardedHeaders:Enabled</c>), the security headers of every response, and the
/// cross-site request forgery check of every state-changing request that a browser's cookie could authenticate.
/// </summary>
public static class RequestProtection
{
    /// <summary>Pages and scripts come from this server only; no inline script, no framing, no plugins.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The API reference (/docs, Scalar) starts itself with an inline module script; it is static, anonymous and shows
    /// no one's data, so it alone may run inline scripts. It still cannot be framed.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddRequestProtection(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Only proxies on loopback are trusted by default; name others (ForwardedHeaders:KnownProxies = "10.0.0.5,10.0.0.6").
            foreach (var proxy in (config["ForwardedHeaders:KnownProxies"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
                if (IPAddress.TryParse(proxy, out var address)) o.KnownProxies.Add(address);
        });
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    public static WebApplication UseRequestProtection(this WebApplication app)
    {
        if (app.Configuration.GetValue("ForwardedHeaders:Enabled", false)) app.UseForwardedHeaders();
        var pagePolicy = PagePolicy(app.Services.GetRequiredService<IOptions<OidcOptions>>().Value);
        app.Use((http, next) => SecurityHeaders(http, next, pagePolicy));
        return app;
    }

    /// <summary>
    /// The page policy, with the identity provider's origin added to <c>form-action</c> when single sign-on is on:
    /// browsers apply <c>form-action</c> to the redirects after a form post too, and the sign-out form ends at the
    /// provider's end-session endpoint.
    /// </summary>
    public static string PagePolicy(OidcOptions oidc) =>
        oidc.Enabled && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)}", StringComparison.Ordinal)
            : ContentSecurityPolicy;

    private static Task SecurityHeaders(HttpContext http, RequestDelegate next, string pagePolicy)
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            var docs = http.Request.Path.StartsWithSegments("/docs") || http.Request.Path.StartsWithSegments("/scalar");
            headers.ContentSecurityPolicy = docs ? ApiReferencePolicy : pagePolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            // Over HTTPS only (a browser ignores it on HTTP, and localhost development stays on HTTP).
            if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next(http);
    }

    /// <summary>
    /// Refuses a state-changing request that could ride on the sign-in cookie unless it is shown to come from this site:
    /// the browser says so (<c>Sec-Fetch-Site: same-origin</c>, or an <c>Origin</c> of this host), or, from a client that
    /// sends neither header, it carries a valid antiforgery token. Requests with a bearer token are not affected (no
    /// browser adds that header on its own, and the cookie is ignored when it is there). Covers pages and the API alike,
    /// including bodiless posts such as approve, publish, withdraw, read and sign-out.
    /// </summary>
    public static WebApplication UseSameOriginWrites(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // A request without a signed-in user carries no session to abuse: authorisation answers it (401), as before.
            if (IsSafe(http.Request.Method) || AuthSetup.HasBearerToken(http.Request) || http.User.Identity?.IsAuthenticated != true
                || await ComesFromThisSiteAsync(http))
            {
                await next(http);
                return;
            }
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            const string detail = "This request did not come from a Trellis page (cross-site request forgery protection). " +
                                  "Reload the page and try again; scripts use a bearer token.";
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
                {
                    HttpContext = http, ProblemDetails = { Status = 403, Title = "Forbidden", Detail = detail },
                });
            }
            else
            {
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync(detail);
            }
        });
        return app;
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static async Task<bool> ComesFromThisSiteAsync(HttpContext http)
    {
        var request = http.Request;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site == "same-origin";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            // The host (and port) must match; the scheme may differ behind a TLS proxy without forwarded headers.
            return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                   && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
        }
        return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
    }
}
