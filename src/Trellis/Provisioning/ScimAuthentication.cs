using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Provisioning;

/// <summary>
/// Authenticates <c>/scim/v2</c> by a provisioning token only: a person's API token or sign-in cookie is not a way in,
/// and a provisioning token is not a way into anything else (the app's own bearer scheme never looks at these).
/// </summary>
internal sealed class ScimAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TrellisDb db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "scim";
    public const string TokenIdClaim = "scim_token_id";
    /// <summary>The employee id of the admin who created the token (none for a token from the command line).</summary>
    public const string CreatorClaim = "scim_token_creator";
    public const string Policy = "scim";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiTokens.ReadBearer(Request) is not { } token) return AuthenticateResult.NoResult();
        if (token.Length == 0) return AuthenticateResult.Fail("empty bearer token");
        var hash = ApiTokens.Hash(token);
        var found = await db.Set<ProvisioningToken>().FirstOrDefaultAsync(t => t.Hash == hash && t.RevokedAt == null, Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("unknown or revoked provisioning token");
        var now = clock.GetUtcNow();
        // Last use at most once a minute: provisioning cycles send many requests.
        if (found.LastUsedAt is null || now - found.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            found.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }
        var identity = new ClaimsIdentity(
            [new Claim(TokenIdClaim, found.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, found.Name)], SchemeName);
        if (found.CreatedBy is { Length: > 0 } creator) identity.AddClaim(new Claim(CreatorClaim, creator));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return new ScimError(new ScimException(401, null, "a provisioning token is required (Authorization: Bearer scim_…); create one in the admin console or with `trellis token --scim`"))
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        new ScimError(new ScimException(403, null, "this token may not provision")).ExecuteAsync(Context);
}

/// <summary>
/// The caller of a SCIM request, for the audit log, and the admin who created its token (<see cref="CreatedBy"/>, null
/// for a token made on the command line): that admin's own account gets no role through it (<see cref="ScimRoles"/>).
/// </summary>
public sealed record ScimCaller(int TokenId, string TokenName, string? CreatedBy = null)
{
    public string Describe => $"SCIM token #{TokenId} '{TokenName}'" + (CreatedBy is null ? "" : $" created by {CreatedBy}");

    public static ScimCaller Of(ClaimsPrincipal user) => new(
        int.Parse(user.FindFirstValue(ScimAuthenticationHandler.TokenIdClaim) ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        user.Identity?.Name ?? "", user.FindFirstValue(ScimAuthenticationHandler.CreatorClaim));
}
