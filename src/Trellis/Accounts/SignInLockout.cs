using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Accounts;

/// <summary>
/// Failed sign-ins of one account from one client address. Locking per account and address means an outsider who
/// guesses five times locks out only themselves, never the person whose account it is.
/// </summary>
public sealed class SignInLockout
{
    public int AccountId { get; set; }
    /// <summary>The client's IP address as the server sees it (after trusted forwarded headers), or "unknown".</summary>
    public required string Client { get; set; }
    /// <summary>Attempts counted so far, including those still being checked (a slot is taken before the password is checked).</summary>
    public int Failures { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}

internal sealed class SignInLockoutConfiguration : IEntityTypeConfiguration<SignInLockout>
{
    public void Configure(EntityTypeBuilder<SignInLockout> e)
    {
        e.ToTable("sign_in_lockouts");
        e.HasKey(x => new { x.AccountId, x.Client });
        e.Property(x => x.Client).HasMaxLength(64);
        e.HasOne<Data.Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
