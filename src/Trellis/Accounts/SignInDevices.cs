using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Trellis.Accounts;

/// <summary>A browser that signed in to an account with its password before, as its device cookie says.</summary>
public sealed record SignInDevice(int AccountId, string Id);

/// <summary>
/// Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a successful password sign-in gives
/// the browser an HttpOnly cookie, signed and encrypted with the data-protection keys, naming the account and a random
/// device id. When that browser signs in to the same account again, the lock that strangers' failures put on the login
/// does not hold it back; it has a small failure budget of its own instead (<see cref="AccountService.CheckSignInAsync"/>).
/// The cookie is sent only to <c>/signin</c>. A browser holds one: signing in to another account replaces it.
/// </summary>
public sealed class SignInDevices(IDataProtectionProvider protection, TimeProvider clock)
{
    public const string CookieName = "trellis_device";
    /// <summary>How a device is named in <see cref="SignInLockout.Client"/>.</summary>
    public const string ClientPrefix = "device:";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Trellis.Accounts.SignInDevice.v1").ToTimeLimitedDataProtector();

    /// <summary>The device cookie of the request, or null when there is none or it is not one this server signed (or it expired).</summary>
    public SignInDevice? Read(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value)) return null;
        try
        {
            var parts = _protector.Unprotect(value).Split(':');
            return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var account) && parts[1].Length == 32
                ? new SignInDevice(account, parts[1])
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Gives the browser its device cookie for this account (keeping its device id when it had one for it).</summary>
    public void Issue(HttpContext http, int accountId, SignInDevice? current)
    {
        var id = current?.AccountId == accountId ? current.Id : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = clock.GetUtcNow() + Lifetime;
        var value = _protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{accountId}:{id}"), expires);
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/signin",
            Expires = expires,
            IsEssential = true,
        });
    }
}
