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
    public bool IsManager => User.IsInRole(Accounts.Roles.Manager);

    /// <summary>True when <paramref name="employeeId"/> is in the viewer's reporting line (direct or indirect).</summary>
    public Task<bool> ManagesAsync(string employeeId, CancellationToken ct = default) =>
        ReportingLine.IsManagerOfAsync(db, EmployeeId, employeeId, ct);

    /// <summary>Self, a manager above them, HR or a committee member: who may see a person's readiness and evidence summary.</summary>
    public async Task<bool> CanSeeDevelopmentOfAsync(string employeeId, CancellationToken ct = default) =>
        employeeId == EmployeeId || IsHr || IsCommittee || await ManagesAsync(employeeId, ct);
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

    /// <summary>Everyone below a manager (direct and indirect), breadth first.</summary>
    public static async Task<List<string>> ReportsOfAsync(TrellisDb db, string managerId, CancellationToken ct = default)
    {
        var all = new List<string>();
        var seen = new HashSet<string> { managerId };
        var frontier = new List<string> { managerId };
        while (frontier.Count > 0)
        {
            var next = new List<string>();
            foreach (var chunk in frontier.Chunk(500))
            {
                var ids = await db.Employees.Where(e => e.ManagerId != null && chunk.Contains(e.ManagerId)).Select(e => e.Id).ToListAsync(ct);
                next.AddRange(ids.Where(seen.Add));
            }
            all.AddRange(next);
            frontier = next;
        }
        return all;
    }
}
