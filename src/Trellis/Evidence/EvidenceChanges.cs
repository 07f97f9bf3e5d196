using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Evidence;

/// <summary>
/// The one place a write of evidence reports itself (observations, results, concerns, employees, the framework; from
/// the API, the pages, an import or the demo). Inside the writer's transaction it raises the evidence revision (so
/// that another server or process over the same database refits within its revision check) and drops the decision
/// snapshots (audit) computed without the change; once the transaction commits it tells this process's readiness.
/// </summary>
public sealed class EvidenceChanges(TrellisDb db, ReadinessService? readiness = null)
{
    /// <summary>For <see cref="RecordAsync"/>: the change touches everything every score depends on (employees, the framework).</summary>
    public static readonly DateOnly Everything = DateOnly.MinValue;

    /// <summary>
    /// Records a change of evidence inside the caller's transaction. <paramref name="from"/>: the earliest date of the
    /// observations or results that changed (<see cref="Everything"/> for employees or the framework); null when no
    /// stored score depends on what changed (concerns block a band but are not part of a score).
    /// </summary>
    public async Task RecordAsync(DateOnly? from, CancellationToken ct = default)
    {
        if (from is { } day) await Audit.DecisionSnapshotStore.InvalidateFromAsync(db, day, ct);
        else await EvidenceRevision.RaiseAsync(db, ct);
        if (readiness is null) return;
        // Told after the commit, so that the refit it starts reads the change.
        if (db.Database.CurrentTransaction is null) readiness.EvidenceChanged();
        else db.AfterCommit(readiness.EvidenceChanged);
    }
}
