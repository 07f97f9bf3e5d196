using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Data;

/// <summary>
/// Migrating a new SQLite database logs nothing worth a warning. SQLite's <c>SignInLockoutsByLogin</c> used to rebuild two tables
/// with <c>PRAGMA foreign_keys</c>, which cannot run inside the migration's transaction: every new database logged a
/// warning, and a crash in the middle would have left that migration half applied.
/// </summary>
public sealed class MigrationTests
{
    private static SqliteTrellisDb Context(TestDatabase database, LogCapture capture)
    {
        var options = new DbContextOptionsBuilder<SqliteTrellisDb>();
        database.Selection.Configure(options);
        options.UseLoggerFactory(LoggerFactory.Create(l => l.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)));
        return new SqliteTrellisDb(options.Options);
    }

    // SQLite only: on PostgreSQL the Npgsql provider reads the history table of an empty database to learn that it is not
    // there, and logs the failed read as an error (npgsql/efcore.pg#3407); nothing in Trellis's migrations causes it.
    [Fact]
    public async Task A_fresh_sqlite_database_migrates_without_a_warning()
    {
        await using var database = TestDatabase.Create(Provider.Sqlite);
        var capture = new LogCapture();
        await using (var db = Context(database, capture))
            await db.MigrateAsync();

        var entries = capture.Entries.ToList();
        Assert.Contains(entries, e => e.Message.Contains("SignInLockoutsByLogin", StringComparison.Ordinal)); // the capture saw the migrations
        var warnings = entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Level} {e.Category}: {e.Message}").ToList();
        Assert.True(warnings.Count == 0, string.Join("\n", warnings));
    }

    [Fact]
    public async Task Sign_in_lockouts_by_login_keeps_accounts_and_gives_the_new_shape_on_sqlite()
    {
        await using var database = TestDatabase.Create(Provider.Sqlite);
        var capture = new LogCapture();
        await using (var db = Context(database, capture))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var byLogin = migrations.Single(m => m.EndsWith("_SignInLockoutsByLogin", StringComparison.Ordinal));
            await db.GetService<IMigrator>().MigrateAsync(migrations[migrations.IndexOf(byLogin) - 1]);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO accounts (id, employee_id, password_hash, roles, failed_sign_ins, locked_until, created_at, last_sign_in_at, security_stamp) " +
                "VALUES (7, 'E1', 'hash', 'hr', 3, NULL, '2026-01-01 00:00:00', NULL, 'stamp')");
            await db.Database.ExecuteSqlRawAsync("INSERT INTO sign_in_lockouts (account_id, client, failures, locked_until) VALUES (7, 'web', 3, NULL)");

            await db.GetService<IMigrator>().MigrateAsync();
        }
        Assert.Empty(capture.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message));

        await using var after = database.Selection.CreateContext();
        var account = await after.Accounts.AsNoTracking().SingleAsync();
        Assert.Equal((7, "E1", "hash", "hr", "stamp"), (account.Id, account.EmployeeId, account.PasswordHash, account.Roles, account.SecurityStamp));
        Assert.Empty(await after.SignInLockouts.AsNoTracking().ToListAsync());
        Assert.Equal(["created_at", "disabled_at", "employee_id", "id", "last_sign_in_at", "locked_until", "password_hash", "roles", "security_stamp"],
            (await ColumnsAsync(after, "accounts")).Order(StringComparer.Ordinal));
        Assert.Equal(["client", "failures", "locked_until", "login", "window_start"], (await ColumnsAsync(after, "sign_in_lockouts")).Order(StringComparer.Ordinal));
        Assert.Equal([("client", 2), ("login", 1)], (await SqlAsync(after, "SELECT name, pk FROM pragma_table_info('sign_in_lockouts') WHERE pk > 0", r => (r.GetString(0), r.GetInt32(1))))
            .OrderBy(x => x.Item1, StringComparer.Ordinal));
        Assert.Empty(await SqlAsync(after, "SELECT \"table\" FROM pragma_foreign_key_list('sign_in_lockouts')", r => r.GetString(0)));
        Assert.Equal(["IX_sign_in_lockouts_window_start"], await SqlAsync(after, "SELECT name FROM pragma_index_list('sign_in_lockouts') WHERE origin = 'c'", r => r.GetString(0)));
        Assert.Empty(await SqlAsync(after, "PRAGMA foreign_key_check", r => r.GetString(0)));

        // And it is used as before: a failed sign-in counts against the login.
        after.SignInLockouts.Add(new Trellis.Accounts.SignInLockout { Login = "e1", Client = "web", Failures = 1, WindowStart = DateTimeOffset.UtcNow });
        await after.SaveChangesAsync();
    }

    private static async Task<List<string>> ColumnsAsync(TrellisDb db, string table) =>
        await SqlAsync(db, $"SELECT name FROM pragma_table_info('{table}')", r => r.GetString(0));

    private static async Task<List<T>> SqlAsync<T>(TrellisDb db, string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync()) rows.Add(read(reader));
            return rows;
        }
        finally { await connection.CloseAsync(); }
    }
}
