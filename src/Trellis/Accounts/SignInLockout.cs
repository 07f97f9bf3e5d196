using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Accounts;

/// <summary>
/// Failed sign-ins under one login (as typed, trimmed and lower-cased) from one client: an address (IPv6 by its /64),
/// a device that signed in to the account before (<see cref="SignInDevices"/>), or <see cref="Anywhere"/> for all
/// clients together. Rows are keyed by the login, never by the account, and are written the same way whether an account
/// has that login or not: so the answers to a run of guesses cannot tell an outsider which accounts exist.
/// </summary>
public sealed class SignInLockout
{
    /// <summary>The <see cref="Client"/> of the row that counts a login's failures from every client together.</summary>
    public const string Anywhere = "*";
    /// <summary>
    /// The <see cref="Client"/> of the row that counts wrong passwords re-entered by a signed-in person (under their
    /// employee id), apart from sign-in failures (<see cref="AccountService.CheckPasswordAgainAsync"/>).
    /// </summary>
    public const string Reentry = "re-entry";
    public const int MaxLoginLength = 256;

    /// <summary>The login as typed, trimmed, lower-cased and cut to <see cref="MaxLoginLength"/> (<see cref="KeyOf"/>).</summary>
    public required string Login { get; set; }
    /// <summary>"ip:…" (an IPv4 address or an IPv6 /64), "device:…", "unknown", <see cref="Anywhere"/> or <see cref="Reentry"/>.</summary>
    public required string Client { get; set; }
    /// <summary>Attempts counted in the current window, including those still being checked (a slot is taken before the password is checked).</summary>
    public int Failures { get; set; }
    /// <summary>When the current counting window began: failures older than the lockout period no longer count.</summary>
    public DateTimeOffset WindowStart { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }

    public static string KeyOf(string login)
    {
        var key = login.Trim().ToLowerInvariant();
        return key.Length > MaxLoginLength ? key[..MaxLoginLength] : key;
    }
}

internal sealed class SignInLockoutConfiguration : IEntityTypeConfiguration<SignInLockout>
{
    public void Configure(EntityTypeBuilder<SignInLockout> e)
    {
        e.ToTable("sign_in_lockouts");
        e.HasKey(x => new { x.Login, x.Client });
        e.Property(x => x.Login).HasMaxLength(SignInLockout.MaxLoginLength);
        e.Property(x => x.Client).HasMaxLength(64);
        // Old rows are cleared by their window's start.
        e.HasIndex(x => x.WindowStart);
    }
}
