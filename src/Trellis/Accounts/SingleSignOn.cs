using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>
/// Settings under <c>Oidc:</c> (README "Single sign-on"). Single sign-on is on when <c>Oidc:Authority</c> is set.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Oidc";

    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string Scopes { get; set; } = "openid profile email";
    /// <summary>False only for a provider on a loopback address (tests, a local Keycloak).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary><c>email</c> (matched to the employee's email) or the name of a claim that carries the employee id.</summary>
    public string EmployeeClaim { get; set; } = "email";
    public string RolesClaim { get; set; } = "groups";
    /// <summary><c>Oidc:Roles:hr=trellis-hr</c>: the claim values (comma-separated) that give a role; default <c>trellis-&lt;role&gt;</c>.</summary>
    public Dictionary<string, string> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>False turns the password form off: everyone signs in through the provider.</summary>
    public bool LocalPasswords { get; set; } = true;
    /// <summary>The name on the sign-in button ("Sign in with …"); default the provider's host name.</summary>
    public string? DisplayName { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public string ProviderName => DisplayName is { Length: > 0 } name ? name : Uri.TryCreate(Authority, UriKind.Absolute, out var uri) ? uri.Host : "single sign-on";

    /// <summary>Role → the claim values that give it.</summary>
    public IReadOnlyDictionary<string, string[]> RoleValues() => Accounts.Roles.All.Where(r => r != Accounts.Roles.Employee).ToDictionary(
        r => r,
        r => (Roles.TryGetValue(r, out var configured) ? configured : "trellis-" + r).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>
/// OpenID Connect sign-in (authorization code flow with PKCE) through <c>Microsoft.AspNetCore.Authentication.OpenIdConnect</c>:
/// the library checks state, nonce, the id_token's signature, issuer, audience and lifetime; Trellis then finds the
/// employee by <see cref="OidcOptions.EmployeeClaim"/>, refuses anyone not in the directory (no account is ever made for
/// a stranger), maps roles from <see cref="OidcOptions.RolesClaim"/>, and signs the person in with its own cookie.
/// </summary>
public static class SingleSignOn
{
    public const string Scheme = "oidc";
    public const string IdentityProviderClaim = "trellis_idp";

    public static IServiceCollection AddTrellisSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section);
        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.Enabled) return services;
        if (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority))
            throw new InvalidOperationException($"Oidc:Authority '{oidc.Authority}' is not an absolute URL");
        if (!oidc.RequireHttpsMetadata && !(authority.IsLoopback || IPAddress.TryParse(authority.Host, out var ip) && IPAddress.IsLoopback(ip)))
            throw new InvalidOperationException("Oidc:RequireHttpsMetadata=false is allowed only for a provider on a loopback address; use https for " + authority.Host);
        if (string.IsNullOrWhiteSpace(oidc.ClientId)) throw new InvalidOperationException("Oidc:ClientId is required when Oidc:Authority is set");

        services.AddScoped<SsoSignIn>();
        services.AddAuthentication().AddOpenIdConnect(Scheme, oidc.ProviderName, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            // The code comes back on a top-level GET: the correlation and nonce cookies (SameSite=Lax) travel with it
            // whatever the provider's site, and no cross-site form post is needed.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Scope.Clear();
            foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
            o.CallbackPath = "/signin-oidc";
            o.SignedOutCallbackPath = "/signout-callback-oidc";
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.MapInboundClaims = false; // keep the provider's claim names (email, groups) as configured
            o.GetClaimsFromUserInfoEndpoint = false;
            o.SaveTokens = true; // the id_token is the hint of the provider's end-session request
            o.Events.OnRedirectToIdentityProvider = ctx =>
            {
                if (ctx.Properties.Items.TryGetValue("login_hint", out var hint) && !string.IsNullOrEmpty(hint)) ctx.ProtocolMessage.LoginHint = hint;
                return Task.CompletedTask;
            };
            o.Events.OnTokenValidated = ctx => ctx.HttpContext.RequestServices.GetRequiredService<SsoSignIn>().CompleteAsync(ctx);
            o.Events.OnRemoteFailure = ctx =>
            {
                ctx.HandleResponse();
                ctx.Response.Redirect("/signin/refused?reason=failed");
                return Task.CompletedTask;
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapSingleSignOn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin/oidc", StartSignIn).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary><c>GET /signin/oidc[?returnUrl=…][&amp;login_hint=…]</c>: off to the identity provider.</summary>
    public static Results<ChallengeHttpResult, NotFound> StartSignIn(IOptions<OidcOptions> options, string? returnUrl, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "login_hint")] string? loginHint)
    {
        if (!options.Value.Enabled) return TypedResults.NotFound();
        var properties = new AuthenticationProperties { RedirectUri = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/" };
        if (!string.IsNullOrWhiteSpace(loginHint)) properties.Items["login_hint"] = loginHint.Trim();
        return TypedResults.Challenge(properties, [Scheme]);
    }

    /// <summary>Where sign-out goes after ending the Trellis session: the provider's end-session endpoint when it has one.</summary>
    public static async Task<IResult> SignOutAsync(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<OidcOptions>>().Value;
        var viaSso = http.User.HasClaim(c => c.Type == IdentityProviderClaim);
        var idToken = viaSso ? await http.GetTokenAsync(CookieAuthenticationDefaults.AuthenticationScheme, "id_token") : null;
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!options.Enabled || !viaSso) return TypedResults.Redirect("/signin");
        var oidc = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        OpenIdConnectConfiguration? configuration = null;
        try
        {
            configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        }
        catch (InvalidOperationException)
        {
            // The provider cannot be reached: the Trellis session is over all the same.
        }
        if (string.IsNullOrEmpty(configuration?.EndSessionEndpoint)) return TypedResults.Redirect("/signin");
        var properties = new AuthenticationProperties { RedirectUri = "/signin" };
        if (idToken is not null) properties.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
        return TypedResults.SignOut(properties, [Scheme]);
    }
}

