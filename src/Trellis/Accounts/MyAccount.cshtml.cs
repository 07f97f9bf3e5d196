using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Trellis.Accounts;

/// <summary>The signed-in person's account: roles, changing the password, and their personal API tokens (create, see, revoke).</summary>
public sealed class MyAccountModel(
    Viewer viewer, AccountService accounts, TokenService tokens, PasswordReentry reentry, IOptions<OidcOptions> sso, TimeProvider clock) : PageModel
{
    public IReadOnlyList<TokenResponse> Tokens { get; private set; } = [];
    public IReadOnlyList<string> Roles => viewer.Roles;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Message { get; private set; }
    /// <summary>Why the form was refused as a whole (a bearer token, re-entry locked): shown above the forms.</summary>
    public string? Refusal { get; private set; }
    /// <summary>A token just created: shown on this answer only.</summary>
    public CreatedToken? NewToken { get; private set; }
    /// <summary>False for an account made by single sign-on: creating a token then asks for a fresh sign-in instead of the password.</summary>
    public bool HasPassword { get; private set; }
    /// <summary>The last time (within 30 days) all the person's tokens were revoked at once, e.g. by an admin's password reset.</summary>
    public TokensRevoked? AllRevoked { get; private set; }
    public OidcOptions Sso => sso.Value;

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Tokens = await tokens.ListAsync(viewer.AccountId, ct);
        HasPassword = await accounts.HasPasswordAsync(viewer.AccountId, ct);
        AllRevoked = await tokens.LatestRevokedAllAsync(viewer.EmployeeId, ct);
    }

    public async Task<IActionResult> OnPostPasswordAsync(
        [FromForm(Name = "current_password")] string? currentPassword, [FromForm(Name = "new_password")] string? newPassword,
        [FromForm(Name = "repeat_password")] string? repeatPassword, [FromForm(Name = "revoke_tokens")] bool revokeTokens, CancellationToken ct)
    {
        if (newPassword != repeatPassword) Errors["repeat_password"] = ["The two new passwords differ."];
        else
        {
            var (stamp, errors, check) = await accounts.ChangePasswordAsync(viewer.AccountId, currentPassword ?? "", newPassword ?? "", ct);
            Errors = errors;
            if (check.LockedUntil is not null)
            {
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Refusal = check.Message;
            }
            if (stamp is not null)
            {
                // Every other session ended with the new stamp; this one goes on with it.
                var principal = AuthSetup.CreatePrincipal(viewer.AccountId, viewer.EmployeeId, viewer.Name, viewer.Roles,
                    CookieAuthenticationDefaults.AuthenticationScheme, stamp).SignedInNow(clock.GetUtcNow());
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
                Message = "Your password is changed. Every other session of your account has ended.";
                // Tokens are not sessions: scripts keep working unless the person asks otherwise (the form offers it).
                if (revokeTokens)
                {
                    var revoked = await tokens.RevokeAllAsync(viewer.AccountId, viewer.EmployeeId, "their owner changed the password and asked for it", ct);
                    Message += revoked switch { 0 => "", 1 => " Your API token is revoked.", _ => $" Your {revoked} API tokens are revoked." };
                }
                else if ((await tokens.ListAsync(viewer.AccountId, ct)).Count is var left and > 0)
                    Message += (left == 1 ? " Your API token still works" : $" Your {left} API tokens still work")
                        + " (listed below): revoke any you did not make or no longer need.";
            }
        }
        ShowErrors();
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Field messages go next to their inputs (through ModelState, as on every page).</summary>
    private void ShowErrors()
    {
        if (Errors.Count == 0) return;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        foreach (var (field, messages) in Errors)
            foreach (var message in messages) ModelState.AddModelError(field, message);
    }

    /// <summary>A new token needs the person at a browser and their password again (<see cref="PasswordReentry"/>).</summary>
    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, [FromForm(Name = "current_password")] string? currentPassword, CancellationToken ct)
    {
        var refused = await reentry.CheckAsync(User, viewer.AccountId, currentPassword, "create another token", ct);
        if (refused is { Fields: { } fields }) Errors = fields.ToDictionary();
        else if (refused is not null)
        {
            Response.StatusCode = refused.Status;
            Refusal = refused.Detail;
        }
        else
        {
            try
            {
                NewToken = await tokens.CreateAsync(viewer.EmployeeId, name, ct);
            }
            catch (ArgumentException ex)
            {
                Errors["name"] = [ex.Message];
            }
        }
        ShowErrors();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(int id, CancellationToken ct)
    {
        var (result, _) = await tokens.RevokeAsync(id, new TokenRevoker(viewer.AccountId, viewer.EmployeeId, IsAdmin: false), ct);
        if (result != RevokeResult.Revoked)
        {
            Response.StatusCode = result == RevokeResult.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            Message = $"Token {id} is not one of yours.";
        }
        else Message = $"Token {id} is revoked: it no longer works.";
        await LoadAsync(ct);
        return Page();
    }
}
