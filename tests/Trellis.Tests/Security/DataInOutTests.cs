using System.Net;
using System.Text;
using Trellis.Import;
using Trellis.Shared;
using Trellis.Tests.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>Formula injection in CSV outputs, and hostile import files (issue 14, "Data in and out").</summary>
public sealed class DataInOutTests
{
    private const string EmployeesHeader = "employee_id,name,email,manager_id,department,location,title,track,level,hire_date,level_since,status,gender";

    [Fact]
    public void Formula_cells_are_defused_and_restored_exactly()
    {
        foreach (var (value, cell) in new[]
                 {
                     ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-0.5", "'-0.5"), ("@SUM(A1)", "'@SUM(A1)"),
                     ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("''+x", "'''+x"), ("'plain", "'plain"), ("plain", "plain"), ("", ""), ("'", "'"),
                 })
        {
            Assert.Equal(cell, SpreadsheetCsv.Defuse(value));
            Assert.Equal(value, SpreadsheetCsv.Restore(SpreadsheetCsv.Defuse(value)));
        }
        // Every string round-trips, whatever it starts with.
        var random = new Random(14);
        const string alphabet = "'=+-@\t\rab ,\"";
        for (var n = 0; n < 5000; n++)
        {
            var s = new string(Enumerable.Range(0, random.Next(0, 6)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Assert.Equal(s, SpreadsheetCsv.Restore(SpreadsheetCsv.Defuse(s)));
            var written = SpreadsheetCsv.Defuse(s);
            Assert.False(written.Length > 0 && SpreadsheetCsv.IsFormulaStart(written[0]), $"'{s}' is written as '{written}'");
        }
        // Numbers in numeric columns are numbers.
        Assert.Equal("-0.5", SpreadsheetCsv.Number(-0.5));
        Assert.Equal("-0.5", SpreadsheetCsv.Cell("-0.5"));
        Assert.Equal("'-1+2", SpreadsheetCsv.Cell("-1+2"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Formula_cells_are_defused_in_exports_and_downloads_and_an_export_still_round_trips_byte_for_byte(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var employees = files.Write("employees.csv", EmployeesHeader + "\n" +
            "F1,\"=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",f1@example.test,M1,+Sales,@Lisbon,-Boss,leader,l3,2021-01-04,,active,\n" +
            "F2,'=already quoted,f2@example.test,F1,=1+1,Lisbon,\"\tTab\",expert,e3,2021-01-04,,active,\n");
        var observations = files.Write("observations.csv",
            "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,comment,visibility\n" +
            "FO1,F2,F1,manager,asks-why,4,2025-01-10,\"-2+3 was the answer\",shared\n");
        var report = await app.ImportAsync((ImportFileKind.Employees, employees), (ImportFileKind.Observations, observations));
        Assert.True(report.Succeeded, string.Join("\n", report.ProblemLines()));

        // The names are stored as written (the apostrophe of a file that was itself exported is removed).
        var names = await app.WithDbAsync(db => Task.FromResult(db.Employees.Where(e => e.Id == "F1" || e.Id == "F2").OrderBy(e => e.Id).Select(e => e.Name).ToList()));
        Assert.Equal(["=HYPERLINK(\"http://evil.test\",\"x\")", "=already quoted"], names);

        var export = await app.SnapshotAsync();
        var exported = export["employees.csv"];
        Assert.Contains("F1,\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",f1@example.test,M1,'+Sales,'@Lisbon,'-Boss,", exported);
        Assert.Contains("F2,'=already quoted,f2@example.test,F1,'=1+1,Lisbon,'\tTab,", exported);
        Assert.Contains("'-2+3 was the answer", export["observations.csv"]);
        Assert.DoesNotContain("\n=", exported.Replace("\r\n", "\n"));
        Assert.DoesNotContain(",=", exported);

        // Export → import into an empty organisation → export: the same bytes.
        await using var copy = await TrellisApp.StartAsync(provider, seed: false);
        using var again = new ImportFolder();
        var kinds = new (ImportFileKind Kind, string Name)[]
        {
            (ImportFileKind.Framework, "framework.json"), (ImportFileKind.Employees, "employees.csv"), (ImportFileKind.Observations, "observations.csv"),
            (ImportFileKind.Results, "results.csv"), (ImportFileKind.Recognitions, "recognitions.csv"), (ImportFileKind.Promotions, "promotions.csv"),
            (ImportFileKind.Concerns, "concerns.csv"),
        };
        var paths = kinds.Select(k =>
        {
            var path = Path.Combine(again.Path, k.Name);
            File.WriteAllText(path, export[k.Name], new UTF8Encoding(false));
            return (k.Kind, path);
        }).ToArray();
        var imported = await copy.ImportAsync(paths);
        Assert.True(imported.Succeeded, string.Join("\n", imported.ProblemLines()));
        var roundTrip = await copy.SnapshotAsync();
        foreach (var (_, name) in kinds) Assert.Equal(export[name], roundTrip[name]);

        // The span-of-control download defuses the same way (F1 manages F2).
        var hr = await app.ClientForAsync("H1");
        var span = await hr.GetStringAsync("/api/v1/span-of-control?format=csv");
        Assert.Contains("F1,\"'=HYPERLINK(", span);
        Assert.Contains(",'-Boss,'+Sales,", span);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hostile_import_values_are_refused_with_escaped_error_lines_and_nothing_is_written(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();
        var path = Path.Combine(files.Path, "employees.csv");
        await File.WriteAllTextAsync(path, EmployeesHeader + "\n" +
            "A/B,Slash,s@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "A?B,Query,q@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "A#B,Hash,h@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "A%2FB,Percent,p@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "\"A\nB\",Newline,n@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "A\0B,Nul,z@example.test,,,,,expert,e3,2021-01-04,,active,\n" +
            "OK1,\"Fine\nname\",ok@example.test,,,,,expert,\"e\r3\",2021-01-04,,active,\n", new UTF8Encoding(false));
        var results = files.Write("results.csv", "employee_id,period,period_end,score\nE1,2025-X7,2025-06-30,3\nE1,2025-h2,2025-12-31,3\n");
        var report = await app.ImportAsync((ImportFileKind.Employees, path), (ImportFileKind.Results, results));

        Assert.False(report.Succeeded);
        var lines = report.ProblemLines().ToList();
        Assert.All(lines, l => Assert.Matches(@"^[^\s:]+\.csv:\d+: [a-z_]+: [^\r\n\0]+$", l));
        Assert.Contains(lines, l => l.StartsWith("employees.csv:2: employee_id:") && l.Contains("'A/B'"));
        Assert.Contains(lines, l => l.StartsWith("employees.csv:3: employee_id:") && l.Contains("'A?B'"));
        Assert.Contains(lines, l => l.StartsWith("employees.csv:4: employee_id:") && l.Contains("'A#B'"));
        Assert.Contains(lines, l => l.StartsWith("employees.csv:5: employee_id:") && l.Contains("'A%2FB'"));
        Assert.Contains(lines, l => l.StartsWith("employees.csv:6: employee_id: contains a control character (\\n)"));
        Assert.Contains(lines, l => l.Contains("employee_id: contains a NUL character (\\x00)"));
        Assert.Contains(lines, l => l.Contains("level: contains a control character (\\r)"));
        Assert.Contains(lines, l => l.StartsWith("results.csv:2: period: '2025-X7' is not a period"));
        Assert.DoesNotContain(lines, l => l.StartsWith("results.csv:3:")); // 2025-h2 is a period, stored as 2025-H2 as the API does
        Assert.DoesNotContain(lines, l => l.Contains("Fine")); // a line break inside a quoted name is text, not an error
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_framework_with_null_parts_or_no_version_is_refused_by_line_and_path_everywhere(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var sample = Trellis.Framework.FrameworkStore.SampleJson();
        foreach (var (edit, path) in new (Func<string, string> Edit, string Path)[]
                 {
                     (s => System.Text.RegularExpressions.Regex.Replace(s, "\"rules\": \\{[^}]*\\}", "\"rules\": null"), "$.rules"),
                     (s => System.Text.RegularExpressions.Regex.Replace(s, "\"tracks\": \\[", "\"tracks\": [ null,"), "$.tracks[0]"),
                     (s => System.Text.RegularExpressions.Regex.Replace(s, "\"anchors\": \\{", "\"anchors\": { \"0\": null,"), "$.values[0].behaviors[0].anchors.0"),
                     (s => System.Text.RegularExpressions.Regex.Replace(s, "\"version\": \"[^\"]*\",", ""), "$.version"),
                 })
        {
            var json = edit(sample);
            Assert.NotEqual(sample, json);
            var file = files.Write("framework.json", json);
            var (code, _, error) = await CliRunner.RunAsync("import", "--db", app.Database.Value, "--framework", file);
            Assert.Equal(1, code);
            Assert.Matches($@"framework\.json:\d+: {System.Text.RegularExpressions.Regex.Escape(path)}: ", error);

            var hr = await app.ClientForAsync("H1");
            var put = await hr.PutAsync("/api/v1/framework", new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Contains(path.Replace("$.", "$."), await put.Content.ReadAsStringAsync());
        }
    }
}
