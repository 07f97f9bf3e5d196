using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Trellis.Data;

/// <summary>
/// Fast, provider-aware bulk INSERT of many rows into one table, for imports and the demo generator.
/// SQLite: prepared multi-row INSERT statements, bound by position, in one transaction. PostgreSQL: binary COPY.
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
        Action<long>? rowsWritten = null, CancellationToken ct = default)
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
                ? InsertSqlite((SqliteConnection)transaction.Connection!, table, columns, rows, rowsWritten, ct)
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
    public static Task<long> InsertAsync<T>(TrellisDb db, IEnumerable<T> entities, Action<long>? rowsWritten = null, CancellationToken ct = default)
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
        return InsertAsync(db, table, columns, rows, rowsWritten, ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static long InsertSqlite(SqliteConnection connection, string table, IReadOnlyList<string> columns,
        IEnumerable<object?[]> rows, Action<long>? rowsWritten, CancellationToken ct)
    {
        // Statements are prepared once and bound by position through SQLite's own API: ADO.NET parameter binding
        // matches parameters by name, which costs more than the insert itself for wide multi-row statements.
        var handle = connection.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
        var rowsPerStatement = Math.Clamp(500 / columns.Count, 1, 50);
        var width = columns.Count;
        var buffer = new object?[rowsPerStatement][];
        var count = 0;
        long written = 0;
        using var full = Prepare(handle, table, columns, rowsPerStatement);
        foreach (var row in rows)
        {
            if (row.Length != width)
                throw new ArgumentException($"row {written + count + 1} for {table} has {row.Length} values but {width} columns were named");
            buffer[count++] = row;
            if (count < rowsPerStatement) continue;
            Execute(handle, full, buffer, count, table, columns);
            written += count;
            count = 0;
            if (written % ReportEvery < rowsPerStatement)
            {
                ct.ThrowIfCancellationRequested();
                rowsWritten?.Invoke(written);
            }
        }
        if (count > 0)
        {
            using var tail = Prepare(handle, table, columns, count);
            Execute(handle, tail, buffer, count, table, columns);
            written += count;
        }
        rowsWritten?.Invoke(written);
        return written;
    }

    private static void Execute(sqlite3 handle, sqlite3_stmt statement, object?[][] buffer, int count, string table, IReadOnlyList<string> columns)
    {
        var width = columns.Count;
        for (var r = 0; r < count; r++)
            for (var c = 0; c < width; c++)
                Bind(statement, r * width + c + 1, buffer[r][c], table, columns[c]);
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
            throw new InvalidOperationException($"bulk insert into {table}: {raw.sqlite3_errmsg(handle).utf8_to_string()}");
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, string table, IReadOnlyList<string> columns, int rowCount)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(Quote(table)).Append(" (")
            .AppendJoin(", ", columns.Select(Quote)).Append(") VALUES ");
        var values = "(" + string.Join(", ", Enumerable.Repeat("?", columns.Count)) + ")";
        sql.AppendJoin(", ", Enumerable.Repeat(values, rowCount));
        var rc = raw.sqlite3_prepare_v2(handle, sql.ToString(), out var statement);
        if (rc != raw.SQLITE_OK)
            throw new InvalidOperationException($"bulk insert into {table}: {raw.sqlite3_errmsg(handle).utf8_to_string()}");
        return statement;
    }

    /// <summary>Binds like Microsoft.Data.Sqlite and EF Core store values, so rows read back the same way.</summary>
    private static void Bind(sqlite3_stmt statement, int index, object? value, string table, string column)
    {
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(statement, index),
            string s => raw.sqlite3_bind_text(statement, index, s),
            int i => raw.sqlite3_bind_int(statement, index, i),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            double d => raw.sqlite3_bind_double(statement, index, d),
            bool b => raw.sqlite3_bind_int(statement, index, b ? 1 : 0),
            DateOnly date => raw.sqlite3_bind_text(statement, index, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            DateTime dt => raw.sqlite3_bind_text(statement, index, dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
            DateTimeOffset dto => raw.sqlite3_bind_text(statement, index, dto.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
            Guid g => raw.sqlite3_bind_text(statement, index, g.ToString().ToUpperInvariant()),
            decimal m => raw.sqlite3_bind_text(statement, index, m.ToString("0.0###########################", CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"{table}.{column}: values of type {value.GetType().Name} cannot be bulk-copied"),
        };
        if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"bulk insert into {table}.{column}: binding failed ({rc})");
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
