using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Trellis.Data;

/// <summary>
/// Fast, provider-aware bulk INSERT of many rows into one table, for imports and the demo generator.
/// SQLite: prepared multi-row INSERT statements in one transaction. PostgreSQL: binary COPY.
/// Rows are streamed, never buffered whole, so memory stays flat for millions of rows.
/// When the context already has a transaction open, the rows join it (so a caller can make several
/// tables all-or-nothing); otherwise each call runs in its own transaction.
/// </summary>
public static class BulkCopy
{
    /// <summary>How often <c>rowsWritten</c> is called (rows between reports).</summary>
    public const int ReportEvery = 10_000;

    /// <summary>
    /// Inserts <paramref name="rows"/> (one value per column, in the order of <paramref name="columns"/>) into
    /// <paramref name="table"/>. Values are CLR values matching the column types: string, int, long, double,
    /// bool, DateOnly, DateTime (UTC), DateTimeOffset, Guid, decimal or null. Returns the number of rows written.
    /// </summary>
    public static async Task<long> InsertAsync(TrellisDb db, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows,
        CancellationToken ct = default, Action<long>? rowsWritten = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        if (columns.Count == 0) throw new ArgumentException("at least one column is required", nameof(columns));

        var openedHere = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (openedHere) await db.Database.OpenConnectionAsync(ct);
        IDbContextTransaction? own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            var written = db.Provider == DatabaseProvider.Sqlite
                ? InsertSqlite((SqliteConnection)transaction.Connection!, (SqliteTransaction)transaction, table, columns, rows, rowsWritten, ct)
                : InsertPostgres((NpgsqlConnection)transaction.Connection!, table, columns, rows, rowsWritten, ct);
            if (own is not null) await own.CommitAsync(ct);
            return written;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
            if (openedHere) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Inserts entities of a mapped type, taking the table, column names and value conversions from the EF model,
    /// so callers stay correct when the schema is renamed. Database-generated keys (identity columns) are left out.
    /// </summary>
    public static Task<long> InsertAsync<T>(TrellisDb db, IEnumerable<T> entities, CancellationToken ct = default, Action<long>? rowsWritten = null)
        where T : class
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new ArgumentException($"{typeof(T).Name} is not an entity of the Trellis model");
        var table = entityType.GetTableName() ?? throw new ArgumentException($"{typeof(T).Name} is not mapped to a table");
        var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
        var properties = entityType.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && p.ClrType is { } t && (t == typeof(int) || t == typeof(long))))
            .ToList();
        var columns = properties.Select(p => p.GetColumnName(store) ?? p.Name).ToList();
        var readers = properties.Select(p =>
        {
            var getter = p.GetGetter();
            var converter = p.GetTypeMapping().Converter;
            return converter is null
                ? (Func<T, object?>)(e => getter.GetClrValueUsingContainingEntity(e))
                : e => getter.GetClrValueUsingContainingEntity(e) is { } v ? converter.ConvertToProvider(v) : null;
        }).ToArray();
        var rows = entities.Select(e =>
        {
            var row = new object?[readers.Length];
            for (var i = 0; i < readers.Length; i++) row[i] = readers[i](e);
            return row;
        });
        return InsertAsync(db, table, columns, rows, ct, rowsWritten);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static long InsertSqlite(SqliteConnection connection, SqliteTransaction transaction, string table, IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows, Action<long>? rowsWritten, CancellationToken ct)
    {
        // Multi-row VALUES lists cut the per-statement overhead; stay well under SQLite's bound-parameter limit.
        var rowsPerStatement = Math.Clamp(4000 / columns.Count, 1, 200);
        using var full = PrepareSqlite(connection, transaction, table, columns, rowsPerStatement);
        var buffer = new object?[rowsPerStatement][];
        var count = 0;
        long written = 0;
        foreach (var row in rows)
        {
            if (row.Length != columns.Count)
                throw new ArgumentException($"row {written + count + 1} for {table} has {row.Length} values but {columns.Count} columns were named");
            buffer[count++] = row;
            if (count < rowsPerStatement) continue;
            ct.ThrowIfCancellationRequested();
            Execute(full, buffer, count, columns.Count);
            written += count;
            count = 0;
            if (rowsWritten is not null && written % ReportEvery < rowsPerStatement) rowsWritten(written);
        }
        if (count > 0)
        {
            using var tail = PrepareSqlite(connection, transaction, table, columns, count);
            Execute(tail, buffer, count, columns.Count);
            written += count;
        }
        rowsWritten?.Invoke(written);
        return written;

        static void Execute(SqliteCommand command, object?[][] buffer, int count, int width)
        {
            var parameters = command.Parameters;
            for (var r = 0; r < count; r++)
            {
                var row = buffer[r];
                for (var c = 0; c < width; c++) parameters[r * width + c].Value = row[c] ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
        }
    }

    private static SqliteCommand PrepareSqlite(SqliteConnection connection, SqliteTransaction transaction, string table, IReadOnlyList<string> columns, int rowCount)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(Quote(table)).Append(" (")
            .AppendJoin(", ", columns.Select(Quote)).Append(") VALUES ");
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = $"$p{r}_{c}";
                sql.Append(c == 0 ? "" : ", ").Append(name);
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        return command;
    }

    private static long InsertPostgres(NpgsqlConnection connection, string table, IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows, Action<long>? rowsWritten, CancellationToken ct)
    {
        var copy = $"COPY {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) FROM STDIN (FORMAT BINARY)";
        // The synchronous importer is several times faster per value than awaiting each write.
        using var importer = connection.BeginBinaryImport(copy);
        long written = 0;
        foreach (var row in rows)
        {
            if (row.Length != columns.Count)
                throw new ArgumentException($"row {written + 1} for {table} has {row.Length} values but {columns.Count} columns were named");
            importer.StartRow();
            for (var c = 0; c < row.Length; c++) WriteValue(importer, row[c], table, columns[c]);
            written++;
            if (written % ReportEvery == 0)
            {
                ct.ThrowIfCancellationRequested();
                rowsWritten?.Invoke(written);
            }
        }
        importer.Complete();
        rowsWritten?.Invoke(written);
        return written;
    }

    private static void WriteValue(NpgsqlBinaryImporter importer, object? value, string table, string column)
    {
        switch (value)
        {
            case null or DBNull: importer.WriteNull(); break;
            case string s: importer.Write(s, NpgsqlDbType.Text); break;
            case int i: importer.Write(i, NpgsqlDbType.Integer); break;
            case long l: importer.Write(l, NpgsqlDbType.Bigint); break;
            case double d: importer.Write(d, NpgsqlDbType.Double); break;
            case bool b: importer.Write(b, NpgsqlDbType.Boolean); break;
            case DateOnly date: importer.Write(date, NpgsqlDbType.Date); break;
            case DateTime dt: importer.Write(DateTime.SpecifyKind(dt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz); break;
            case DateTimeOffset dto: importer.Write(dto.UtcDateTime, NpgsqlDbType.TimestampTz); break;
            case Guid g: importer.Write(g, NpgsqlDbType.Uuid); break;
            case decimal m: importer.Write(m, NpgsqlDbType.Numeric); break;
            default: throw new ArgumentException($"{table}.{column}: values of type {value.GetType().Name} cannot be bulk-copied");
        }
    }
}
