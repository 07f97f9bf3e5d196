using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Trellis.Accounts;

/// <summary>Where single sign-on sends someone the directory does not know (or a leaver, or a failed round trip).</summary>
public sealed class SignInRefusedModel(IOptions<OidcOptions> options) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }

    public string Message => Reason switch
    {
        "unknown" => $"{options.Value.ProviderName} signed you in, but you are not in Trellis's directory of employees.",
        "left" => "This account is closed.",
        "ambiguous" => "More than one person in Trellis's directory has your email address, so Trellis cannot tell which account is yours. Ask HR to correct the directory.",
        "unverified" => $"{options.Value.ProviderName} has not verified your email address, so Trellis cannot match it to an employee. Verify it there, or ask an administrator to match people by an identifier the provider controls.",
        "disabled" => "Your Trellis account is disabled. An administrator can enable it again.",
        _ => $"The sign-in with {options.Value.ProviderName} did not complete. Try again.",
    };

    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
