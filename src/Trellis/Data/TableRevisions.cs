using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Data;

/// <summary>
/// One counter per table that caches depend on, raised by database triggers (migration <c>TableRevisions</c>) in the
/// writing transaction, so that every write counts whichever path or process makes it: EF Core saves, bulk imports,
/// SCIM, plain SQL, another web node. A cache compares a counter instead of counting the table: the organisation
/// snapshot (<see cref="People.OrgSnapshots"/>) reads one per request, the culture audit's fingerprint all of them in
/// one query, and an edit that keeps a table's size (a correction, a move, a changed outcome) is seen too, which counts
/// were blind to.
/// </summary>
/// <remarks>
/// On PostgreSQL the counter row is locked from a write until its transaction ends, so concurrent writes to the same
/// table queue behind each other for that long; the tables counted here take a few writes a minute (people, decisions,
/// results, concerns, recognitions, stories, track returns), not per request.
/// </remarks>
public sealed class TableRevision
{
    public const string Employees = "employees";
    public const string Promotions = "promotions";
    public const string Results = "results";
    public const string Recognitions = "recognitions";
    public const string Concerns = "concerns";
    public const string PromotionStories = "promotion_stories";
    public const string TrackReturns = "track_returns";

    /// <summary>The tables with a counter (a new one needs its triggers in a migration too).</summary>
    public static readonly string[] Tables = [Employees, Promotions, Results, Recognitions, Concerns, PromotionStories, TrackReturns];

    /// <summary>SQLite has only row triggers: one per kind of write.</summary>
    public static string[] SqliteTriggers(string table) => [$"{table}_revision_insert", $"{table}_revision_update", $"{table}_revision_delete"];

    /// <summary>PostgreSQL: one statement trigger, so a 100,000-row import raises the counter once.</summary>
    public static string PostgresTrigger(string table) => $"{table}_revision";

    public required string TableName { get; set; }
    public long Value { get; set; }

    /// <summary>The table's counter (0 before its first write).</summary>
    public static async Task<long> ReadAsync(TrellisDb db, string table, CancellationToken ct = default) =>
        await db.TableRevisions.AsNoTracking().Where(r => r.TableName == table).Select(r => r.Value).FirstOrDefaultAsync(ct);

    /// <summary>Every counter, as one string ("employees=12;promotions=3;…"), for fingerprints.</summary>
    public static async Task<string> ReadAllAsync(TrellisDb db, CancellationToken ct = default) =>
        string.Join(';', (await db.TableRevisions.AsNoTracking().OrderBy(r => r.TableName).Select(r => new { r.TableName, r.Value }).ToListAsync(ct))
            .Select(r => $"{r.TableName}={r.Value}"));

    /// <summary>Declares a counted table's triggers to EF Core (see <see cref="TableRevision"/>).</summary>
    public static void Counted<T>(TableBuilder<T> table, string name) where T : class
    {
        foreach (var trigger in SqliteTriggers(name).Append(PostgresTrigger(name))) table.HasTrigger(trigger);
        // EF Core checks rows affected with SQLite's RETURNING clause, which is documented as incompatible with AFTER
        // triggers: it does without it on these tables.
        table.UseSqlReturningClause(false);
    }
}

internal sealed class TableRevisionConfiguration : IEntityTypeConfiguration<TableRevision>
{
    public void Configure(EntityTypeBuilder<TableRevision> e)
    {
        e.ToTable("table_revisions");
        e.HasKey(x => x.TableName);
        e.Property(x => x.TableName).HasMaxLength(64);
        e.HasData(TableRevision.Tables.Select(t => new TableRevision { TableName = t, Value = 0 }));
    }
}
