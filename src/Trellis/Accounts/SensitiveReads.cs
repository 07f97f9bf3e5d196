using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Writes the audit log entry for a read of someone else's sensitive record (evidence, readiness, concerns).</summary>
public sealed class SensitiveReads(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public Task RecordAsync(string action, string? subjectEmployeeId, string? detail = null, CancellationToken ct = default) =>
        RecordManyAsync(action, [(subjectEmployeeId, detail)], ct);

    /// <summary>
    /// One entry per subject of a list read, saved together: a page of 100 people is one save (one transaction), not 100
    /// (a commit each, most of such a page's time).
    /// </summary>
    public async Task RecordManyAsync(string action, IEnumerable<(string? SubjectEmployeeId, string? Detail)> reads, CancellationToken ct = default)
    {
        var at = clock.GetUtcNow();
        var any = false;
        foreach (var (subject, detail) in reads)
        {
            // Reading one's own record is not a disclosure.
            if (subject is not null && subject == viewer.EmployeeId) continue;
            db.AuditLog.Add(new AuditLogEntry
            {
                At = at,
                ActorEmployeeId = viewer.EmployeeId,
                Action = action,
                SubjectEmployeeId = subject,
                Detail = detail,
            });
            any = true;
        }
        if (any) await db.SaveChangesAsync(ct);
    }
}