/// <summary>What happens after the provider vouched for someone: find the employee, refuse strangers, map roles, sign in.</summary>
public sealed class SsoSignIn(TrellisDb db, IOptions<OidcOptions> options, TimeProvider clock)
{
    public async Task CompleteAsync(TokenValidatedContext ctx)
    {
        var o = options.Value;
        var external = ctx.Principal!;
        var value = external.FindFirst(o.EmployeeClaim)?.Value?.Trim();
        var issuer = ctx.SecurityToken?.Issuer ?? o.Authority;
        var now = clock.GetUtcNow();
        var byEmail = string.Equals(o.EmployeeClaim, "email", StringComparison.OrdinalIgnoreCase);
        var lowered = value?.ToLowerInvariant();
        if (value is not null && byEmail && external.FindFirst("email_verified")?.Value is { } verified
            && !string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase))
        {
            // The provider itself says it has not checked that this person owns the address: at many providers anyone
            // can type any address into their profile, and matching it would sign them in as whoever has it here.
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, Action = "sso_refused",
                Detail = $"{o.EmployeeClaim} '{Shorten(value)}' from {issuer}: the provider says the address is not verified (email_verified={Shorten(verified)})",
            });
            await db.SaveChangesAsync(ctx.HttpContext.RequestAborted);
            ctx.HandleResponse();
            ctx.Response.Redirect("/signin/refused?reason=unverified");
            return;
        }
        Employee? employee = null;
        var ambiguous = false;
        if (value is not null && byEmail)
        {
            // Emails may still be shared (imports refuse a shared one, but SCIM may pass a leaver's address to a newcomer,
            // and data imported before they did may share one): the one active employee with the address, never "the first
            // row" of several, which could be someone else's account.
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL lower(); string.Equals with a comparison does not translate.
            var matches = await db.Employees.Where(e => e.Email.ToLower() == lowered).OrderBy(e => e.Id).Take(16).ToListAsync(ctx.HttpContext.RequestAborted);
#pragma warning restore CA1862
            var active = matches.Where(e => e.Status == EmployeeStatus.Active).ToList();
            ambiguous = active.Count > 1;
            employee = active.Count == 1 ? active[0] : ambiguous ? null : matches.FirstOrDefault();
        }
        else if (value is not null) employee = await db.Employees.FirstOrDefaultAsync(e => e.Id == value, ctx.HttpContext.RequestAborted);
        if (employee is null || employee.Status != EmployeeStatus.Active)
        {
            // Never an account for a stranger: the directory (import or SCIM) says who works here.
            var why = ambiguous ? "several active employees have this email" : employee is null ? "no such employee" : "status left";
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, Action = "sso_refused", SubjectEmployeeId = employee?.Id,
                Detail = $"{o.EmployeeClaim} '{Shorten(value)}' from {issuer}: {why}",
            });
            await db.SaveChangesAsync(ctx.HttpContext.RequestAborted);
            ctx.HandleResponse();
            ctx.Response.Redirect("/signin/refused?reason=" + (ambiguous ? "ambiguous" : employee is null ? "unknown" : "left"));
            return;
        }

        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employee.Id, ctx.HttpContext.RequestAborted);
        if (account?.DisabledAt is not null)
        {
            // An admin disabled this account in Trellis: the provider vouching for the person does not undo that.
            db.AuditLog.Add(new AuditLogEntry { At = now, Action = "sso_refused", SubjectEmployeeId = employee.Id, Detail = $"account disabled; sign-in via {issuer}" });
            await db.SaveChangesAsync(ctx.HttpContext.RequestAborted);
            ctx.HandleResponse();
            ctx.Response.Redirect("/signin/refused?reason=disabled");
            return;
        }
        if (account is null)
        {
            // No local password: this person signs in through the provider (an admin can still set one).
            account = new Account { EmployeeId = employee.Id, PasswordHash = "", Roles = Roles.Employee, CreatedAt = now };
            db.Accounts.Add(account);
        }
        // Roles follow the provider only when its token carries the roles claim at all: a provider that sends no
        // groups must not strip an admin of roles given in Trellis.
        var claimValues = external.FindAll(o.RolesClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (external.HasClaim(c => c.Type == o.RolesClaim))
        {
            var current = Roles.Split(account.Roles);
            var mapping = o.RoleValues();
            var next = Roles.Join(current.Where(r => !mapping.ContainsKey(r)).Concat(mapping.Where(m => m.Value.Any(claimValues.Contains)).Select(m => m.Key)));
            if (next != account.Roles)
            {
                db.AuditLog.Add(new AuditLogEntry
                {
                    At = now, Action = "roles_changed", SubjectEmployeeId = employee.Id,
                    Detail = $"{account.Roles} → {next} by the {o.RolesClaim} claim from {issuer}",
                });
                account.Roles = next;
                // A role change ends the sessions that carry the old roles (this one gets the new stamp below).
                account.SecurityStamp = AccountService.NewSecurityStamp();
            }
        }
        account.LastSignInAt = now;
        if (account.SecurityStamp.Length == 0) account.SecurityStamp = AccountService.NewSecurityStamp();
        db.AuditLog.Add(new AuditLogEntry { At = now, ActorEmployeeId = employee.Id, Action = "sso_sign_in", SubjectEmployeeId = employee.Id, Detail = $"via {issuer}" });
        await db.SaveChangesAsync(ctx.HttpContext.RequestAborted);

        ctx.HttpContext.RequestServices.GetService<AccountStates>()?.Forget(account.Id);
        var principal = AuthSetup.CreatePrincipal(account.Id, employee.Id, employee.Name, Roles.Split(account.Roles), CookieAuthenticationDefaults.AuthenticationScheme,
            account.SecurityStamp).SignedInNow(now);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(SingleSignOn.IdentityProviderClaim, issuer ?? ""));
        ctx.Principal = principal;
    }

    private static string Shorten(string? s) => s is null ? "(none)" : s.Length > 80 ? s[..80] + "…" : s;
}
