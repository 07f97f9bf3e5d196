using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Provisioning;

namespace Trellis.Accounts;

/// <summary>
/// What a person's account keeps when they become a leaver (SCIM <c>active: false</c> or DELETE, <c>status</c> left in
/// employees.csv). A leaver signs in nowhere while they are one; this makes sure that a return (a rehire, a mistaken
/// deactivation undone) does not hand back what they held before: their personal API tokens are revoked, roles given
/// by hand are dropped (roles held through a SCIM group stay with the group, which the identity provider keeps), and
/// the local password is cleared, so they sign in by single sign-on or get a new password from an admin.
/// </summary>
public static class Leavers
{
    /// <summary>
    /// Closes the accounts of <paramref name="employeeIds"/> (those without one are skipped) and writes each change to the
    /// audit log; the caller saves, in its own transaction. Returns the ids of the accounts changed (their sessions end).
    /// </summary>
    public static async Task<List<int>> CloseAccessAsync(TrellisDb db, IReadOnlyCollection<string> employeeIds, IReadOnlyDictionary<string, string> groupRoles,
        DateTimeOffset now, string? actor, string by, CancellationToken ct)
    {
        if (employeeIds.Count == 0) return [];
        var ids = employeeIds.Distinct().ToList();
        var accounts = await db.Accounts.Where(a => ids.Contains(a.EmployeeId)).ToListAsync(ct);
        if (accounts.Count == 0) return [];
        var accountIds = accounts.Select(a => a.Id).ToList();
        var tokens = (await db.ApiTokens.Where(t => accountIds.Contains(t.AccountId) && t.RevokedAt == null).ToListAsync(ct)).ToLookup(t => t.AccountId);
        var groupHeld = (await (from m in db.Set<ScimGroupMember>()
                                join g in db.Set<ScimGroup>() on m.GroupId equals g.Id
                                where ids.Contains(m.EmployeeId)
                                select new { m.EmployeeId, g.DisplayName }).ToListAsync(ct))
            .ToLookup(m => m.EmployeeId, m => groupRoles.GetValueOrDefault(m.DisplayName));
        var changed = new List<int>();
        void Log(string action, string subject, string detail) =>
            db.AuditLog.Add(new AuditLogEntry { At = now, ActorEmployeeId = actor, Action = action, SubjectEmployeeId = subject, Detail = $"{detail}: left the organisation; {by}" });
        foreach (var account in accounts)
        {
            var touched = false;
            foreach (var token in tokens[account.Id])
            {
                token.RevokedAt = now;
                Log("token_revoked", account.EmployeeId, $"token {token.Id} ({token.Name})");
                touched = true;
            }
            var keep = groupHeld[account.EmployeeId].OfType<string>().ToHashSet();
            var roles = Roles.Join(Roles.Split(account.Roles).Where(keep.Contains));
            if (roles != account.Roles)
            {
                Log("roles_changed", account.EmployeeId, $"{account.Roles} → {roles}");
                account.Roles = roles;
                touched = true;
            }
            if (account.PasswordHash.Length > 0)
            {
                account.PasswordHash = "";
                Log("password_cleared", account.EmployeeId, "the local password no longer works");
                touched = true;
            }
            if (!touched) continue;
            account.SecurityStamp = AccountService.NewSecurityStamp();
            changed.Add(account.Id);
        }
        return changed;
    }
}
