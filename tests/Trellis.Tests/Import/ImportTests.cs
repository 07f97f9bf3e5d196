using Trellis.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Import;

public sealed class ImportTests
{
    private const string EmployeesHeader = "employee_id,name,email,manager_id,department,location,title,track,level,hire_date,level_since,status,gender";
    private const string ObservationsHeader = "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,comment,visibility";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Files_with_many_kinds_of_errors_are_reported_exactly_and_change_nothing(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();

        var employees = files.Write("employees.csv", """
            employee_id,name,email,manager_id,track,level,hire_date,status
            N1,Nia New,nia@example.test,M1,expert,e3,2024-02-30,active
            N2,Noa New,noa@example.test,Z9,expert,l4,2024-01-10,gone
            N1,Nia Again,nia2@example.test,,leader,l3,2024-01-10,active
            N3,Ned New,not-an-email,N3,astronaut,e3,24-01-10,active
            """);
        var observations = files.Write("observations.csv", """
            observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,colour
            O1,E1,E2,peer,asks-why,4,2025-01-10,blue
            """);
        var results = files.Write("results.csv", """
            employee_id,period,period_end,score
            E1,2025-H1,2025-06-30,5.5
            N2,2025-H1,2025-06-31,3
            GHOST,2025-H1,2025-06-30,three
            """);
        var recognitions = files.Write("recognitions.csv", """
            recognition_id,from_id,to_id,value,behavior,message,given_on
            R1,E1,E1,curiosity,grows-others,Thanks,2025-03-01
            R2,E1,E2,kindness,,Thanks,2025-03-01
            """);
        var promotions = files.Write("promotions.csv", """
            cycle,decided_on,employee_id,from_level,to_level,outcome
            2025-H1,2025-06-30,E1,e2,e9,promoted
            2025-H1,2025-06-30,E1,e2,e3,maybe
            """);
        var concerns = files.Write("concerns.csv", """
            concern_id,employee_id,category,substantiated,recorded_on
            K1,E1,conduct,yes,2025-04-01
            K2,E1,,false,2025-04-01
            """);

        var report = await app.ImportAsync(
            (ImportFileKind.Employees, employees), (ImportFileKind.Observations, observations), (ImportFileKind.Results, results),
            (ImportFileKind.Recognitions, recognitions), (ImportFileKind.Promotions, promotions), (ImportFileKind.Concerns, concerns));

        Assert.False(report.Succeeded);
        Assert.Equal(
        [
            "employees.csv:2: hire_date: '2024-02-30' is not a date that exists",
            "employees.csv:3: status: must be one of active, left (got 'gone')",
            "employees.csv:3: level: level 'l4' is on the 'leader' track, not 'expert'",
            "employees.csv:3: manager_id: unknown employee 'Z9' (not in the database or in employees.csv)",
            "employees.csv:4: employee_id: duplicate employee_id 'N1'; first on line 2",
            "employees.csv:5: hire_date: '24-01-10' is not a date; use YYYY-MM-DD",
            "employees.csv:5: manager_id: an employee cannot be their own manager",
            "employees.csv:5: email: 'not-an-email' is not an email address",
            "employees.csv:5: track: unknown track 'astronaut'; the framework has expert, leader",
            "observations.csv:1: colour: unknown column; observations.csv has the columns observation_id, subject_id, rater_id, relationship, behavior, rating, observed_on, comment, visibility",
            "results.csv:2: score: must be a number from 1 to 5, such as 3 or 3.5 (got '5.5')",
            "results.csv:3: period_end: '2025-06-31' is not a date that exists",
            "results.csv:4: score: must be a number from 1 to 5, such as 3 or 3.5 (got 'three')",
            "results.csv:4: employee_id: unknown employee 'GHOST' (not in the database or in employees.csv)",
            "recognitions.csv:2: to_id: a person cannot recognise themselves",
            "recognitions.csv:2: behavior: behaviour 'grows-others' belongs to value 'care-for-people', not 'curiosity'",
            "recognitions.csv:3: value: unknown value 'kindness'",
            "promotions.csv:2: to_level: unknown level 'e9'",
            "promotions.csv:3: outcome: must be one of promoted, not_promoted, declined, deferred (got 'maybe')",
            "promotions.csv:3: cycle: duplicate (cycle, employee_id) ('2025-H1', 'E1'); first on line 2",
            "concerns.csv:2: substantiated: must be true or false (got 'yes')",
            "concerns.csv:3: category: is required",
        ], report.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task One_bad_row_in_one_file_means_no_file_is_written(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();
        var employees = files.Write("employees.csv", $"""
            {EmployeesHeader}
            N1,Nia New,nia@example.test,M1,Engineering,Lisbon,Engineer,expert,e2,2024-01-08,,active,f
            """);
        var observations = files.Write("observations.csv", $"""
            {ObservationsHeader}
            O1,N1,M1,manager,asks-why,4,2025-01-10,Asked why twice,shared
            O2,N1,M1,manager,asks-why,0,2025-01-11,,shared
            """);

        var report = await app.ImportAsync((ImportFileKind.Employees, employees), (ImportFileKind.Observations, observations));

        Assert.Equal(["observations.csv:3: rating: must be a whole number from 1 to 5 (got '0')"], report.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Importing_again_changes_nothing_and_a_changed_row_is_updated_by_id(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var employees = files.Write("employees.csv", $"""
            {EmployeesHeader}
            N1,Nia New,nia@example.test,M1,Engineering,Lisbon,Engineer,expert,e2,2024-01-08,,active,f
            N2,"Noa ""the new"" One",noa@example.test,N1,Engineering,Lisbon,Engineer,expert,e1,2024-01-08,2024-06-01,,
            """);
        var observations = files.Write("observations.csv", $"""
            {ObservationsHeader}
            O1,N1,M1,manager,asks-why,4,2025-01-10,"Asked why, twice,
            then changed the plan",shared
            O2,N2,N2,self,follows-through,3,2025-01-11,,private
            O3,E1,N1,peer,grows-others,5,2025-01-12,,
            """);

        var first = await app.ImportAsync((ImportFileKind.Employees, employees), (ImportFileKind.Observations, observations));
        Assert.True(first.Succeeded, string.Join("\n", first.ProblemLines()));
        Assert.Equal([(2L, 0L, 0L), (3L, 0L, 0L)], first.Files.Select(f => (f.Added, f.Updated, f.Unchanged)));

        var second = await app.ImportAsync((ImportFileKind.Employees, employees), (ImportFileKind.Observations, observations));
        Assert.Equal([(0L, 0L, 2L), (0L, 0L, 3L)], second.Files.Select(f => (f.Added, f.Updated, f.Unchanged)));
        Assert.False(second.Changed);
        Assert.Equal("Nothing changed: every row already matched the database.", second.SummaryLines().Last());

        // Change one rating and leave out the optional comment and visibility columns: stored values stay.
        var changed = files.Write("observations2.csv", """
            observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on
            O1,N1,M1,manager,asks-why,4,2025-01-10
            O2,N2,N2,self,follows-through,2,2025-01-11
            """);
        var third = await app.ImportAsync((ImportFileKind.Observations, changed));
        Assert.Equal((0L, 1L, 1L), (third.Files[0].Added, third.Files[0].Updated, third.Files[0].Unchanged));
        var o2 = await app.WithDbAsync(db => Task.FromResult(db.Observations.Single(o => o.Id == "O2")));
        Assert.Equal((2, "private"), (o2.Rating, o2.Visibility));
        var o1 = await app.WithDbAsync(db => Task.FromResult(db.Observations.Single(o => o.Id == "O1")));
        Assert.Equal("Asked why, twice,\nthen changed the plan", o1.Comment);
        var n2 = await app.WithDbAsync(db => Task.FromResult(db.Employees.Single(e => e.Id == "N2")));
        Assert.Equal(("Noa \"the new\" One", "active", new DateOnly(2024, 6, 1)), (n2.Name, n2.Status, n2.LevelSince!.Value));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_export_imports_again_unchanged_and_exports_the_same_bytes(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var load = await app.ImportAsync(
            (ImportFileKind.Observations, files.Write("observations.csv", $"""
                {ObservationsHeader}
                O10,E1,M2,manager,asks-why,4,2025-01-10,"Quoted ""comment"", with comma",shared
                O2,E2,E1,peer,shares-credit,3,2025-02-10,,private
                """)),
            (ImportFileKind.Results, files.Write("results.csv", "employee_id,period,period_end,score\nE1,2025-H1,2025-06-30,3.25\nE2,2025-H1,2025-06-30,4\n")),
            (ImportFileKind.Recognitions, files.Write("recognitions.csv", "recognition_id,from_id,to_id,value,behavior,message,given_on\nR1,E1,E2,we-over-me,shares-credit,Thank you!,2025-03-01\nR2,E2,E1,curiosity,,,2025-03-02\n")),
            (ImportFileKind.Promotions, files.Write("promotions.csv", "cycle,decided_on,employee_id,from_level,to_level,outcome\n2024-H2,2024-12-15,E1,e1,e2,promoted\n2024-H2,2024-12-15,E2,e3,e4,declined\n")),
            (ImportFileKind.Concerns, files.Write("concerns.csv", "concern_id,employee_id,category,substantiated,recorded_on\nK1,E3,conduct,true,2025-04-01\n")));
        Assert.True(load.Succeeded, string.Join("\n", load.ProblemLines()));

        var exported = Path.Combine(files.Path, "export");
        Assert.Equal(0, (await CliRunner.RunAsync("export", "--db", app.Database.Value, "--out", exported)).Code);
        var versions = await app.FrameworkVersionsAsync();

        var again = await app.ImportAsync(
            [(ImportFileKind.Framework, Path.Combine(exported, "framework.json")),
             .. CsvFormats.All.Select(f => (f.Kind, Path.Combine(exported, f.FileName)))]);
        Assert.True(again.Succeeded, string.Join("\n", again.ProblemLines()));
        Assert.False(again.Changed);
        Assert.All(again.Files, f => Assert.Equal(0, f.Added + f.Updated));
        Assert.Equal(9, again.Files.Single(f => f.Kind == ImportFileKind.Employees).Unchanged);
        Assert.Equal(versions, await app.FrameworkVersionsAsync());

        var second = Path.Combine(files.Path, "export2");
        Assert.Equal(0, (await CliRunner.RunAsync("export", "--db", app.Database.Value, "--out", second)).Code);
        foreach (var file in Directory.GetFiles(exported))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(second, Path.GetFileName(file))));
        var observations = File.ReadAllText(Path.Combine(exported, "observations.csv"));
        Assert.True(observations.IndexOf("O10,", StringComparison.Ordinal) < observations.IndexOf("O2,", StringComparison.Ordinal), "rows are in byte order of their ids");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_manager_chain_that_loops_through_the_database_is_rejected(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();
        // Stored: E1 → M2 → M1 → C1. Making M1 report to E1 closes the loop.
        var employees = files.Write("employees.csv", """
            employee_id,name,email,manager_id,track,level,hire_date
            M1,Mira Manager,m1@example.test,E1,leader,l5,2020-01-06
            """);
        var report = await app.ImportAsync((ImportFileKind.Employees, employees));
        Assert.Equal(["employees.csv:2: manager_id: the manager chain loops: E1 → M2 → M1 → E1 (each reports to the next)"], report.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_new_framework_is_a_new_version_only_when_it_differs_and_must_keep_stored_levels(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var sample = Trellis.Framework.FrameworkStore.SampleJson();
        var same = await app.ImportAsync((ImportFileKind.Framework, files.Write("framework.json", sample)));
        Assert.Equal((false, 1), (same.Framework!.Created, same.Framework.VersionId));

        var renamed = sample.Replace("\"e6\"", "\"e7\"", StringComparison.Ordinal);
        var stored = await app.ImportAsync((ImportFileKind.Framework, files.Write("framework2.json", renamed)));
        Assert.Equal((true, 2), (stored.Framework!.Created, stored.Framework.VersionId));
        Assert.NotNull((await app.Store().RequireAsync()).FindLevel("e7"));

        var dropped = sample.Replace("\"e3\"", "\"e3x\"", StringComparison.Ordinal);
        var refused = await app.ImportAsync((ImportFileKind.Framework, files.Write("framework3.json", dropped)));
        Assert.Equal(["framework3.json:1: $.tracks: level 'e3' is no longer defined, but 3 stored employees are on it (E2, E3, X1); give them a new level in employees.csv in the same run"],
            refused.ProblemLines());

        var broken = await app.ImportAsync((ImportFileKind.Framework, files.Write("framework4.json", "{\n  \"name\": \"x\",\n  \"values\": [],\n  \"tracks\": []\n}")));
        Assert.Equal(["framework4.json:1: $.version: is required (a label such as 2026.1, shown with every stored version)", "framework4.json:3: $.values: at least one value is required", "framework4.json:4: $.tracks: at least one track is required"], broken.ProblemLines());
        Assert.Equal(2, await app.FrameworkVersionsAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task More_than_a_hundred_problems_are_cut_off_with_a_count(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var rows = string.Join("\n", Enumerable.Range(1, 150).Select(i => $"K{i},E1,conduct,maybe,2025-04-01"));
        var report = await app.ImportAsync((ImportFileKind.Concerns, files.Write("concerns.csv", "concern_id,employee_id,category,substantiated,recorded_on\n" + rows)));
        var lines = report.ProblemLines().ToList();
        Assert.Equal(101, lines.Count);
        Assert.Equal("concerns.csv:101: substantiated: must be true or false (got 'maybe')", lines[99]);
        Assert.Equal("… and 50 more problems (150 in all); nothing was imported.", lines[100]);
    }
}
