using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Data;

/// <summary>
/// A single row counting the writes to <c>employees</c>, raised by database triggers (migration
/// <c>EmployeeRevision</c>) in the writing transaction, so that every write counts whichever path or process makes
/// it: EF Core saves, bulk imports, SCIM, plain SQL, another web node. The organisation snapshot
/// (<see cref="People.OrgSnapshots"/>) compares it on each use: one primary-key read instead of counting the
/// organisation, and a rename or a move made elsewhere shows at once instead of after a maximum age.
/// </summary>
public sealed class EmployeeRevision
{
    public const int SingletonId = 1;

    /// <summary>The triggers the migration creates, by provider (tests check they survive later migrations).</summary>
    public static readonly string[] SqliteTriggers = ["employees_revision_insert", "employees_revision_update", "employees_revision_delete"];
    public const string PostgresTrigger = "employees_revision";

    public int Id { get; set; }
    public long Value { get; set; }

    /// <summary>The current revision (0 before the first write to employees).</summary>
    public static async Task<long> ReadAsync(TrellisDb db, CancellationToken ct = default) =>
        await db.EmployeeRevisions.AsNoTracking().Where(r => r.Id == SingletonId).Select(r => r.Value).FirstOrDefaultAsync(ct);
}

internal sealed class EmployeeRevisionConfiguration : IEntityTypeConfiguration<EmployeeRevision>
{
    public void Configure(EntityTypeBuilder<EmployeeRevision> e)
    {
        e.ToTable("employee_revision");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedNever();
        e.HasData(new EmployeeRevision { Id = EmployeeRevision.SingletonId, Value = 0 });
    }
}
