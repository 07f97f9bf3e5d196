using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Writes the audit log entry for a read of someone else's sensitive record (evidence, readiness, concerns).</summary>
public sealed class SensitiveReads(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public Task RecordAsync(string action, string? subjectEmployeeId, string? detail = null, CancellationToken ct = default) =>
        RecordManyAsync(action, [(subjectEmployeeId, detail)], ct);

    /// <summary>
    /// One entry per subject of a list read, written together: a page of 100 people is one multi-row insert in one
    /// transaction, not 100 saves (a commit each, most of such a page's time; and EF Core writes one statement per row on
    /// SQLite even in one save). A single entry is saved as before, with anything else the context has pending.
    /// </summary>
    public async Task RecordManyAsync(string action, IEnumerable<(string? SubjectEmployeeId, string? Detail)> reads, CancellationToken ct = default)
    {
        var at = clock.GetUtcNow();
        var entries = reads
            // Reading one's own record is not a disclosure.
            .Where(r => r.SubjectEmployeeId is null || r.SubjectEmployeeId != viewer.EmployeeId)
            .Select(r => new AuditLogEntry
            {
                At = at,
                ActorEmployeeId = viewer.EmployeeId,
                Action = action,
                SubjectEmployeeId = r.SubjectEmployeeId,
                Detail = r.Detail,
            })
            .ToList();
        switch (entries.Count)
        {
            case 0: return;
            case 1:
                db.AuditLog.Add(entries[0]);
                await db.SaveChangesAsync(ct);
                return;
            default:
                await BulkCopy.InsertAsync(db, entries, ct: ct);
                return;
        }
    }
}
