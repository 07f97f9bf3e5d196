using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// A real OpenID provider in the test process: an OpenIddict server in Kestrel on a free loopback port, with
/// discovery, JWKS (an ephemeral RSA key), the authorization endpoint (a sign-in form, or straight through with a known
/// <c>login_hint</c>), the token endpoint issuing signed id_tokens, and an end-session endpoint. It knows one client,
/// <see cref="ClientId"/>/<see cref="ClientSecret"/>, redirecting to loopback addresses only.
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "trellis";
    public const string ClientSecret = "trellis-test-secret";

    /// <summary>One person at the provider; <paramref name="EmailVerified"/> is sent as the email_verified claim when set.</summary>
    public sealed record Person(string Subject, string Email, string Name, string[] Groups, bool? EmailVerified = null);

    /// <summary>Who can sign in at the provider, by login name.</summary>
    public Dictionary<string, Person> People { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["eli"] = new("sub-e1", "E1@example.test", "Eli Engineer", []),
        ["hana"] = new("sub-h1", "h1@example.test", "Hana Hr", ["trellis-hr", "everyone"], EmailVerified: true),
        // Typed Hana's address into a profile at the provider, which never checked it.
        ["mallory"] = new("sub-mm", "H1@example.test", "Mallory", [], EmailVerified: false),
        ["xavi"] = new("sub-x1", "x1@example.test", "Xavi Sales", ["trellis-admin", "trellis-committee"]),
        ["stranger"] = new("sub-zz", "stranger@elsewhere.test", "Sam Stranger", ["trellis-admin"]),
    };

    /// <summary>When set, the token endpoint hands out id_tokens whose email was changed after signing.</summary>
    public string? TamperEmailTo { get; set; }

    private int _endSessionRequests;
    public int EndSessionRequests => Volatile.Read(ref _endSessionRequests);

    private WebApplication? _app;
    public string Authority { get; private set; } = "";

    /// <summary>The settings that point Trellis at this provider.</summary>
    public Dictionary<string, string?> Settings(bool localPasswords = true) => new()
    {
        ["Oidc:Authority"] = Authority,
        ["Oidc:ClientId"] = ClientId,
        ["Oidc:ClientSecret"] = ClientSecret,
        ["Oidc:RequireHttpsMetadata"] = "false",
        ["Oidc:DisplayName"] = "Test IdP",
        ["Oidc:LocalPasswords"] = localPasswords ? "true" : "false",
    };

    public static async Task<TestOpenIdProvider> StartAsync()
    {
        var provider = new TestOpenIdProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token").SetEndSessionEndpointUris("connect/endsession");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // No application store: the one client is checked by the handlers below.
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableEndSessionEndpointPassthrough().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId) ctx.Reject(Errors.InvalidClient, "unknown client");
                else if (!Uri.TryCreate(ctx.RedirectUri, UriKind.Absolute, out var uri) || !uri.IsLoopback)
                    ctx.Reject(Errors.InvalidRequest, "redirect_uri must be on a loopback address");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId || ctx.Request.ClientSecret != ClientSecret) ctx.Reject(Errors.InvalidClient, "bad client credentials");
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateEndSessionRequestContext>(h => h.UseInlineHandler(_ => default));
            o.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(h => h.UseInlineHandler(ctx =>
            {
                if (provider.TamperEmailTo is { } email && ctx.Response.IdToken is { } idToken)
                {
                    var parts = idToken.Split('.');
                    var payload = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
                    payload["email"] = email;
                    parts[1] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload.ToJsonString());
                    ctx.Response.IdToken = string.Join('.', parts);
                }
                return default;
            }));
        });
        var app = builder.Build();
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext http) => provider.Authorize(http));
        app.MapMethods("/connect/endsession", ["GET", "POST"], () =>
        {
            Interlocked.Increment(ref provider._endSessionRequests);
            return Results.Content("<!doctype html><title>Signed out</title><h1>Signed out of Test IdP</h1>", "text/html");
        });
        await app.StartAsync();
        provider._app = app;
        provider.Authority = app.Urls.First().TrimEnd('/') + "/";
        return provider;
    }

    private IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest()!;
        var login = http.Request.HasFormContentType ? http.Request.Form["username"].ToString() : request.LoginHint;
        if (string.IsNullOrEmpty(login) || !People.TryGetValue(login, out var person))
        {
            // The sign-in form replays every parameter of the request.
            var fields = new StringBuilder();
            foreach (var (name, value) in request.GetParameters().Select(p => (p.Key, p.Value)))
                fields.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(value.ToString())}\">");
            return Results.Content($"""
                <!doctype html><title>Test IdP</title><h1>Test IdP</h1>
                <form method="post" action="/connect/authorize">{fields}
                <label>Username <input name="username"></label><button type="submit">Continue</button></form>
                """, "text/html");
        }
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, person.Subject));
        identity.AddClaim(new Claim(Claims.Email, person.Email));
        identity.AddClaim(new Claim(Claims.Name, person.Name));
        if (person.EmailVerified is { } verified)
            identity.AddClaim(new Claim(Claims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
        foreach (var group in person.Groups) identity.AddClaim(new Claim("groups", group));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
