using Trellis.Tests.Security;

namespace Trellis.Tests.Accounts;

/// <summary>Accounts, tokens and concerns as flags: rows of the permission matrix.</summary>
public sealed class AccountsPermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        PermissionRule.Everyone("/account"),
        PermissionRule.Everyone("/api/v1/tokens"),
        // HR alone lists concerns; flags are for HR and the committee of the named cycle (no cycle in the seed: 404 for them).
        PermissionRule.Only("/api/v1/concerns", "H1"),
        PermissionRule.Only("/api/v1/concerns?employee_id=E1", "H1"),
        PermissionRule.Only("/evidence/concerns", "H1"),
        PermissionRule.Only("/api/v1/concerns/flags?cycle=nope").With(Access.NotFound, "H1", "C1"),
        // The admin role reads no one's readiness through the line; team readiness is for managers and HR.
        PermissionRule.Only("/api/v1/team/readiness", "M2", "M1", "H1", "C1"),
        PermissionRule.Only("/api/v1/employees/X1/readiness", "X1", "H1"),
        PermissionRule.Only("/api/v1/employees/E1/evidence", "E1", "M2", "M1", "H1", "C1"),
    ];
}
