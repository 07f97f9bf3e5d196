using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Data;

/// <summary>The SQLite database, its WAL and shared-memory files and its backups are readable by their owner only.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FilePermissionTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_database_its_wal_and_a_backup_are_created_with_mode_0600()
    {
        var dir = Path.Combine(Path.GetTempPath(), "trellis-tests", $"modes-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "trellis.db");
        var backup = Path.Combine(dir, "backup.db");
        try
        {
            var (code, _, stderr) = await CliRunner.RunAsync("migrate", "--db", db);
            Assert.True(code == 0, stderr);
            (code, _, stderr) = await CliRunner.RunAsync("backup", "--db", db, "--out", backup);
            Assert.True(code == 0, stderr);

            // The server's own start creates its database the same way.
            await using (var app = await TrellisApp.StartAsync(Provider.Sqlite))
            {
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(app.Database.Value));
                Assert.True(File.Exists(app.Database.Value + "-wal"), "the seeded database has a WAL");
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(app.Database.Value + "-wal"));
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(app.Database.Value + "-shm"));
            }
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(db));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(backup));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
