using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Provisioning;

/// <summary>
/// Roles from pushed groups: a role that a group maps to (<see cref="ScimOptions.GroupRoles"/>) is held while the person
/// is a member of at least one group mapping to it. Only the roles of the groups a write touched are recomputed, so
/// a role given by hand for which no group exists stays.
/// </summary>
public sealed class ScimRoles(TrellisDb db, IOptions<ScimOptions> options, TimeProvider clock, Accounts.AccountStates? sessions = null)
{
    public string? RoleOf(string displayName) => options.Value.GroupRoles().GetValueOrDefault(displayName.Trim());

    /// <summary>Brings the accounts of <paramref name="employeeIds"/> in line with their memberships (saved already) for <paramref name="roles"/>.</summary>
    public async Task SyncAsync(IReadOnlyCollection<string> employeeIds, IReadOnlyCollection<string> roles, ScimCaller caller, CancellationToken ct)
    {
        if (employeeIds.Count == 0 || roles.Count == 0) return;
        var map = options.Value.GroupRoles();
        var ids = employeeIds.Distinct().ToList();
        var memberships = await (from m in db.Set<ScimGroupMember>()
                                 join g in db.Set<ScimGroup>() on m.GroupId equals g.Id
                                 where ids.Contains(m.EmployeeId)
                                 select new { m.EmployeeId, g.DisplayName }).ToListAsync(ct);
        var held = memberships.GroupBy(m => m.EmployeeId)
            .ToDictionary(g => g.Key, g => g.Select(x => map.GetValueOrDefault(x.DisplayName)).OfType<string>().ToHashSet());
        var accounts = await db.Accounts.Where(a => ids.Contains(a.EmployeeId)).ToDictionaryAsync(a => a.EmployeeId, ct);
        var now = clock.GetUtcNow();
        foreach (var id in ids)
        {
            var has = held.GetValueOrDefault(id) ?? [];
            if (!accounts.TryGetValue(id, out var account))
            {
                if (!roles.Any(has.Contains)) continue;
                // No local password: the person signs in through single sign-on (or an admin sets one).
                account = new Account { EmployeeId = id, PasswordHash = "", Roles = Roles.Employee, CreatedAt = now };
                db.Accounts.Add(account);
            }
            var current = Roles.Split(account.Roles).ToHashSet();
            var next = current.Where(r => !roles.Contains(r) || has.Contains(r)).Concat(roles.Where(has.Contains)).ToList();
            var joined = Roles.Join(next);
            if (joined == account.Roles) continue;
            var added = Roles.Split(joined).Except(current).ToList();
            var removed = current.Except(Roles.Split(joined)).ToList();
            // No self-elevation through a token: an admin may not give themselves a role in the admin console, and a
            // provisioning token they created is theirs to drive, so it gives their own account no role either.
            if (added.Count > 0 && caller.CreatedBy == id) throw SelfGrant(caller, added, now);
            account.Roles = joined;
            // A role change ends the sessions that carry the old roles.
            account.SecurityStamp = Accounts.AccountService.NewSecurityStamp();
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, Action = "roles_changed", SubjectEmployeeId = id,
                Detail = string.Join(", ", added.Select(r => "+" + r).Concat(removed.Select(r => "-" + r))) + $" by group membership ({caller.Describe})",
            });
        }
        await db.SaveChangesAsync(ct);
        sessions?.ForgetAll();
    }

    /// <summary>The refusal (RFC 7644 §3.12: 403, no scimType fits), logged once the request's changes are rolled back.</summary>
    private static ScimException SelfGrant(ScimCaller caller, List<string> added, DateTimeOffset now)
    {
        var roles = string.Join(", ", added);
        return new ScimException(403, null,
            $"{caller.Describe} may not give its creator's own account a role ({roles}): an admin cannot give themselves a role; " +
            "another admin's provisioning token or one from `trellis token --scim` can")
        {
            Audit = new AuditLogEntry
            {
                At = now, ActorEmployeeId = caller.CreatedBy, Action = "roles_change_refused", SubjectEmployeeId = caller.CreatedBy,
                Detail = $"+{string.Join(", +", added)} by group membership refused: the token's creator may not give themselves a role ({caller.Describe})",
            },
        };
    }
}
