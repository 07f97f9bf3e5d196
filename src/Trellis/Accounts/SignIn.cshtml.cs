using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Accounts;

public sealed class SignInModel(AccountService accounts) : PageModel
{
    [BindProperty] public string Login { get; set; } = "";
    [BindProperty] public string Password { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var result = await accounts.CheckSignInAsync(Login, Password, ct);
        if (result.Account is null)
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var principal = AuthSetup.CreatePrincipal(result.Account.Id, result.Account.EmployeeId, result.EmployeeName ?? result.Account.EmployeeId,
            Roles.Split(result.Account.Roles), CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
