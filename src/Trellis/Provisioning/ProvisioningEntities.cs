using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Trellis.Data;

namespace Trellis.Provisioning;

/// <summary>
/// What SCIM knows of an employee beyond the employee record: the identity provider's userName and externalId and
/// the name parts. An employee without a row (imported from CSV) is a SCIM User whose userName is their email.
/// </summary>
public sealed class ScimUser
{
    public required string EmployeeId { get; set; }
    public required string UserName { get; set; }
    /// <summary>Lower-case userName: unique, and what filters compare (userName is not case-exact).</summary>
    public required string UserNameKey { get; set; }
    public string? ExternalId { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Set by DELETE: the employee is kept (status left) but SCIM answers 404 for them (RFC 7644 §3.6).</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>A group pushed by the identity provider; its display name may map to a Trellis role.</summary>
public sealed class ScimGroup
{
    public required string Id { get; set; }
    public required string DisplayName { get; set; }
    public string? ExternalId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ScimGroupMember
{
    public required string GroupId { get; set; }
    public required string EmployeeId { get; set; }
}

/// <summary>A provisioning bearer token for <c>/scim/v2</c>: it belongs to no person and works nowhere else.</summary>
public sealed class ProvisioningToken
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the token, hex; the token itself is shown once and never stored.</summary>
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ScimUserConfiguration : IEntityTypeConfiguration<ScimUser>
{
    public void Configure(EntityTypeBuilder<ScimUser> e)
    {
        e.ToTable("scim_users");
        e.HasKey(x => x.EmployeeId);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.UserName).HasMaxLength(320);
        e.Property(x => x.UserNameKey).HasMaxLength(320);
        e.HasIndex(x => x.UserNameKey).IsUnique();
        e.Property(x => x.ExternalId).HasMaxLength(200);
        e.HasIndex(x => x.ExternalId);
        e.Property(x => x.GivenName).HasMaxLength(200);
        e.Property(x => x.FamilyName).HasMaxLength(200);
        e.HasOne<Employee>().WithOne().HasForeignKey<ScimUser>(x => x.EmployeeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScimGroupConfiguration : IEntityTypeConfiguration<ScimGroup>
{
    public void Configure(EntityTypeBuilder<ScimGroup> e)
    {
        e.ToTable("scim_groups");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.DisplayName).HasMaxLength(256);
        e.HasIndex(x => x.DisplayName).IsUnique();
        e.Property(x => x.ExternalId).HasMaxLength(200);
    }
}

internal sealed class ScimGroupMemberConfiguration : IEntityTypeConfiguration<ScimGroupMember>
{
    public void Configure(EntityTypeBuilder<ScimGroupMember> e)
    {
        e.ToTable("scim_group_members");
        e.HasKey(x => new { x.GroupId, x.EmployeeId });
        e.Property(x => x.GroupId).HasMaxLength(64);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.HasIndex(x => x.EmployeeId);
        e.HasOne<ScimGroup>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Employee>().WithMany().HasForeignKey(x => x.EmployeeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProvisioningTokenConfiguration : IEntityTypeConfiguration<ProvisioningToken>
{
    public void Configure(EntityTypeBuilder<ProvisioningToken> e)
    {
        e.ToTable("provisioning_tokens");
        e.HasKey(x => x.Id);
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Hash).HasMaxLength(64);
        e.HasIndex(x => x.Hash).IsUnique();
        e.Property(x => x.CreatedBy).HasMaxLength(64);
    }
}
