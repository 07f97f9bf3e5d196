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

    /// <summary>Applies pending migrations; turns on WAL for SQLite.</summary>
    public static async Task MigrateAsync(this TrellisDb db, CancellationToken ct = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        await db.Database.MigrateAsync(ct);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
