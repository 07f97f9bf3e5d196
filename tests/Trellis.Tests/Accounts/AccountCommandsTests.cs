using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary><c>trellis user add</c>, <c>trellis token</c>, <c>trellis migrate</c> and <c>trellis backup</c> as README.md ("Command line") has them.</summary>
public sealed class AccountCommandsTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task User_add_grants_roles_and_token_prints_a_working_bearer_token_alone_on_the_last_line(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (code, stdout, _) = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "X1", "--role", "hr", "--role", "committee", "--password", "long-enough-1");
        Assert.Equal(0, code);
        Assert.Contains("employee,hr,committee", stdout);

        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", app.Database.Value, "--employee", "X1", "--name", "script");
        Assert.Equal(0, code);
        var token = stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith("trl_", token);

        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetStringAsync("/api/v1/me");
        Assert.Contains("\"employee_id\":\"X1\"", me);
        Assert.Contains("\"hr\"", me);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Bad_account_commands_exit_1_with_a_clear_message(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (code, _, stderr) = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "NOPE", "--role", "hr");
        Assert.Equal(1, code);
        Assert.Contains("no employee with id 'NOPE'", stderr);
        (code, _, stderr) = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "X1", "--role", "boss");
        Assert.Equal(1, code);
        Assert.Contains("unknown role 'boss'", stderr);
        (code, _, stderr) = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "X1", "--role", "hr", "--password", "short");
        Assert.Equal(1, code);
        Assert.Contains("at least 12 characters", stderr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Migrate_applies_migrations_and_backup_copies_sqlite_or_points_to_pg_dump(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (code, stdout, _) = await CliRunner.RunAsync("migrate", "--db", app.Database.Value);
        Assert.Equal(0, code);
        Assert.Contains("Migrated", stdout);

        var target = Path.Combine(Path.GetTempPath(), "trellis-tests", $"backup-{Guid.NewGuid():N}.db");
        try
        {
            string stderr;
            (code, stdout, stderr) = await CliRunner.RunAsync("backup", "--db", app.Database.Value, "--out", target);
            if (provider == Provider.Postgres)
            {
                Assert.Equal(1, code);
                Assert.Contains("pg_dump", stderr);
                return;
            }
            Assert.Equal(0, code);
            await using var copy = new SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False");
            await copy.OpenAsync();
            await using var count = copy.CreateCommand();
            count.CommandText = "SELECT count(*) FROM employees";
            Assert.Equal(9L, (long)(await count.ExecuteScalarAsync())!);

            (code, _, stderr) = await CliRunner.RunAsync("backup", "--db", app.Database.Value, "--out", target);
            Assert.Equal(1, code);
            Assert.Contains("already exists", stderr);
        }
        finally
        {
            if (File.Exists(target)) File.Delete(target);
        }
    }
}
