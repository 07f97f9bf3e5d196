using System.Net;
using Microsoft.EntityFrameworkCore;
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

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Past_a_hundred_problems_the_command_line_and_the_page_list_the_same_hundred_and_the_true_total(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var csv = "concern_id,employee_id,category,substantiated,recorded_on\n" +
                  string.Join("\n", Enumerable.Range(1, 250).Select(i => $"K{i},E1,conduct,maybe,2025-04-01")) + "\n";
        var path = files.Write("concerns.csv", csv);
        const string Total = "… and 150 more problems (250 in all); nothing was imported.";

        var (code, _, stderr) = await RunAsync("import", "--db", app.Database.Value, "--concerns", path);
        Assert.Equal(1, code);
        var lines = stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(101, lines.Length);
        Assert.Equal($"{path}:2: substantiated: must be true or false (got 'maybe')", lines[0]);
        Assert.Equal($"{path}:101: substantiated: must be true or false (got 'maybe')", lines[99]);
        Assert.Equal(Total, lines[100]);

        var hr = await CookieSession.SignedInAsync(app, "H1");
        var form = new MultipartFormDataContent
        {
            { new StringContent(await hr.TokenFromAsync("/import")), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "concerns", "concerns.csv" },
        };
        var page = await hr.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/import") { Content = form });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("Nothing was imported: 250 problems", html);
        var items = System.Text.RegularExpressions.Regex.Matches(html, "<li>(.*?)</li>").Select(m => m.Groups[1].Value)
            .Where(l => l.StartsWith("concerns.csv:", StringComparison.Ordinal) || l.StartsWith('…')).ToList();
        Assert.Equal(lines.Take(100).Select(l => l.Replace(path, "concerns.csv", StringComparison.Ordinal)).Append(Total), items);
        Assert.Equal(0, await app.WithDbAsync(db => db.Concerns.CountAsync()));
    }
}
