using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Data;

/// <summary>
/// A single row counting the changes to evidence (employees, observations, results, concerns, the framework). Every
/// write raises it in its own transaction through <see cref="Evidence.EvidenceChanges"/>, whichever process makes it;
/// a running server compares it with the revision its readiness was loaded from and refits, and a stored decision
/// snapshot (audit) is kept only while the revision it was computed from is still current.
/// </summary>
public sealed class EvidenceRevision
{
    public const int SingletonId = 1;
    public int Id { get; set; }
    public long Value { get; set; }

    /// <summary>The current evidence revision (0 before the first relevant change).</summary>
    public static async Task<long> ReadAsync(TrellisDb db, CancellationToken ct = default) =>
        await db.EvidenceRevisions.AsNoTracking().Where(r => r.Id == SingletonId).Select(r => r.Value).FirstOrDefaultAsync(ct);

    /// <summary>Raises the revision inside the caller's transaction.</summary>
    public static async Task RaiseAsync(TrellisDb db, CancellationToken ct = default)
    {
        // An UPDATE, not read-then-write: it takes the row lock, so a concurrent snapshot write (which locks the same
        // row to check the revision) either commits before this and is deleted by the caller, or sees the new revision.
        if (await db.EvidenceRevisions.Where(r => r.Id == SingletonId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Value, r => r.Value + 1), ct) == 0)
        {
            db.EvidenceRevisions.Add(new EvidenceRevision { Id = SingletonId, Value = 1 });
            await db.SaveChangesAsync(ct);
        }
    }
}

internal sealed class EvidenceRevisionConfiguration : IEntityTypeConfiguration<EvidenceRevision>
{
    public void Configure(EntityTypeBuilder<EvidenceRevision> e)
    {
        e.ToTable("evidence_revision");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedNever();
        e.HasData(new EvidenceRevision { Id = EvidenceRevision.SingletonId, Value = 0 });
    }
}
