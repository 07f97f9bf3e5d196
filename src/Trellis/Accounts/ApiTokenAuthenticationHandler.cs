using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the hashed personal API tokens.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TrellisDb db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiTokens.ReadBearer(Request) is not { } token) return AuthenticateResult.NoResult();
        if (token.Length == 0) return AuthenticateResult.Fail("empty bearer token");

        var found = await FindAsync(db, ApiTokens.Hash(token), Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("unknown or revoked token");
        // Read on every request (the token lookup reads the account anyway): a leaver's tokens stop at once.
        if (found.Status == EmployeeStatus.Left) return AuthenticateResult.Fail("the token's owner has left");
        if (found.Account.DisabledAt is not null) return AuthenticateResult.Fail("the token's account is disabled");

        var now = clock.GetUtcNow();
        // Touch last-used at most once a minute to keep token auth read-mostly.
        if (found.Token.LastUsedAt is null || now - found.Token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            found.Token.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }
        var principal = AuthSetup.CreatePrincipal(found.Account.Id, found.Account.EmployeeId, found.Name, Roles.Split(found.Account.Roles), Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    internal sealed record Found(ApiToken Token, Account Account, string Name, string Status);

    /// <summary>The live token with this hash, its account and its owner's name and status (tracked: last-used is touched).</summary>
    internal static Task<Found?> FindAsync(TrellisDb db, string hash, CancellationToken ct) =>
        db.ApiTokens.Where(t => t.Hash == hash && t.RevokedAt == null)
            .Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => new { Token = t, Account = a })
            .Join(db.Employees, x => x.Account.EmployeeId, e => e.Id, (x, e) => new Found(x.Token, x.Account, e.Name, e.Status))
            .FirstOrDefaultAsync(ct);

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Sign in required", Detail = "The bearer token is missing, unknown or revoked, its account is disabled, or its owner has left." },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
        {
            HttpContext = Context,
            ProblemDetails = { Status = 403, Title = "Forbidden" },
        });
    }
}

public static class ApiTokens
{
    /// <summary>The token of an <c>Authorization: Bearer …</c> header (empty when the header has none), or null without one.</summary>
    public static string? ReadBearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    public static string Hash(string token) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    public static string Generate() =>
        "trl_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .Replace('+', '-').Replace('/', '_').TrimEnd('=');
}
