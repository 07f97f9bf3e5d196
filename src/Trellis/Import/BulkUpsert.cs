using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using Trellis.Data;

namespace Trellis.Import;

/// <summary>
/// Writes the rows of one CSV file by key, inside the import's transaction. Rows whose values all match are left
/// alone, so a re-import changes nothing. Columns absent from the file keep their stored values on update.
/// </summary>
internal abstract class BulkUpsert(TrellisDb db, DbTransaction transaction)
{
    protected TrellisDb Db { get; } = db;
    protected DbTransaction Transaction { get; } = transaction;

    public static BulkUpsert For(TrellisDb db, DbTransaction transaction) => db.Provider == DatabaseProvider.Sqlite
        ? new SqliteBulkUpsert(db, transaction)
        : new PostgresBulkUpsert(db, transaction);

    /// <summary>Upserts every row (the array is reused between rows) and returns how many were added and updated.</summary>
    public abstract Task<(long Added, long Updated)> UpsertAsync(CsvFormat format, bool[] present, IEnumerable<object?[]> rows, CancellationToken ct);

    /// <summary>The table and its column names for a format, from the EF model (the single source of the schema).</summary>
    protected TableMap Map(CsvFormat format)
    {
        var entity = Db.Model.FindEntityType(format.Entity) ?? throw new InvalidOperationException($"{format.Entity.Name} is not in the model");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = format.Columns.Select(c => entity.FindProperty(c.Property)!.GetColumnName(table)!).ToArray();
        var key = format.Key.Select(k => columns[format.IndexOf(k)]).ToArray();
        return new TableMap(entity.GetTableName()!, columns, key);
    }

    protected sealed record TableMap(string Table, string[] Columns, string[] Key);

    protected static string Q(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

internal sealed class SqliteBulkUpsert(TrellisDb db, DbTransaction transaction) : BulkUpsert(db, transaction)
{
    public override async Task<(long Added, long Updated)> UpsertAsync(CsvFormat format, bool[] present, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        var map = Map(format);
        var connection = (SqliteConnection)Db.Database.GetDbConnection();
        var tx = (SqliteTransaction)Transaction;
        var before = await CountAsync(connection, tx, map.Table, ct);

        // Only columns the file has are compared and updated; the key never changes.
        var updatable = Enumerable.Range(0, map.Columns.Length).Where(i => present[i] && !map.Key.Contains(map.Columns[i])).ToArray();
        var sql = $"""
            INSERT INTO {Q(map.Table)} ({string.Join(", ", map.Columns.Select(Q))})
            VALUES ({string.Join(", ", map.Columns.Select((_, i) => $"?{i + 1}"))})
            ON CONFLICT ({string.Join(", ", map.Key.Select(Q))}) DO UPDATE SET
            {string.Join(", ", updatable.Select(i => $"{Q(map.Columns[i])} = excluded.{Q(map.Columns[i])}"))}
            WHERE {string.Join(" OR ", updatable.Select(i => $"{Q(map.Table)}.{Q(map.Columns[i])} IS NOT excluded.{Q(map.Columns[i])}"))}
            """;

        // One prepared statement stepped once per row, bound by position through SQLite's own API: ADO.NET's
        // by-name binding costs more than the insert itself. It runs inside the open transaction of this connection.
        var handle = connection.Handle!;
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        long changed = 0;
        try
        {
            var n = 0;
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++) Bind(handle, statement, i + 1, row[i]);
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE) Check(handle, rc);
                changed += raw.sqlite3_changes(handle); // 1 per inserted or updated row, 0 when nothing differed
                raw.sqlite3_reset(statement);
                if ((++n & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            raw.sqlite3_finalize(statement);
        }
        var added = await CountAsync(connection, tx, map.Table, ct) - before;
        return (added, changed - added);
    }

    /// <summary>Binds a value the way EF Core's SQLite provider stores it (dates as yyyy-MM-dd text, booleans as 0/1).</summary>
    private static void Bind(sqlite3 handle, sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            string s => raw.sqlite3_bind_text(statement, index, s),
            int i => raw.sqlite3_bind_int(statement, index, i),
            double d => raw.sqlite3_bind_double(statement, index, d),
            bool b => raw.sqlite3_bind_int(statement, index, b ? 1 : 0),
            DateOnly date => raw.sqlite3_bind_text(statement, index, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new InvalidOperationException($"cannot bind a {value.GetType().Name}"),
        };
        Check(handle, rc);
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc);
    }

    private static async Task<long> CountAsync(SqliteConnection connection, SqliteTransaction tx, string table, CancellationToken ct)
    {
        await using var count = connection.CreateCommand();
        count.Transaction = tx;
        count.CommandText = $"SELECT count(*) FROM {Q(table)}";
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }
}

internal sealed class PostgresBulkUpsert(TrellisDb db, DbTransaction transaction) : BulkUpsert(db, transaction)
{
    public override async Task<(long Added, long Updated)> UpsertAsync(CsvFormat format, bool[] present, IEnumerable<object?[]> rows, CancellationToken ct)
    {
        var map = Map(format);
        var connection = (NpgsqlConnection)Db.Database.GetDbConnection();
        var staging = $"import_{map.Table}";
        var columns = string.Join(", ", map.Columns.Select(Q));

        await ExecuteAsync(connection, $"CREATE TEMP TABLE {Q(staging)} (LIKE {Q(map.Table)} INCLUDING DEFAULTS) ON COMMIT DROP", ct);

        // Binary COPY into a staging table: the fastest way into PostgreSQL, then one set-based upsert.
        var types = format.Columns.Select(c => c.Type switch
        {
            CsvColumnType.Date => NpgsqlDbType.Date,
            CsvColumnType.Rating => NpgsqlDbType.Integer,
            CsvColumnType.Score => NpgsqlDbType.Double,
            CsvColumnType.Bool => NpgsqlDbType.Boolean,
            _ => NpgsqlDbType.Varchar,
        }).ToArray();
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Q(staging)} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null) await copy.WriteNullAsync(ct);
                    else await copy.WriteAsync(row[i], types[i], ct);
                }
            }
            await copy.CompleteAsync(ct);
        }

        var updatable = Enumerable.Range(0, map.Columns.Length).Where(i => present[i] && !map.Key.Contains(map.Columns[i])).ToArray();
        var target = Q(map.Table);
        var sql = $"""
            WITH upserted AS (
                INSERT INTO {target} ({columns})
                SELECT {columns} FROM {Q(staging)}
                ON CONFLICT ({string.Join(", ", map.Key.Select(Q))}) DO UPDATE SET
                {string.Join(", ", updatable.Select(i => $"{Q(map.Columns[i])} = EXCLUDED.{Q(map.Columns[i])}"))}
                WHERE ({string.Join(", ", updatable.Select(i => $"{target}.{Q(map.Columns[i])}"))})
                   IS DISTINCT FROM ({string.Join(", ", updatable.Select(i => $"EXCLUDED.{Q(map.Columns[i])}"))})
                RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """;
        await using var command = new NpgsqlCommand(sql, connection, (NpgsqlTransaction)Transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var added = reader.GetInt64(0);
        var updated = reader.GetInt64(1);
        await reader.CloseAsync();
        await ExecuteAsync(connection, $"DROP TABLE {Q(staging)}", ct);
        return (added, updated);
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, (NpgsqlTransaction)Transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
