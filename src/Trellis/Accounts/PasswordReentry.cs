using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Trellis.Accounts;

/// <summary>
/// The check before a step that makes a lasting credential (a personal API token, a SCIM provisioning token): the person
/// must be at a browser, signed in with the cookie (a bearer token cannot make another credential, which would outlive
/// its revocation), and enter their password again; an account without a password (single sign-on) must have signed
/// in within <see cref="FreshSignIn"/>. Wrong passwords count towards the re-entry lock
/// (<see cref="AccountService.CheckPasswordAgainAsync"/>). Pages and the API share it.
/// </summary>
public sealed class PasswordReentry(AccountService accounts, TimeProvider clock, IOptions<OidcOptions> sso)
{
    /// <summary>How long after signing in a person without a Trellis password may make a credential without signing in again.</summary>
    public static readonly TimeSpan FreshSignIn = TimeSpan.FromMinutes(10);

    /// <summary>The form and request field of the password entered again.</summary>
    public const string Field = "current_password";

    /// <summary>
    /// Null when <paramref name="user"/> may go on to <paramref name="action"/> (e.g. "create another token"); else the
    /// refusal: 403 for a bearer token, 400 on <see cref="Field"/> for a wrong password or a sign-in too old, 429 while
    /// re-entry is locked.
    /// </summary>
    public async Task<Problem?> CheckAsync(ClaimsPrincipal user, int accountId, string? password, string action, CancellationToken ct = default)
    {
        if (user.Identity?.AuthenticationType != CookieAuthenticationDefaults.AuthenticationScheme)
            return Problem.Forbidden($"An API token cannot {action}: sign in in a browser to do it.");
        if (await accounts.HasPasswordAsync(accountId, ct))
        {
            var reentry = await accounts.CheckPasswordAgainAsync(accountId, password, ct);
            if (reentry.LockedUntil is not null) return Problem.TooManyRequests(reentry.Message);
            return reentry.Right ? null : Problem.Invalid(Field, reentry.Message);
        }
        if (AuthSetup.SignedInAt(user) is not { } at || clock.GetUtcNow() - at > FreshSignIn)
            return Problem.Invalid(Field, $"Sign in again (with {sso.Value.ProviderName}) to {action}: it must be within {FreshSignIn.TotalMinutes:0} minutes of signing in.");
        return null;
    }
}
