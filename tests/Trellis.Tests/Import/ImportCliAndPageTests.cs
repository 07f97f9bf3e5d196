using System.Net;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Import;

/// <summary>The CLI verbs run in-process (Console is process-wide, so these tests take turns) and the page's access rules.</summary>
public sealed class ImportCliAndPageTests
{
    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Import_exits_1_with_problems_on_stderr_and_0_with_a_summary(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var bad = files.Write("bad.csv", "employee_id,period,period_end,score\nE1,2025-H1,2025-06-30,9\n");
        var (code, stdout, stderr) = await RunAsync("import", "--db", app.Database.Value, "--results", bad);
        Assert.Equal(1, code);
        Assert.Contains($"{bad}:2: score: must be a number from 1 to 5, such as 3 or 3.5 (got '9')", stderr.Split(Environment.NewLine));
        Assert.DoesNotContain("added", stdout);

        var good = files.Write("results.csv", "employee_id,period,period_end,score\nE1,2025-H1,2025-06-30,3\n");
        (code, stdout, _) = await RunAsync("import", "--db", app.Database.Value, "--results", good);
        Assert.Equal(0, code);
        Assert.Contains($"{good}: 1 added, 0 updated, 0 unchanged", stdout.Split(Environment.NewLine));

        (code, stdout, _) = await RunAsync("import", "--db", app.Database.Value, "--results", good);
        Assert.Equal(0, code);
        Assert.Contains($"{good}: 0 added, 0 updated, 1 unchanged", stdout.Split(Environment.NewLine));
        Assert.Contains("Nothing changed", stdout);

        (code, _, stderr) = await RunAsync("import", "--db", app.Database.Value, "--results", Path.Combine(files.Path, "missing.csv"));
        Assert.Equal(1, code);
        Assert.Contains("no such file", stderr);
        (code, _, stderr) = await RunAsync("import", "--db", app.Database.Value);
        Assert.Equal(1, code);
        Assert.Contains("nothing to import", stderr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Export_writes_an_older_framework_version_on_request(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var changed = Trellis.Framework.FrameworkStore.SampleJson().Replace("\"e6\"", "\"e7\"", StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("import", "--db", app.Database.Value, "--framework", files.Write("framework.json", changed))).Code);

        var current = Path.Combine(files.Path, "current");
        var old = Path.Combine(files.Path, "old");
        Assert.Equal(0, (await RunAsync("export", "--db", app.Database.Value, "--out", current)).Code);
        Assert.Equal(0, (await RunAsync("export", "--db", app.Database.Value, "--out", old, "--framework-version", "1")).Code);
        Assert.Contains("\"e7\"", File.ReadAllText(Path.Combine(current, "framework.json")));
        Assert.Contains("\"e6\"", File.ReadAllText(Path.Combine(old, "framework.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(current, "employees.csv")), File.ReadAllText(Path.Combine(old, "employees.csv")));

        var (code, _, stderr) = await RunAsync("export", "--db", app.Database.Value, "--out", old, "--framework-version", "9");
        Assert.Equal(1, code);
        Assert.Contains("there is no framework version 9; stored versions: 1, 2", stderr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_import_page_is_for_hr_and_admins_only(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var id in new[] { "H1", "A1" })
            Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync(id)).GetAsync("/import")).StatusCode);
        foreach (var id in new[] { "E1", "M1", "C1" })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync(id)).GetAsync("/import")).StatusCode);
        var anonymous = await app.AnonymousClient().GetAsync("/import");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/signin", anonymous.Headers.Location?.PathAndQuery);
    }
}
