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

    [Fact]
    public async Task Export_files_are_0600_in_a_directory_it_creates_0700_also_over_an_older_wider_file()
    {
        await using var app = await TrellisApp.StartAsync(Provider.Sqlite);
        var dir = Path.Combine(Path.GetTempPath(), "trellis-tests", $"export-{Guid.NewGuid():N}");
        var again = Path.Combine(Path.GetTempPath(), "trellis-tests", $"export-{Guid.NewGuid():N}");
        try
        {
            var (code, _, stderr) = await CliRunner.RunAsync("export", "--db", app.Database.Value, "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            var files = Directory.GetFiles(dir);
            Assert.Contains(Path.Combine(dir, "observations.csv"), files);
            Assert.Contains(Path.Combine(dir, "concerns.csv"), files);
            Assert.Contains(Path.Combine(dir, "framework.json"), files);
            foreach (var file in files) Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{file}: {File.GetUnixFileMode(file)}");

            // An existing directory is the operator's; a file an earlier export left readable by all is made private.
            Directory.CreateDirectory(again);
            var wide = Path.Combine(again, "observations.csv");
            File.WriteAllText(wide, "old");
            File.SetUnixFileMode(wide, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            (code, _, stderr) = await CliRunner.RunAsync("export", "--db", app.Database.Value, "--out", again);
            Assert.True(code == 0, stderr);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(wide));
        }
        finally
        {
            foreach (var d in new[] { dir, again }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }
}
