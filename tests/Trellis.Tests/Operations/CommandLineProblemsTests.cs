using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Operations;

/// <summary>
/// What the command line does with a mistake its operator makes: help that starts nothing, a mistyped option or
/// database, a database migrated by a newer build. Each is one "error:" line and exit code 1, and creates nothing.
/// </summary>
public sealed class CommandLineProblemsTests
{
    /// <summary>The old code served instead of refusing; a run that has not ended by then counts as a failure.</summary>
    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        CliRunner.RunAsync(args).WaitAsync(TimeSpan.FromSeconds(90));

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "trellis-tests", $"cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Exactly one line, "error: …", that contains <paramref name="expected"/>: no stack trace, no log lines.</summary>
    private static void AssertOneErrorLine(string[] args, (int Code, string Out, string Err) run, string expected)
    {
        var what = string.Join(' ', args);
        Assert.True(run.Code == 1, $"{what}: exit {run.Code}\n{run.Err}");
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"{what}: not one error line:\n{run.Err}");
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public async Task Help_of_serve_and_of_the_root_prints_help_and_creates_no_database()
    {
        var dir = TempDir();
        var db = Path.Combine(dir, "trellis.db");
        try
        {
            var (code, output, error) = await RunAsync("serve", "--db", db, "--help");
            Assert.True(code == 0, error);
            Assert.Contains(" serve [options]", output);
            Assert.Contains("--urls", output);
            (code, output, error) = await RunAsync("--db", db, "--help");
            Assert.True(code == 0, error);
            Assert.Contains("migrate", output);
            Assert.False(File.Exists(db), "help created the database");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_refuses_an_unknown_option_and_takes_settings_as_before()
    {
        var dir = TempDir();
        var db = Path.Combine(dir, "trellis.db");
        try
        {
            string[] bogus = ["serve", "--db", db, "--bogus"];
            AssertOneErrorLine(bogus, await RunAsync(bogus), "serve does not take the option '--bogus'");
            string[] typo = ["serve", "--dmeo", "--db", db];
            AssertOneErrorLine(typo, await RunAsync(typo), "serve does not take the option '--dmeo'");
            string[] stray = ["serve", "--db", db, "stray"];
            AssertOneErrorLine(stray, await RunAsync(stray), "serve does not take the argument 'stray'");
            Assert.False(File.Exists(db), "a refused serve created the database");

            // Settings and the host's options pass (the run then stops at the missing directory, before listening).
            var missing = Path.Combine(dir, "no-such-dir", "trellis.db");
            string[] settings = ["serve", "--db", missing, "--urls", "http://127.0.0.1:0", "--demo", "--log-format", "json", "--Webhooks:AllowHttp=true",
                "--Logging:LogLevel:Default", "Warning", "--environment", "Production", "--warmup=false", "/SignIn:AttemptsPerMinute=5",
                "--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318", "--OTEL_SERVICE_NAME", "trellis-test"];
            AssertOneErrorLine(settings, await RunAsync(settings), "the directory");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Verbs_that_read_refuse_a_database_that_does_not_exist_and_create_nothing()
    {
        var dir = TempDir();
        var typo = Path.Combine(dir, "typo.db");
        try
        {
            foreach (var args in new[]
            {
                new[] { "backup", "--db", typo, "--out", Path.Combine(dir, "backup.db") }, ["export", "--db", typo, "--out", Path.Combine(dir, "export")],
                ["readiness", "--db", typo], ["audit", "--db", typo],
            })
            {
                AssertOneErrorLine(args, await RunAsync(args), $"error: no database at {typo}");
                Assert.False(File.Exists(typo), $"{args[0]} created the database");
            }
            Assert.Equal([], Directory.GetFileSystemEntries(dir));

            // A new database goes into an existing directory only: a mistyped directory is not created.
            var deep = Path.Combine(dir, "no", "such", "dir", "x.db");
            string[] migrate = ["migrate", "--db", deep];
            AssertOneErrorLine(migrate, await RunAsync(migrate), $"the directory {Path.Combine(dir, "no", "such", "dir")} does not exist");
            Assert.False(Directory.Exists(Path.Combine(dir, "no")), "migrate created the directories");
            // ... and in an existing one, as before.
            var fresh = Path.Combine(dir, "fresh.db");
            Assert.Equal(0, (await RunAsync("migrate", "--db", fresh)).Code);
            Assert.True(File.Exists(fresh));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Verbs_that_read_refuse_a_postgres_database_that_does_not_exist()
    {
        await using var server = TestDatabase.Create(Provider.Postgres);
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(server.Value) { Database = $"trellis_missing_{Guid.NewGuid():N}" };
        foreach (var args in new[] { new[] { "export", "--db", missing.ConnectionString, "--out", Path.Combine(Path.GetTempPath(), $"trellis-x-{Guid.NewGuid():N}") },
                     ["readiness", "--db", missing.ConnectionString], ["audit", "--db", missing.ConnectionString] })
            AssertOneErrorLine(args, await RunAsync(args), $"no database at PostgreSQL {missing.Host}:{missing.Port}/{missing.Database}");
        await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(server.Value) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var exists = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = missing.Database } } };
        Assert.Equal(0L, await exists.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_malformed_db_value_or_a_file_that_cannot_be_written_is_one_error_line_that_names_the_part()
    {
        var dir = TempDir();
        try
        {
            var db = Path.Combine(dir, "trellis.db");
            Assert.Equal(0, (await RunAsync("migrate", "--db", db)).Code);
            Directory.CreateDirectory(Path.Combine(dir, "a-directory"));
            foreach (var (args, expected) in new (string[], string)[]
            {
                (["migrate", "--db", "postgres://u:secret-pw@h:notaport/db"], "the port 'notaport' of the URL"),
                (["migrate", "--db", "postgres://u:secret-pw@127.0.0.1/db?bogus=1"], "unknown URL parameter 'bogus'"),
                (["migrate", "--db", "Host=127.0.0.1;Password=secret-pw;Bogus=1"], "unknown connection-string key 'bogus'"),
                (["migrate", "--db", "Host=127.0.0.1;Password=secret-pw;Port=abc"], "the value 'abc' of connection-string key 'port'"),
                (["readiness", "--db", "Data Source=x.db;Bogus=1"], "unknown connection-string key 'bogus'"),
                (["serve", "--db", "postgres://u:secret-pw@h:notaport/db"], "the port 'notaport' of the URL"),
                (["migrate", "--db", "/proc/trellis.db"], "cannot create the SQLite database /proc/trellis.db"),
                (["serve", "--db", "/proc/trellis.db"], "cannot create the SQLite database /proc/trellis.db"),
                (["backup", "--db", db, "--out", Path.Combine(dir, "a-directory")], "is a directory"),
                (["backup", "--db", db, "--out", "/proc/backup.db"], "/proc/backup.db"),
            })
            {
                var run = await RunAsync(args);
                AssertOneErrorLine(args, run, expected);
                Assert.DoesNotContain("secret-pw", run.Err);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_database_migrated_by_a_newer_build_is_refused_by_every_verb_and_not_ready(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var db = app.Database.Value;
        await app.WithDbAsync(d => d.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('20991231000000_FutureThing', '99.0.0')"));

        List<string[]> verbs =
        [
            ["migrate", "--db", db], ["readiness", "--db", db], ["audit", "--db", db],
            ["export", "--db", db, "--out", Path.Combine(Path.GetTempPath(), "trellis-tests", $"x-{Guid.NewGuid():N}")],
            ["serve", "--db", db, "--urls", "http://127.0.0.1:0", "--warmup=false"],
        ];
        if (provider == Provider.Sqlite) verbs.Add(["backup", "--db", db, "--out", Path.Combine(Path.GetTempPath(), "trellis-tests", $"b-{Guid.NewGuid():N}.db")]);
        foreach (var args in verbs)
            AssertOneErrorLine(args, await RunAsync(args),
                "this database was migrated by a newer Trellis (migrations unknown to this build: 20991231000000_FutureThing); use that version or restore a backup");

        // A node that is running when it happens stops being ready.
        var ready = await app.AnonymousClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("unhealthy", database.GetProperty("status").GetString());
        Assert.Contains("migrated by a newer Trellis", database.GetRawText());
    }
}
