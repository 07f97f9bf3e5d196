using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Framework;
using Trellis.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Import;

/// <summary>Imports that must be refused whole, because what they would store could not be exported and imported again.</summary>
public sealed class ImportRefusalTests
{
    private const string ObservationsHeader = "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,comment,visibility";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Keys_written_differently_but_stored_the_same_are_duplicates(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();
        // A period is stored upper-cased; the apostrophe export puts before a formula-like id is removed on import.
        var results = files.Write("results.csv", """
            employee_id,period,period_end,score
            E1,2030-h1,2030-06-30,2
            E2,2030-H1,2030-06-30,3
            E1,2030-H1,2030-06-30,4
            """);
        var observations = files.Write("observations.csv", $"""
            {ObservationsHeader}
            =X1,E1,M2,manager,asks-why,4,2025-01-10,First,shared
            '=X1,E1,M2,manager,asks-why,2,2025-01-11,Second,shared
            """);

        var report = await app.ImportAsync((ImportFileKind.Observations, observations), (ImportFileKind.Results, results));

        Assert.Equal(
        [
            "observations.csv:3: observation_id: duplicate observation_id '=X1'; first on line 2",
            "results.csv:4: employee_id: duplicate (employee_id, period) ('E1', '2030-H1'); first on line 2",
        ], report.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    /// <summary>The sample framework without one behaviour (and the expectations of it), or with it retired.</summary>
    private static string FrameworkWithout(string behavior, bool retireInstead)
    {
        var doc = JsonNode.Parse(FrameworkStore.SampleJson())!;
        doc["version"] = "2026.2";
        foreach (var value in doc["values"]!.AsArray())
        {
            var behaviors = value!["behaviors"]!.AsArray();
            var found = behaviors.FirstOrDefault(b => (string?)b!["key"] == behavior);
            if (found is null) continue;
            if (retireInstead) found["retired"] = "2026-01-01";
            else behaviors.Remove(found);
        }
        foreach (var track in doc["tracks"]!.AsArray())
            foreach (var level in track!["levels"]!.AsArray())
                level!["expectations"]!.AsObject().Remove(behavior);
        return doc.ToJsonString();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_framework_import_that_would_orphan_stored_evidence_is_refused(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var observations = files.Write("observations.csv", $"""
            {ObservationsHeader}
            O1,E1,M2,manager,learns-in-the-open,4,2025-01-10,Shared the failed experiment,shared
            O2,E2,M2,manager,learns-in-the-open,3,2025-01-11,,shared
            """);
        var loaded = await app.ImportAsync((ImportFileKind.Observations, observations));
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.ProblemLines()));
        var before = await app.SnapshotAsync();
        var versions = await app.FrameworkVersionsAsync();

        var removed = files.Write("framework.json", FrameworkWithout("learns-in-the-open", retireInstead: false));
        var report = await app.ImportAsync((ImportFileKind.Framework, removed));

        Assert.Equal(
        [
            "framework.json:1: $.values: the behaviour “Learns in the open” (learns-in-the-open) has feedback given on it (2 observations), so it cannot be removed: retire it instead (its evidence stays readable)",
        ], report.ProblemLines());
        Assert.Equal(versions, await app.FrameworkVersionsAsync());
        Assert.Equal(before, await app.SnapshotAsync());

        // What the message advises works, and the evidence still exports and imports.
        var retired = files.Write("framework.json", FrameworkWithout("learns-in-the-open", retireInstead: true));
        var retiring = await app.ImportAsync((ImportFileKind.Framework, retired));
        Assert.True(retiring.Succeeded, string.Join("\n", retiring.ProblemLines()));
        Assert.Equal(1, await app.WithDbAsync(db => db.Observations.CountAsync(o => o.Id == "O1" && o.Behavior == "learns-in-the-open")));
    }

    private const string EmployeesHeader = "employee_id,name,email,manager_id,track,level,hire_date";
    private const string OneEmailEach = "each person needs their own email to sign in with it";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Two_people_with_one_email_are_refused_whoever_holds_it(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var before = await app.SnapshotAsync();
        // Sign-in by email compares without regard to case or surrounding spaces, so neither makes a second address.
        var employees = files.Write("employees.csv", $"""
            {EmployeesHeader}
            N1,Nina New,nina@example.test,M2,expert,e2,2024-01-10
            N2,Noor New,"  Nina@Example.TEST ",M2,expert,e2,2024-01-10
            N3,Nils New,E1@example.test,M2,expert,e2,2024-01-10
            E2,Eva Engineer,e3@example.test,M2,expert,e3,2020-01-06
            E1,Eli Engineer,e1@example.test,M2,expert,e2,2020-01-06
            """);

        var report = await app.ImportAsync((ImportFileKind.Employees, employees));

        // E1 keeps their own address in this file, so N3 takes it from nobody: line 4 is a duplicate within the file.
        Assert.Equal(
        [
            $"employees.csv:3: email: duplicate email 'Nina@Example.TEST' (ignoring case); first on line 2 (N1): {OneEmailEach}",
            $"employees.csv:5: email: email 'e3@example.test' is already employee E3's in the database (ignoring case): {OneEmailEach}",
            $"employees.csv:6: email: duplicate email 'e1@example.test' (ignoring case); first on line 4 (N3): {OneEmailEach}",
        ], report.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());

        // Not in the file, E1's stored address stays E1's.
        var taken = await app.ImportAsync((ImportFileKind.Employees, files.Write("taken.csv", $"{EmployeesHeader}\nN3,Nils New,E1@EXAMPLE.test,M2,expert,e2,2024-01-10\n")));
        Assert.Equal([$"taken.csv:2: email: email 'E1@EXAMPLE.test' is already employee E1's in the database (ignoring case): {OneEmailEach}"], taken.ProblemLines());
        Assert.Equal(before, await app.SnapshotAsync());

        // A leaver's address is theirs too (their account would make sign-in by it ambiguous), until the file gives them another.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "X1").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));
        var newcomer = "N5,Nora New,x1@example.test,M2,expert,e2,2024-01-10";
        var leaver = await app.ImportAsync((ImportFileKind.Employees, files.Write("leaver.csv", $"{EmployeesHeader}\n{newcomer}\n")));
        Assert.Equal([$"leaver.csv:2: email: email 'x1@example.test' is already employee X1's in the database (ignoring case): {OneEmailEach}; " +
                      "X1 has left: to pass the address on, give X1 another email in this file"], leaver.ProblemLines());
        var passedOn = await app.ImportAsync((ImportFileKind.Employees, files.Write("passed.csv",
            $"employee_id,name,email,track,level,hire_date,status\nX1,Xavi Sales,x1.left@example.test,expert,e3,2020-01-06,left\n{newcomer.Replace(",M2,", ",", StringComparison.Ordinal)},active\n")));
        Assert.True(passedOn.Succeeded, string.Join("\n", passedOn.ProblemLines()));
        Assert.Equal("N5", await app.WithDbAsync(db => db.Employees.Where(e => e.Email == "x1@example.test").Select(e => e.Id).SingleAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_moves_to_someone_else_when_the_same_file_gives_its_holder_another(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var swapped = files.Write("employees.csv", $"""
            {EmployeesHeader}
            E2,Eva Engineer,e3@example.test,M2,expert,e3,2020-01-06
            E3,Ezra Engineer,e2@example.test,M1,expert,e3,2020-01-06
            """);
        var report = await app.ImportAsync((ImportFileKind.Employees, swapped));
        Assert.True(report.Succeeded, string.Join("\n", report.ProblemLines()));
        Assert.Equal(["e3@example.test", "e2@example.test"],
            await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E2" || e.Id == "E3").OrderBy(e => e.Id).Select(e => e.Email).ToListAsync()));
        // Importing the same file again is no change, not a clash with the emails it stored.
        Assert.False((await app.ImportAsync((ImportFileKind.Employees, swapped))).Changed);
    }
}
