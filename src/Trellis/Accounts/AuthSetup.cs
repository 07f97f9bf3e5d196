using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Trellis.Accounts;

public static class AuthSetup
{
    public const string Scheme = "trellis";
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddTrellisAuth(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            // One scheme for both: a bearer token when the request carries one, the sign-in cookie otherwise.
            // (And the one request the server sends itself before it listens, as no one: WarmStart.)
            .AddPolicyScheme(Scheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = ctx =>
                WarmRequest.IsAsNobody(ctx) ? WarmRequest.Scheme
                : HasBearerToken(ctx.Request) ? BearerScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "trellis";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                // Secure whenever the request came over HTTPS (behind a proxy: once forwarded headers say so).
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // APIs answer 401/403 ProblemDetails instead of redirecting to the sign-in page.
                o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
                // Every request: the person has not left and the session was not ended (sign-out, password or role change).
                o.Events.OnValidatePrincipal = ctx => ctx.HttpContext.RequestServices.GetRequiredService<AccountStates>().ValidateAsync(ctx);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(BearerScheme, null)
            .AddScheme<AuthenticationSchemeOptions, WarmRequestAuthenticationHandler>(WarmRequest.Scheme, null);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Hr, p => p.RequireRole(Roles.Hr))
            .AddPolicy(Policies.HrOrAdmin, p => p.RequireRole(Roles.Hr, Roles.Admin))
            .AddPolicy(Policies.HrOrCommittee, p => p.RequireRole(Roles.Hr, Roles.Committee))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Manager, p => p.RequireRole(Roles.Manager, Roles.Hr, Roles.Admin));
        services.AddScoped<AccountService>();
        services.AddSingleton<SignInDevices>();
        services.AddSignInRateLimit();
        return services;
    }

    /// <summary>A request that carries a bearer token is authenticated by it alone: the cookie is not even read.</summary>
    public static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
            {
                HttpContext = ctx.HttpContext,
                ProblemDetails = { Status = status, Title = status == 401 ? "Sign in required" : "Forbidden" },
            }).AsTask();
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Marks a principal as having just proved who it is (a password or single sign-on): <see cref="TrellisClaims.SignedInAt"/>.</summary>
    public static ClaimsPrincipal SignedInNow(this ClaimsPrincipal principal, DateTimeOffset now)
    {
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(TrellisClaims.SignedInAt,
            now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        return principal;
    }

    /// <summary>When the session's person proved who they are, if the session says (cookies made by a sign-in do).</summary>
    public static DateTimeOffset? SignedInAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst(TrellisClaims.SignedInAt)?.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static ClaimsPrincipal CreatePrincipal(int accountId, string employeeId, string name, IEnumerable<string> roles, string scheme, string? securityStamp = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, accountId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(TrellisClaims.AccountId, accountId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(TrellisClaims.EmployeeId, employeeId),
            new(ClaimTypes.Name, name),
        };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (securityStamp is not null) claims.Add(new Claim(TrellisClaims.SecurityStamp, securityStamp));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}
