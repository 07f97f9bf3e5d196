using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Trellis.Data;

namespace Trellis.Import;

/// <summary>One file written by an export, with its row count (null for framework.json).</summary>
public sealed record ExportedFile(string Path, long? Rows);

/// <summary>
/// <c>trellis export</c>: framework.json and the six CSV files, in the exact formats import reads, ordered by key
/// (byte order, the same on SQLite and PostgreSQL) so that the same data always gives the same bytes.
/// </summary>
public sealed class DataExport(TrellisDb db)
{
    /// <summary>Writes the files into <paramref name="directory"/>. <paramref name="frameworkVersion"/> picks a stored version (default: current).</summary>
    public async Task<IReadOnlyList<ExportedFile>> WriteAsync(string directory, int? frameworkVersion, CancellationToken ct = default)
    {
        // The files hold personal data (the rater of anonymous feedback, concerns): owner-only, as the database and backups are.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else if (!Directory.Exists(directory)) Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var written = new List<ExportedFile>();
        var versions = db.FrameworkVersions.AsNoTracking();
        var version = frameworkVersion is { } n
            ? await versions.Where(v => v.Id == n).Select(v => new { v.Id, v.Json }).FirstOrDefaultAsync(ct)
                ?? throw new ExportException($"there is no framework version {n}; stored versions: {string.Join(", ", await versions.OrderBy(v => v.Id).Select(v => v.Id).ToListAsync(ct))}")
            : await versions.OrderByDescending(v => v.Id).Select(v => new { v.Id, v.Json }).FirstOrDefaultAsync(ct);
        if (version is not null)
        {
            var path = Path.Combine(directory, CsvFormats.FrameworkFileName);
            await using (var stream = CreatePrivate(path))
                await stream.WriteAsync(new UTF8Encoding(false).GetBytes(version.Json.EndsWith('\n') ? version.Json : version.Json + "\n"), ct);
            written.Add(new ExportedFile(path, null));
        }
        foreach (var format in CsvFormats.All)
            written.Add(await WriteCsvAsync(format, Path.Combine(directory, format.FileName), ct));
        return written;
    }

    /// <summary>Creates or truncates a file readable and writable by its owner only (0600), also when an earlier export left it wider.</summary>
    private static FileStream CreatePrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
        if (OperatingSystem.IsWindows()) return new FileStream(path, options);
        options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(path, options);
        File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return stream;
    }

    private async Task<ExportedFile> WriteCsvAsync(CsvFormat format, string path, CancellationToken ct)
    {
        var entity = db.Model.FindEntityType(format.Entity)!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => $"\"{entity.FindProperty(property)!.GetColumnName(table)}\"";
        // Byte order on both providers: PostgreSQL's default collation follows the locale.
        var collate = db.Provider == DatabaseProvider.Postgres ? " COLLATE \"C\"" : "";
        var sql = $"SELECT {string.Join(", ", format.Columns.Select(c => Column(c.Property)))} FROM \"{entity.GetTableName()}\" " +
                  $"ORDER BY {string.Join(", ", format.Key.Select(k => Column(format.Columns[format.IndexOf(k)].Property) + collate))}";

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(ct);
            await using var stream = CreatePrivate(path);
            // RFC 4180 with CRLF; no BOM. Text cells that a spreadsheet would run as a formula get the apostrophe of
            // SpreadsheetCsv, which import removes again, so an export still round-trips byte for byte.
            await using var csv = CsvWriter.Create(stream, CsvWriterOptions.Default, leaveOpen: false);
            foreach (var column in format.Columns) csv.WriteField(column.Name);
            await csv.EndRecordAsync(ct);
            long rows = 0;
            while (await reader.ReadAsync(ct))
            {
                for (var i = 0; i < format.Columns.Count; i++)
                {
                    var text = reader.IsDBNull(i) ? "" : CsvValues.Format(Read(reader, i, format.Columns[i].Type));
                    csv.WriteField(format.Columns[i].Type == CsvColumnType.Text ? Shared.SpreadsheetCsv.Defuse(text) : text);
                }
                await csv.EndRecordAsync(ct);
                rows++;
            }
            await csv.FlushAsync(ct);
            return new ExportedFile(path, rows);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static object Read(System.Data.Common.DbDataReader reader, int i, CsvColumnType type) => type switch
    {
        CsvColumnType.Date => reader.GetFieldValue<DateOnly>(i),
        CsvColumnType.Rating => reader.GetInt32(i),
        CsvColumnType.Score => reader.GetDouble(i),
        CsvColumnType.Bool => reader.GetBoolean(i),
        _ => reader.GetString(i),
    };
}

/// <summary>An export that cannot be done as asked (a missing framework version); the message is for the user.</summary>
public sealed class ExportException(string message) : Exception(message);
