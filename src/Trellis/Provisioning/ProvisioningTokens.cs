using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Provisioning;

public sealed record ProvisioningTokenRow(int Id, string Name, DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>Creates, lists and revokes the provisioning tokens of <c>/scim/v2</c> (CLI and admin console).</summary>
public sealed class ProvisioningTokens(TrellisDb db, TimeProvider clock)
{
    public const string Prefix = "scim_";

    /// <summary>A new token; the plain token is returned once, only its hash is kept. Audit-logged with its creator.</summary>
    public async Task<(int Id, string Token)> CreateAsync(string? name, string? createdBy, CancellationToken ct = default)
    {
        var token = Prefix + ApiTokens.Generate()[4..];
        var row = new ProvisioningToken
        {
            Name = string.IsNullOrWhiteSpace(name) ? "provisioning" : name.Trim(), Hash = ApiTokens.Hash(token), CreatedAt = clock.GetUtcNow(), CreatedBy = createdBy,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Set<ProvisioningToken>().Add(row);
        await db.SaveChangesAsync(ct);
        db.AuditLog.Add(new AuditLogEntry { At = row.CreatedAt, ActorEmployeeId = createdBy, Action = "scim_token_created", Detail = $"provisioning token #{row.Id} '{row.Name}'" });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (row.Id, token);
    }

    public Task<List<ProvisioningTokenRow>> ListAsync(CancellationToken ct = default) =>
        db.Set<ProvisioningToken>().AsNoTracking().OrderByDescending(t => t.Id)
            .Select(t => new ProvisioningTokenRow(t.Id, t.Name, t.CreatedAt, t.CreatedBy, t.LastUsedAt, t.RevokedAt)).ToListAsync(ct);

    /// <summary>Revokes a token; false when there is no such token. Revoking twice changes nothing.</summary>
    public async Task<bool> RevokeAsync(int id, string? by, CancellationToken ct = default)
    {
        var row = await db.Set<ProvisioningToken>().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (row is null) return false;
        if (row.RevokedAt is not null) return true;
        row.RevokedAt = clock.GetUtcNow();
        db.AuditLog.Add(new AuditLogEntry { At = row.RevokedAt.Value, ActorEmployeeId = by, Action = "scim_token_revoked", Detail = $"provisioning token #{row.Id} '{row.Name}'" });
        await db.SaveChangesAsync(ct);
        return true;
    }
}
