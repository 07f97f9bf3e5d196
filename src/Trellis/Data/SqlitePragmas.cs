using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Trellis.Data;

/// <summary>
/// Sets the per-connection SQLite settings on every connection the app opens through EF Core (pooled connections are
/// opened again for each unit of work, so this runs each time; it costs microseconds). The write-ahead log itself
/// (<c>journal_mode=WAL</c>) is a property of the database file, set once by <see cref="DatabaseSetup.MigrateAsync"/>.
/// </summary>
/// <remarks>
/// <c>synchronous=NORMAL</c> is the usual setting with WAL: a commit appends to the log without waiting for the disk
/// (fsync), and the log is synced at each checkpoint. The database cannot be corrupted by a crash or a power cut; a
/// power cut (not a crash of the process, which loses nothing) may lose the last transactions committed before it.
/// With the default <c>FULL</c> every commit, including the audit-log entry of each sensitive read, waits for an fsync.
/// See docs/operations.md, "SQLite durability".
/// </remarks>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public const string Statement = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is not SqliteConnection) return;
        using var command = connection.CreateCommand();
        command.CommandText = Statement;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is not SqliteConnection) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Statement;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
