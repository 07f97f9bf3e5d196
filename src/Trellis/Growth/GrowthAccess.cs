using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>Who may open whose growth page and evidence: self, their managers, HR and committee; others get 403.</summary>
public static class GrowthAccess
{
    public enum Outcome { Allowed, Forbidden, NotFound }

    public static async Task<Outcome> CheckAsync(Viewer viewer, SensitiveReads reads, Data.TrellisDb db, string employeeId, string what, CancellationToken ct)
    {
        if (!await viewer.CanSeeDevelopmentOfAsync(employeeId, ct)) return Outcome.Forbidden;
        if (!await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Employees, e => e.Id == employeeId, ct)) return Outcome.NotFound;
        await reads.RecordAsync(what, employeeId, null, ct);
        return Outcome.Allowed;
    }
}
