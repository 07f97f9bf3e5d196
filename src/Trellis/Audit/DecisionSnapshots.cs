using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Trellis.Data;

namespace Trellis.Audit;

/// <summary>
/// One decision date whose candidates' scores as they stood before it are stored (<see cref="DecisionSnapshot"/>):
/// values scores from the readiness engine under one framework version, and the latest results, from evidence that
/// included every change up to <see cref="EvidenceRevision"/>. History does not change, so a date is computed once
/// and read by every later audit, until evidence dated before it changes.
/// </summary>
public sealed class DecisionSnapshotDate
{
    public DateOnly DecidedOn { get; set; }
    public int FrameworkVersionId { get; set; }
    public long EvidenceRevision { get; set; }
    public DateTimeOffset ComputedAt { get; set; }
}

/// <summary>
/// A candidate's scores as they stood before a decision date: the values score (evidence dated before it; null when
/// the engine had none) and the results score of the latest period that ended before it (null when there was none).
/// </summary>
public sealed class DecisionSnapshot
{
    public DateOnly DecidedOn { get; set; }
    public required string EmployeeId { get; set; }
    public double? ValuesScore { get; set; }
    public double? ResultsScore { get; set; }
}

internal sealed class DecisionSnapshotDateConfiguration : IEntityTypeConfiguration<DecisionSnapshotDate>
{
    public void Configure(EntityTypeBuilder<DecisionSnapshotDate> e)
    {
        e.ToTable("decision_snapshot_dates");
        e.HasKey(x => x.DecidedOn);
    }
}

internal sealed class ValuesSnapshotConfiguration : IEntityTypeConfiguration<DecisionSnapshot>
{
    public void Configure(EntityTypeBuilder<DecisionSnapshot> e)
    {
        e.ToTable("decision_snapshots");
        e.HasKey(x => new { x.DecidedOn, x.EmployeeId });
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        // The scores of a date go with the date: deleting a date row invalidates its scores in the same statement.
        e.HasOne<DecisionSnapshotDate>().WithMany().HasForeignKey(x => x.DecidedOn).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The stored decision snapshots: reading the valid ones, writing a date, and invalidating them when evidence that
/// they were computed from changes. Every write that can change a stored score invalidates them inside its own
/// transaction through <see cref="Evidence.EvidenceChanges.RecordAsync"/>: observations and results from their date on
/// (observed_on, period_end); employees (people and departments are part of the readiness model) or the framework: everything.
/// </summary>
public static class DecisionSnapshotStore
{
    /// <summary>The current evidence revision (see <see cref="EvidenceRevision"/>).</summary>
    public static Task<long> RevisionAsync(TrellisDb db, CancellationToken ct = default) => EvidenceRevision.ReadAsync(db, ct);

    /// <summary>
    /// Observations dated <paramref name="observedOn"/>, or results of a period ending then, (or later) were added, changed
    /// or removed: every snapshot of a decision after that date is dropped. The revision is raised first, so that a
    /// snapshot being computed concurrently from older evidence is not stored either. Writers call it through
    /// <see cref="Evidence.EvidenceChanges.RecordAsync"/>, which also tells readiness.
    /// </summary>
    public static async Task InvalidateFromAsync(TrellisDb db, DateOnly observedOn, CancellationToken ct = default)
    {
        await EvidenceRevision.RaiseAsync(db, ct);
        await db.DecisionSnapshots.Where(s => s.DecidedOn > observedOn).ExecuteDeleteAsync(ct);
        await db.DecisionSnapshotDates.Where(d => d.DecidedOn > observedOn).ExecuteDeleteAsync(ct);
    }

    /// <summary>The decision dates whose snapshot was made under this framework version (none without a framework).</summary>
    public static async Task<HashSet<DateOnly>> ValidDatesAsync(TrellisDb db, int? frameworkVersionId, CancellationToken ct = default) =>
        frameworkVersionId is null ? [] : (await db.DecisionSnapshotDates.AsNoTracking()
            .Where(d => d.FrameworkVersionId == frameworkVersionId).Select(d => d.DecidedOn).ToListAsync(ct)).ToHashSet();

    /// <summary>
    /// Stores one date's scores in one transaction, replacing what was there, but only while the evidence revision is
    /// still <paramref name="revision"/> (the one the scores were computed from). False when it was not stored.
    /// </summary>
    public static async Task<bool> WriteAsync(TrellisDb db, DateOnly decidedOn, int frameworkVersionId, long revision,
        IEnumerable<KeyValuePair<string, (double? Values, double? Results)>> scores, DateTimeOffset now, CancellationToken ct = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Locks the revision row until commit (see EvidenceRevision.RaiseAsync); no row updated means evidence changed meanwhile.
            var current = await db.EvidenceRevisions.Where(r => r.Id == EvidenceRevision.SingletonId && r.Value == revision)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Value, r => r.Value), ct);
            if (current == 0 && !(revision == 0 && !await db.EvidenceRevisions.AnyAsync(ct)))
            {
                await tx.RollbackAsync(ct);
                return false;
            }
            await db.DecisionSnapshots.Where(s => s.DecidedOn == decidedOn).ExecuteDeleteAsync(ct);
            await db.DecisionSnapshotDates.Where(d => d.DecidedOn == decidedOn).ExecuteDeleteAsync(ct);
            db.DecisionSnapshotDates.Add(new DecisionSnapshotDate { DecidedOn = decidedOn, FrameworkVersionId = frameworkVersionId, EvidenceRevision = revision, ComputedAt = now });
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            await BulkCopy.InsertAsync(db, scores.Select(s => new DecisionSnapshot { DecidedOn = decidedOn, EmployeeId = s.Key, ValuesScore = s.Value.Values, ResultsScore = s.Value.Results }), ct: ct);
            await tx.CommitAsync(ct);
            return true;
        });
    }
}
