using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Trellis.Accounts;

public sealed class SignInModel(AccountService accounts, SignInDevices devices, IOptions<OidcOptions> sso, TimeProvider clock) : PageModel
{
    public OidcOptions Sso => sso.Value;

    [BindProperty] public string Login { get; set; } = "";
    [BindProperty] public string Password { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Sso.LocalPasswords)
        {
            // Oidc:LocalPasswords=false: passwords are not checked at all, so they cannot be guessed either.
            Error = $"Sign-in with a password is turned off here; sign in with {Sso.ProviderName}.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        var device = devices.Read(Request);
        var result = await accounts.CheckSignInAsync(Login, Password, SignInRateLimit.ClientKey(HttpContext.Connection.RemoteIpAddress), device, ct);
        if (result.Account is null)
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var principal = AuthSetup.CreatePrincipal(result.Account.Id, result.Account.EmployeeId, result.EmployeeName ?? result.Account.EmployeeId,
            Roles.Split(result.Account.Roles), CookieAuthenticationDefaults.AuthenticationScheme, result.Account.SecurityStamp).SignedInNow(clock.GetUtcNow());
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        // This browser has now proved it knows the password: strangers' failures will not lock it out of this account.
        devices.Issue(HttpContext, result.Account.Id, device);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
