using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Provisioning;

namespace Trellis.Admin;

public sealed record CreateAccountRequest(string? EmployeeId, IReadOnlyList<string>? Roles);
public sealed record SetRolesRequest(IReadOnlyList<string>? Roles);
/// <summary>A provisioning token to create: made from a browser session with the admin's password again (<see cref="PasswordReentry"/>).</summary>
public sealed record CreateScimTokenRequest(string? Name, string? CurrentPassword = null);
public sealed record AccountChanged(string EmployeeId, IReadOnlyList<string> Roles, bool Locked, bool Disabled);
/// <summary>A new password, shown once: only its hash is kept.</summary>
public sealed record PasswordIssued(string EmployeeId, string Password, int TokensRevoked = 0);
public sealed record TokenRow(int Id, string EmployeeId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
public sealed record ScimTokenIssued(int Id, string Name, string Token);
public sealed record SsoStatus(bool Enabled, string? Issuer, string? Provider, bool LocalPasswords, DateTimeOffset? LastSignInAt, string? LastSignInEmployeeId);

/// <summary>
/// The admin console's changes to accounts and tokens (the admin page and <c>/api/v1/admin</c> share it). Every change
/// is written to the audit log with the admin who made it and when; a change that alters what a session may do (roles,
/// password, disabling) gives the account a new security stamp, which ends its other sessions on their next request.
/// </summary>
public sealed class AccountAdmin(
    TrellisDb db, Viewer viewer, TimeProvider clock, AccountService accounts, TokenService tokens, ProvisioningTokens scimTokens, AccountStates states,
    PasswordReentry reentry, IOptions<OidcOptions> oidc)
{
    private static readonly PasswordHasher<Account> Hasher = new();

    private void Log(string action, string? subject, string detail) =>
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = viewer.EmployeeId, Action = action, SubjectEmployeeId = subject, Detail = detail });

    private AccountChanged Changed(Account a) =>
        new(a.EmployeeId, Roles.Split(a.Roles), a.LockedUntil is { } u && u > clock.GetUtcNow(), a.DisabledAt is not null);

    private static Problem? CheckRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null) return Problem.Invalid("roles", "roles are required (employee is always included)");
        var unknown = roles.FirstOrDefault(r => !Roles.IsKnown(r.Trim().ToLowerInvariant()));
        return unknown is null ? null : Problem.Invalid("roles", $"unknown role '{unknown}' (use {string.Join(", ", Roles.All)})");
    }

    private async Task<Account?> FindAsync(string employeeId, CancellationToken ct) =>
        await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct);

    private static Problem NoAccount(string employeeId) => Problem.NotFound($"{employeeId} has no account");

    /// <summary>Saves the change and ends the account's other sessions in this process at once (others see the stamp within a minute).</summary>
    private async Task SaveAndEndSessionsAsync(Account account, CancellationToken ct)
    {
        account.SecurityStamp = AccountService.NewSecurityStamp();
        await db.SaveChangesAsync(ct);
        states.Forget(account.Id);
    }

    /// <summary>A new account with a generated password (returned once).</summary>
    public async Task<Outcome<PasswordIssued>> CreateAsync(CreateAccountRequest request, CancellationToken ct)
    {
        var id = request.EmployeeId?.Trim();
        if (string.IsNullOrEmpty(id)) return Problem.Invalid("employee_id", "Give the employee id of the person the account is for.");
        if (CheckRoles(request.Roles ?? [Roles.Employee]) is { } bad) return bad;
        var status = await db.Employees.Where(e => e.Id == id).Select(e => e.Status).FirstOrDefaultAsync(ct);
        if (status is null) return Problem.Invalid("employee_id", $"no employee with id '{id}'");
        if (status == EmployeeStatus.Left) return Problem.Invalid("employee_id", $"{id} has left; a leaver gets no account");
        if (await db.Accounts.AnyAsync(a => a.EmployeeId == id, ct)) return Problem.Conflict($"{id} has an account already; set its roles or reset its password");
        var password = NewPassword();
        var account = new Account
        {
            EmployeeId = id, PasswordHash = "", Roles = Roles.Join(request.Roles ?? []), CreatedAt = clock.GetUtcNow(),
            SecurityStamp = AccountService.NewSecurityStamp(),
        };
        account.PasswordHash = Hasher.HashPassword(account, password);
        db.Accounts.Add(account);
        Log("account_created", id, $"roles {account.Roles}");
        await db.SaveChangesAsync(ct);
        return Outcome<PasswordIssued>.New(new PasswordIssued(id, password));
    }

    public async Task<Outcome<AccountChanged>> SetRolesAsync(string employeeId, SetRolesRequest request, CancellationToken ct)
    {
        if (CheckRoles(request.Roles) is { } bad) return bad;
        if (await FindAsync(employeeId, ct) is not { } account) return NoAccount(employeeId);
        var roles = Roles.Join(request.Roles!);
        if (roles == account.Roles) return Changed(account);
        if (account.EmployeeId == viewer.EmployeeId)
        {
            if (!Roles.Split(roles).Contains(Roles.Admin))
                return Problem.Conflict("You cannot take the admin role from yourself; another admin can.");
            // No self-elevation: an admin who gave themselves HR (or committee, or manager) would read the evidence
            // and readiness the admin role is kept from. Dropping one's own extra roles stays possible.
            if (Roles.Split(roles).Except(Roles.Split(account.Roles)).FirstOrDefault() is { } added)
                return Problem.Conflict($"You cannot give yourself the {added} role; another admin can.");
        }
        Log("roles_changed", employeeId, $"{account.Roles} → {roles}");
        account.Roles = roles;
        await SaveAndEndSessionsAsync(account, ct);
        return Changed(account);
    }

    public async Task<Outcome<PasswordIssued>> ResetPasswordAsync(string employeeId, CancellationToken ct)
    {
        if (await FindAsync(employeeId, ct) is not { } account) return NoAccount(employeeId);
        var password = NewPassword();
        account.PasswordHash = Hasher.HashPassword(account, password);
        await accounts.ForgetFailedSignInsAsync(account, ct);
        Log("password_reset", employeeId, "new password issued (shown once)");
        await SaveAndEndSessionsAsync(account, ct);
        // A reset says the old password may be known to someone else, who could have made tokens with it: they go too.
        var revoked = await tokens.RevokeAllAsync(account.Id, viewer.EmployeeId, "an administrator reset the password", ct);
        return new PasswordIssued(employeeId, password, revoked);
    }

    /// <summary>Lifts a lockout after failed sign-ins, from every address.</summary>
    public async Task<Outcome<AccountChanged>> UnlockAsync(string employeeId, CancellationToken ct)
    {
        if (await FindAsync(employeeId, ct) is not { } account) return NoAccount(employeeId);
        var wasLocked = account.LockedUntil is not null;
        var lockouts = await accounts.ForgetFailedSignInsAsync(account, ct);
        if (wasLocked || lockouts > 0)
        {
            Log("account_unlocked", employeeId, "lockout lifted");
            await db.SaveChangesAsync(ct);
        }
        return Changed(account);
    }

    /// <summary>
    /// Disables an account: it can no longer sign in by password or single sign-on, its sessions and tokens stop on the
    /// next request. Nothing else changes (the person, their evidence and history stay); enabling it again restores sign-in.
    /// </summary>
    public async Task<Outcome<AccountChanged>> SetDisabledAsync(string employeeId, bool disabled, CancellationToken ct)
    {
        if (await FindAsync(employeeId, ct) is not { } account) return NoAccount(employeeId);
        if (disabled && account.EmployeeId == viewer.EmployeeId) return Problem.Conflict("You cannot disable your own account; another admin can.");
        if (disabled == account.DisabledAt is not null) return Changed(account);
        account.DisabledAt = disabled ? clock.GetUtcNow() : null;
        Log(disabled ? "account_disabled" : "account_enabled", employeeId, disabled ? "sign-in, sessions and tokens stopped" : "sign-in allowed again");
        await SaveAndEndSessionsAsync(account, ct);
        return Changed(account);
    }

    public Task<List<TokenRow>> TokensAsync(string? employeeId, CancellationToken ct) =>
        (from t in db.ApiTokens.AsNoTracking()
         join a in db.Accounts.AsNoTracking() on t.AccountId equals a.Id
         where employeeId == null || a.EmployeeId == employeeId
         orderby t.Id descending
         select new TokenRow(t.Id, a.EmployeeId, t.Name, t.CreatedAt, t.LastUsedAt, t.RevokedAt)).Take(500).ToListAsync(ct);

    public async Task<Outcome<int>> RevokeTokenAsync(int id, CancellationToken ct) =>
        (await tokens.RevokeAsync(id, new TokenRevoker(viewer.AccountId, viewer.EmployeeId, IsAdmin: true), ct)).Result == RevokeResult.NotFound
            ? Problem.NotFound($"no API token #{id}")
            : id;

    public Task<List<ProvisioningTokenRow>> ScimTokensAsync(CancellationToken ct) => scimTokens.ListAsync(ct);

    /// <summary>
    /// A provisioning token acts on every account, so making one asks what a personal token asks: a browser session and
    /// the admin's password again. A leaked admin bearer token cannot mint one.
    /// </summary>
    public async Task<Outcome<ScimTokenIssued>> CreateScimTokenAsync(CreateScimTokenRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await reentry.CheckAsync(user, viewer.AccountId, request.CurrentPassword, "create a provisioning token", ct) is { } refused) return refused;
        var (id, token) = await scimTokens.CreateAsync(request.Name, viewer.EmployeeId, ct);
        return Outcome<ScimTokenIssued>.New(new ScimTokenIssued(id, string.IsNullOrWhiteSpace(request.Name) ? "provisioning" : request.Name.Trim(), token));
    }

    public Task<bool> HasPasswordAsync(CancellationToken ct) => accounts.HasPasswordAsync(viewer.AccountId, ct);

    public async Task<Outcome<int>> RevokeScimTokenAsync(int id, CancellationToken ct) =>
        await scimTokens.RevokeAsync(id, viewer.EmployeeId, ct) ? id : Problem.NotFound($"no provisioning token #{id}");

    public async Task<SsoStatus> SsoAsync(CancellationToken ct)
    {
        var o = oidc.Value;
        var last = await db.AuditLog.AsNoTracking().Where(a => a.Action == "sso_sign_in").OrderByDescending(a => a.Id)
            .Select(a => new { a.At, a.SubjectEmployeeId }).FirstOrDefaultAsync(ct);
        return new SsoStatus(o.Enabled, o.Authority, o.Enabled ? o.ProviderName : null, o.LocalPasswords, last?.At, last?.SubjectEmployeeId);
    }

    /// <summary>120 random bits, readable and typeable (no + or /).</summary>
    private static string NewPassword() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
}
