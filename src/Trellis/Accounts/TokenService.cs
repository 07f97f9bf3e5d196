using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>A personal API token as its owner (or an admin) sees it: never the token itself, which is shown once.</summary>
public sealed record TokenResponse(int Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A token just created: the plain token is in this answer only.</summary>
public sealed record CreatedToken(int Id, string Name, string Token, DateTimeOffset CreatedAt);

/// <summary>All of a person's tokens revoked at once: when, and the audit entry's words (how many, why).</summary>
public sealed record TokensRevoked(DateTimeOffset At, string Detail);

/// <summary>Who asks to revoke a token: the owner, an admin, or the command line (no person).</summary>
public sealed record TokenRevoker(int? AccountId, string? EmployeeId, bool IsAdmin)
{
    public static readonly TokenRevoker CommandLine = new(null, null, true);
}

public enum RevokeResult { Revoked, NotFound, Forbidden }

/// <summary>
/// Personal API tokens: creation (hash stored, token shown once), the owner's list with last use, and revocation by the
/// owner, an admin or the CLI. Every revocation is in the audit log. Used by the API, the account page and the CLI.
/// </summary>
public sealed class TokenService(TrellisDb db, TimeProvider clock)
{
    public const int MaxNameLength = 100;

    public async Task<CreatedToken> CreateAsync(string employeeId, string? name, CancellationToken ct = default)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct)
            ?? throw new ArgumentException($"employee '{employeeId}' has no account (create one with `trellis user add`)");
        name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim();
        if (name.Length > MaxNameLength) throw new ArgumentException($"the token name must have at most {MaxNameLength} characters");
        var token = ApiTokens.Generate();
        var row = new ApiToken { AccountId = account.Id, Name = name, Hash = ApiTokens.Hash(token), CreatedAt = clock.GetUtcNow() };
        db.ApiTokens.Add(row);
        db.AuditLog.Add(new AuditLogEntry { At = row.CreatedAt, ActorEmployeeId = employeeId, Action = "token_created", SubjectEmployeeId = employeeId, Detail = $"token {name}" });
        await db.SaveChangesAsync(ct);
        return new CreatedToken(row.Id, row.Name, token, row.CreatedAt);
    }

    /// <summary>
    /// Revokes every token of the account that still works, in one audit entry (<c>tokens_revoked</c>, with the reason,
    /// which the person's account page shows them). Returns how many there were.
    /// </summary>
    public async Task<int> RevokeAllAsync(int accountId, string? actorEmployeeId, string reason, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var revoked = await db.ApiTokens.Where(t => t.AccountId == accountId && t.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (revoked == 0) return 0;
        var subject = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.EmployeeId).FirstAsync(ct);
        db.AuditLog.Add(new AuditLogEntry
        {
            At = now, ActorEmployeeId = actorEmployeeId, Action = RevokedAllAction, SubjectEmployeeId = subject,
            Detail = $"{revoked} API token{(revoked == 1 ? "" : "s")} revoked: {reason}",
        });
        await db.SaveChangesAsync(ct);
        return revoked;
    }

    public const string RevokedAllAction = "tokens_revoked";

    /// <summary>The latest time in the last 30 days that all the person's tokens were revoked at once, and why (for their account page).</summary>
    public Task<TokensRevoked?> LatestRevokedAllAsync(string employeeId, CancellationToken ct = default)
    {
        var since = clock.GetUtcNow().AddDays(-30);
        return db.AuditLog.AsNoTracking().Where(a => a.SubjectEmployeeId == employeeId && a.Action == RevokedAllAction && a.At >= since)
            .OrderByDescending(a => a.Id).Select(a => new TokensRevoked(a.At, a.Detail ?? "")).FirstOrDefaultAsync(ct);
    }

    /// <summary>The account's tokens that still work, newest first.</summary>
    public async Task<IReadOnlyList<TokenResponse>> ListAsync(int accountId, CancellationToken ct = default) =>
        (await db.ApiTokens.AsNoTracking().Where(t => t.AccountId == accountId && t.RevokedAt == null)
            .Select(t => new TokenResponse(t.Id, t.Name, t.CreatedAt, t.LastUsedAt)).ToListAsync(ct))
        .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).ToList();

    /// <summary>
    /// Revokes a token: its owner and admins may; anyone else gets <see cref="RevokeResult.Forbidden"/>. Revoking a token
    /// already revoked changes nothing and succeeds (DELETE is idempotent).
    /// </summary>
    public async Task<(RevokeResult Result, string? OwnerEmployeeId)> RevokeAsync(int tokenId, TokenRevoker by, CancellationToken ct = default)
    {
        var row = await db.ApiTokens.Where(t => t.Id == tokenId)
            .Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => new { Token = t, a.EmployeeId })
            .FirstOrDefaultAsync(ct);
        if (row is null) return (RevokeResult.NotFound, null);
        if (row.Token.AccountId != by.AccountId && !by.IsAdmin) return (RevokeResult.Forbidden, row.EmployeeId);
        if (row.Token.RevokedAt is null)
        {
            var now = clock.GetUtcNow();
            row.Token.RevokedAt = now;
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, ActorEmployeeId = by.EmployeeId, Action = "token_revoked", SubjectEmployeeId = row.EmployeeId,
                Detail = $"token {row.Token.Id} ({row.Token.Name}){(by.EmployeeId is null ? " from the command line" : "")}",
            });
            await db.SaveChangesAsync(ct);
        }
        return (RevokeResult.Revoked, row.EmployeeId);
    }
}
