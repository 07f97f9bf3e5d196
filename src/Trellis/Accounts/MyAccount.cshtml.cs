using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Accounts;

/// <summary>The signed-in person's account: roles, changing the password, and their personal API tokens (create, see, revoke).</summary>
public sealed class MyAccountModel(Viewer viewer, AccountService accounts, TokenService tokens) : PageModel
{
    public IReadOnlyList<TokenResponse> Tokens { get; private set; } = [];
    public IReadOnlyList<string> Roles => viewer.Roles;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Message { get; private set; }
    /// <summary>A token just created: shown on this answer only.</summary>
    public CreatedToken? NewToken { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Tokens = await tokens.ListAsync(viewer.AccountId, ct);

    public async Task<IActionResult> OnPostPasswordAsync(
        [FromForm(Name = "current_password")] string? currentPassword, [FromForm(Name = "new_password")] string? newPassword,
        [FromForm(Name = "repeat_password")] string? repeatPassword, CancellationToken ct)
    {
        if (newPassword != repeatPassword) Errors["repeat_password"] = ["The two new passwords differ."];
        else
        {
            var (stamp, errors) = await accounts.ChangePasswordAsync(viewer.AccountId, currentPassword ?? "", newPassword ?? "", ct);
            Errors = errors;
            if (stamp is not null)
            {
                // Every other session ended with the new stamp; this one goes on with it.
                var principal = AuthSetup.CreatePrincipal(viewer.AccountId, viewer.EmployeeId, viewer.Name, viewer.Roles,
                    CookieAuthenticationDefaults.AuthenticationScheme, stamp);
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
                Message = "Your password is changed. Every other session of your account has ended.";
            }
        }
        ShowErrors();
        Tokens = await tokens.ListAsync(viewer.AccountId, ct);
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

    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, CancellationToken ct)
    {
        try
        {
            NewToken = await tokens.CreateAsync(viewer.EmployeeId, name, ct);
        }
        catch (ArgumentException ex)
        {
            Errors["name"] = [ex.Message];
            ShowErrors();
        }
        Tokens = await tokens.ListAsync(viewer.AccountId, ct);
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
        Tokens = await tokens.ListAsync(viewer.AccountId, ct);
        return Page();
    }
}
