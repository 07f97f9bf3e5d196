using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>The signed-in person and what their roles and reporting line let them see.</summary>
public sealed class Viewer(IHttpContextAccessor http, TrellisDb db)
{
    private ClaimsPrincipal User => http.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsSignedIn => User.Identity?.IsAuthenticated == true;
    public string EmployeeId => User.FindFirstValue(TrellisClaims.EmployeeId) ?? "";
    public string Name => User.Identity?.Name ?? "";
    public int AccountId => int.TryParse(User.FindFirstValue(TrellisClaims.AccountId), out var id) ? id : 0;
    public IReadOnlyList<string> Roles => User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();

    public bool IsHr => User.IsInRole(Accounts.Roles.Hr);
    public bool IsAdmin => User.IsInRole(Accounts.Roles.Admin);
    public bool IsCommittee => User.IsInRole(Accounts.Roles.Committee);
    /// <summary>The manager role, as far as it gives access through the reporting line (never to an admin, see <see cref="HasLineAccess"/>).</summary>
    public bool IsManager => User.IsInRole(Accounts.Roles.Manager) && HasLineAccess;

    /// <summary>
    /// Whether the reporting line gives this viewer anything. Admins can rewrite the org chart (import), so the admin role
    /// gets nothing through the line: otherwise an admin could make themselves anyone's manager and read their feedback.
    /// HR sees everyone anyway. An admin who also leads a team needs a second, non-admin account for that.
    /// </summary>
    public bool HasLineAccess => !IsAdmin || IsHr;

    /// <summary>True when <paramref name="employeeId"/> is in the viewer's reporting line (direct or indirect) and the line counts for them.</summary>
    public async Task<bool> ManagesAsync(string employeeId, CancellationToken ct = default) =>
        HasLineAccess && await ReportingLine.IsManagerOfAsync(db, EmployeeId, employeeId, ct);

    /// <summary>
    /// Self, a manager above them, HR, or a committee member of a cycle in which they are a candidate: who may see a
    /// person's readiness and evidence. The committee role alone opens nothing outside the cycles its holder sits on.
    /// </summary>
    public async Task<bool> CanSeeDevelopmentOfAsync(string employeeId, CancellationToken ct = default) =>
        employeeId == EmployeeId || IsHr || await SitsInJudgementOfAsync(employeeId, ct) || await ManagesAsync(employeeId, ct);

    /// <summary>The viewer sits on the committee of a cycle in which <paramref name="employeeId"/> is nominated (never about themselves).</summary>
    public async Task<bool> SitsInJudgementOfAsync(string employeeId, CancellationToken ct = default) =>
        IsCommittee && employeeId != EmployeeId && await db.Nominations.AnyAsync(n => n.EmployeeId == employeeId
            && db.CycleCommittee.Any(m => m.CycleId == n.CycleId && m.EmployeeId == EmployeeId), ct);
}

public static class ReportingLine
{
    /// <summary>Walks up from the subject; the manager chain is short even in a 100,000-person organisation.</summary>
    public static async Task<bool> IsManagerOfAsync(TrellisDb db, string managerId, string subjectId, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(managerId) || managerId == subjectId) return false;
        var chain = await ChainAsync(db, subjectId, ct);
        return chain.Contains(managerId);
    }

    /// <summary>The manager chain above a person, nearest first (cycles are cut).</summary>
    public static async Task<List<string>> ChainAsync(TrellisDb db, string subjectId, CancellationToken ct = default)
    {
        var chain = new List<string>();
        var seen = new HashSet<string> { subjectId };
        var current = subjectId;
        while (true)
        {
            var manager = await db.Employees.Where(e => e.Id == current).Select(e => e.ManagerId).FirstOrDefaultAsync(ct);
            if (manager is null || !seen.Add(manager)) return chain;
            chain.Add(manager);
            current = manager;
        }
    }
}
