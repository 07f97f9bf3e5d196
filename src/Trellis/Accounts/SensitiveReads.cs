using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Writes the audit log entry for a read of someone else's sensitive record (evidence, readiness, concerns).</summary>
public sealed class SensitiveReads(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public async Task RecordAsync(string action, string? subjectEmployeeId, string? detail = null, CancellationToken ct = default)
    {
        // Reading one's own record is not a disclosure.
        if (subjectEmployeeId is not null && subjectEmployeeId == viewer.EmployeeId) return;
        db.AuditLog.Add(new AuditLogEntry
        {
            At = clock.GetUtcNow(),
            ActorEmployeeId = viewer.EmployeeId,
            Action = action,
            SubjectEmployeeId = subjectEmployeeId,
            Detail = detail,
        });
        await db.SaveChangesAsync(ct);
    }
}
