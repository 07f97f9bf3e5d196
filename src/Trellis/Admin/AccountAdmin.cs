using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Provisioning;

namespace Trellis.Admin;

public sealed record CreateAccountRequest(string? EmployeeId, IReadOnlyList<string>? Roles);
public sealed record SetRolesRequest(IReadOnlyList<string>? Roles);
public sealed record CreateScimTokenRequest(string? Name);
public sealed record AccountChanged(string EmployeeId, IReadOnlyList<string> Roles, bool Locked);
/// <summary>A new password, shown once: only its hash is kept.</summary>
public sealed record PasswordIssued(string EmployeeId, string Password);
public sealed record TokenRow(int Id, string EmployeeId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
public sealed record ScimTokenIssued(int Id, string Name, string Token);
public sealed record SsoStatus(bool Enabled, string? Issuer, string? Provider, bool LocalPasswords, DateTimeOffset? LastSignInAt, string? LastSignInEmployeeId);

/// <summary>Why an admin change was refused (400 with a field, 404, 409).</summary>
public sealed record AdminError(int Status, string Detail, string? Field = null);

/// <summary>
/// The admin console's changes to accounts and tokens (pages and <c>/api/v1/admin</c> share it). Every change is
/// written to the audit log with the admin who made it and when.
/// </summary>
public sealed class AccountAdmin(TrellisDb db, Viewer viewer, TimeProvider clock, ProvisioningTokens scimTokens, IOptions<OidcOptions> oidc)
{
    private static readonly PasswordHasher<Account> Hasher = new();

    private void Log(string action, string? subject, string detail) =>
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = viewer.EmployeeId, Action = action, SubjectEmployeeId = subject, Detail = detail });

    private static AccountChanged Changed(Account a, DateTimeOffset now) =>
        new(a.EmployeeId, Roles.Split(a.Roles), a.LockedUntil is { } u && u > now);

    private static AdminError? CheckRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null) return new(400, "roles are required (employee is always included)", "roles");
        var unknown = roles.FirstOrDefault(r => !Roles.IsKnown(r.Trim().ToLowerInvariant()));
        return unknown is null ? null : new(400, $"unknown role '{unknown}' (use {string.Join(", ", Roles.All)})", "roles");
    }

    /// <summary>A new account with a generated password (returned once).</summary>
    public async Task<(PasswordIssued? Issued, AdminError? Error)> CreateAsync(CreateAccountRequest request, CancellationToken ct)
    {
        var id = request.EmployeeId?.Trim();
        if (string.IsNullOrEmpty(id)) return (null, new(400, "employee_id is required", "employee_id"));
        if (CheckRoles(request.Roles ?? [Roles.Employee]) is { } bad) return (null, bad);
        if (!await db.Employees.AnyAsync(e => e.Id == id, ct)) return (null, new(400, $"no employee with id '{id}'", "employee_id"));
        if (await db.Accounts.AnyAsync(a => a.EmployeeId == id, ct)) return (null, new(409, $"{id} has an account already; set its roles or reset its password"));
        var password = NewPassword();
        var account = new Account { EmployeeId = id, PasswordHash = "", Roles = Roles.Join(request.Roles ?? []), CreatedAt = clock.GetUtcNow() };
        account.PasswordHash = Hasher.HashPassword(account, password);
        db.Accounts.Add(account);
        Log("account_created", id, $"roles {account.Roles}");
        await db.SaveChangesAsync(ct);
        return (new PasswordIssued(id, password), null);
    }

    public async Task<(AccountChanged? Account, AdminError? Error)> SetRolesAsync(string employeeId, SetRolesRequest request, CancellationToken ct)
    {
        if (CheckRoles(request.Roles) is { } bad) return (null, bad);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct);
        if (account is null) return (null, new(404, $"{employeeId} has no account"));
        var roles = Roles.Join(request.Roles!);
        if (roles != account.Roles)
        {
            if (account.EmployeeId == viewer.EmployeeId && !Roles.Split(roles).Contains(Roles.Admin))
                return (null, new(409, "you cannot take the admin role from yourself; another admin can"));
            Log("roles_changed", employeeId, $"{account.Roles} → {roles}");
            account.Roles = roles;
            await db.SaveChangesAsync(ct);
        }
        return (Changed(account, clock.GetUtcNow()), null);
    }

    public async Task<(PasswordIssued? Issued, AdminError? Error)> ResetPasswordAsync(string employeeId, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct);
        if (account is null) return (null, new(404, $"{employeeId} has no account"));
        var password = NewPassword();
        account.PasswordHash = Hasher.HashPassword(account, password);
        account.FailedSignIns = 0;
        account.LockedUntil = null;
        Log("password_reset", employeeId, "new password issued (shown once)");
        await db.SaveChangesAsync(ct);
        return (new PasswordIssued(employeeId, password), null);
    }

    public async Task<(AccountChanged? Account, AdminError? Error)> UnlockAsync(string employeeId, CancellationToken ct) =>
        await ChangeAsync(employeeId, "account_unlocked", a => { a.LockedUntil = null; a.FailedSignIns = 0; }, ct);

    private async Task<(AccountChanged?, AdminError?)> ChangeAsync(string employeeId, string action, Action<Account> change, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct);
        if (account is null) return (null, new(404, $"{employeeId} has no account"));
        change(account);
        if (db.ChangeTracker.HasChanges())
        {
            Log(action, employeeId, action.Replace('_', ' '));
            await db.SaveChangesAsync(ct);
        }
        return (Changed(account, clock.GetUtcNow()), null);
    }

    public Task<List<TokenRow>> TokensAsync(string? employeeId, CancellationToken ct) =>
        (from t in db.ApiTokens.AsNoTracking()
         join a in db.Accounts.AsNoTracking() on t.AccountId equals a.Id
         where employeeId == null || a.EmployeeId == employeeId
         orderby t.Id descending
         select new TokenRow(t.Id, a.EmployeeId, t.Name, t.CreatedAt, t.LastUsedAt, t.RevokedAt)).Take(500).ToListAsync(ct);

    public async Task<AdminError?> RevokeTokenAsync(int id, CancellationToken ct)
    {
        var row = await (from t in db.ApiTokens join a in db.Accounts on t.AccountId equals a.Id where t.Id == id select new { Token = t, a.EmployeeId }).FirstOrDefaultAsync(ct);
        if (row is null) return new(404, $"no API token #{id}");
        if (row.Token.RevokedAt is not null) return null;
        row.Token.RevokedAt = clock.GetUtcNow();
        Log("token_revoked", row.EmployeeId, $"API token #{id} '{row.Token.Name}'");
        await db.SaveChangesAsync(ct);
        return null;
    }

    public Task<List<ProvisioningTokenRow>> ScimTokensAsync(CancellationToken ct) => scimTokens.ListAsync(ct);

    public async Task<ScimTokenIssued> CreateScimTokenAsync(CreateScimTokenRequest request, CancellationToken ct)
    {
        var (id, token) = await scimTokens.CreateAsync(request.Name, viewer.EmployeeId, ct);
        return new ScimTokenIssued(id, string.IsNullOrWhiteSpace(request.Name) ? "provisioning" : request.Name.Trim(), token);
    }

    public async Task<AdminError?> RevokeScimTokenAsync(int id, CancellationToken ct) =>
        await scimTokens.RevokeAsync(id, viewer.EmployeeId, ct) ? null : new(404, $"no provisioning token #{id}");

    public async Task<SsoStatus> SsoAsync(CancellationToken ct)
    {
        var o = oidc.Value;
        var last = await db.AuditLog.AsNoTracking().Where(a => a.Action == "sso_sign_in").OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Select(a => new { a.At, a.SubjectEmployeeId }).FirstOrDefaultAsync(ct);
        return new SsoStatus(o.Enabled, o.Authority, o.Enabled ? o.ProviderName : null, o.LocalPasswords, last?.At, last?.SubjectEmployeeId);
    }

    private static string NewPassword() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
}
