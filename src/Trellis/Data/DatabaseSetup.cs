using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>Applies pending migrations; turns on WAL for SQLite.</summary>
    public static async Task MigrateAsync(this TrellisDb db, CancellationToken ct = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            CreatePrivateFile(path);
        }
        await db.Database.MigrateAsync(ct);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
