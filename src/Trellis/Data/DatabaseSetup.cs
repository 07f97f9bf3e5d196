using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Trellis.Data;

public static class DatabaseSetup
{
    public static IServiceCollection AddTrellisDb(this IServiceCollection services, DatabaseSelection db)
    {
        services.AddSingleton(db);
        if (db.Provider == DatabaseProvider.Sqlite)
            services.AddDbContext<TrellisDb, SqliteTrellisDb>(db.Configure);
        else
            services.AddDbContext<TrellisDb, PostgresTrellisDb>(db.Configure);
        return services;
    }

    /// <summary>
    /// Creates an empty file readable and writable by its owner only (0600), unless it exists. SQLite gives the database's
    /// WAL and shared-memory files the mode of the database file, so all three stay private; backups are made the same way.
    /// </summary>
    public static void CreatePrivateFile(string path)
    {
        if (string.IsNullOrEmpty(path) || path == ":memory:" || path.StartsWith("file:", StringComparison.Ordinal) || File.Exists(path)) return;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it at the same moment: it is theirs to have made.
        }
    }

    /// <summary>
    /// Applies pending migrations; turns on WAL for SQLite. A new SQLite file is made in an existing directory only (a
    /// mistyped directory is refused rather than created), and a database that has migrations this build does not know
    /// (a newer build migrated it) is refused before anything is written: <see cref="UnusableDatabaseException"/>.
    /// </summary>
    public static async Task MigrateAsync(this TrellisDb db, CancellationToken ct = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (!string.IsNullOrEmpty(path) && path != ":memory:" && !path.StartsWith("file:", StringComparison.Ordinal))
            {
                var full = Path.GetFullPath(path);
                var dir = Path.GetDirectoryName(full);
                if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
                    throw new UnusableDatabaseException($"cannot create the SQLite database {full}: the directory {dir} does not exist (create it first)");
                try
                {
                    CreatePrivateFile(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UnusableDatabaseException($"cannot create the SQLite database {full}: {e.Message}", e);
                }
            }
        }
        if (await db.NewerMigrationsAsync(ct) is { Count: > 0 } newer) throw new UnusableDatabaseException(NewerBuildMessage(newer));
        await db.Database.MigrateAsync(ct);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>Migrations applied to the database that this build does not have: a newer Trellis migrated it.</summary>
    public static async Task<IReadOnlyList<string>> NewerMigrationsAsync(this TrellisDb db, CancellationToken ct = default)
    {
        var applied = await db.Database.GetAppliedMigrationsAsync(ct);
        return [.. applied.Except(db.Database.GetMigrations(), StringComparer.Ordinal)];
    }

    /// <summary>Why a database migrated by a newer build is refused (its schema may have changed in ways this build would break).</summary>
    public static string NewerBuildMessage(IEnumerable<string> newer) =>
        $"this database was migrated by a newer Trellis (migrations unknown to this build: {string.Join(", ", newer)}); use that version or restore a backup";

    /// <summary>
    /// Refuses a database that does not exist yet, for a verb that only reads (a mistyped <c>--db</c> path must not
    /// become a new empty database that the verb then reports on).
    /// </summary>
    public static async Task RequireExistingAsync(this TrellisDb db, DatabaseSelection selection, CancellationToken ct = default)
    {
        if (!await db.GetService<IRelationalDatabaseCreator>().ExistsAsync(ct))
            throw new UnusableDatabaseException($"no database at {selection.Location}");
    }
}
