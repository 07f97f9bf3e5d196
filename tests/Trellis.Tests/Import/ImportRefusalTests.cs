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
}
