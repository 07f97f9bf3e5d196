using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>Who may open whose growth page and evidence: self, their managers, HR and committee; others get 403.</summary>
public static class GrowthAccess
{
    /// <summary>Null when the viewer may see the person's growth (the read is then audit-logged), else why not (403 before 404).</summary>
    public static async Task<Problem?> CheckAsync(Viewer viewer, SensitiveReads reads, Data.TrellisDb db, string employeeId, string what, CancellationToken ct)
    {
        if (!await viewer.CanSeeDevelopmentOfAsync(employeeId, ct))
            return Problem.Forbidden("Only the person, their managers, HR and committee members may see this evidence.");
        if (!await db.Employees.AnyAsync(e => e.Id == employeeId, ct)) return Problem.NotFound($"No employee with id '{employeeId}'.");
        await reads.RecordAsync(what, employeeId, null, ct);
        return null;
    }
}
