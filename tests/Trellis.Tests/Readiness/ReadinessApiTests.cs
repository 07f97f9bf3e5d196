using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Data;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Readiness;

public sealed class ReadinessApiTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    /// <summary>E1 (e2) gets strong evidence from four raters on every behaviour, a self-rating, and a passing result.</summary>
    private static async Task SeedEvidenceAsync(TrellisApp app)
    {
        await app.WithDbAsync(async db =>
        {
            var n = 0;
            foreach (var (rater, relationship) in new[] { ("M2", "manager"), ("E2", "peer"), ("E3", "peer"), ("M1", "skip_level") })
                foreach (var behavior in Behaviors)
                    db.Observations.Add(new Observation
                    {
                        Id = $"O{++n}", SubjectId = "E1", RaterId = rater, Relationship = relationship, Behavior = behavior,
                        Rating = 4 + (n % 3 == 0 ? 1 : 0), ObservedOn = Today.AddDays(-30 - n),
                    });
            db.Observations.Add(new Observation { Id = "S1", SubjectId = "E1", RaterId = "E1", Relationship = "self", Behavior = "asks-why", Rating = 5, ObservedOn = Today.AddDays(-5) });
            db.Results.Add(new ResultRecord { EmployeeId = "E1", Period = "2025-H2", PeriodEnd = Today.AddDays(-60), Score = 3.4 });
            await db.SaveChangesAsync();
        });
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Permission_matrix_self_managers_hr_and_committee_see_readiness_others_get_403(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        foreach (var (viewer, expected) in new[]
        {
            ("E1", HttpStatusCode.OK), ("M2", HttpStatusCode.OK), ("M1", HttpStatusCode.OK), ("H1", HttpStatusCode.OK), ("C1", HttpStatusCode.OK),
            ("X1", HttpStatusCode.Forbidden), ("A1", HttpStatusCode.Forbidden), ("E2", HttpStatusCode.Forbidden),
        })
        {
            var client = await app.ClientForAsync(viewer);
            var response = await client.GetAsync("/api/v1/employees/E1/readiness");
            Assert.True(expected == response.StatusCode, $"{viewer}: expected {expected}, got {response.StatusCode}");
            if (expected == HttpStatusCode.Forbidden) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var hr = await app.ClientForAsync("H1");
        var missing = await hr.GetAsync("/api/v1/employees/NOPE/readiness");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/v1/employees/E1/readiness")).StatusCode);

        // Reads of another person are audited; reading one's own readiness is not.
        var audit = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "readiness.read").Select(a => a.ActorEmployeeId).ToListAsync());
        Assert.Equal(new[] { "C1", "H1", "M1", "M2" }, audit.Order().Select(a => a ?? ""));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Readiness_object_follows_the_contract(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var client = await app.ClientForAsync("M2");
        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        Assert.Equal("E1", json.GetProperty("employee_id").GetString());
        Assert.Equal("e2", json.GetProperty("current_level").GetString());
        Assert.Equal("e3", json.GetProperty("target_level").GetString());
        Assert.Equal("promotion", json.GetProperty("move").GetString());
        Assert.Equal(40, json.GetProperty("evidence_count").GetInt32());
        Assert.Equal(4, json.GetProperty("rater_count").GetInt32());
        Assert.Equal("pass", json.GetProperty("results_gate").GetString());
        Assert.Equal(5.0, json.GetProperty("self_rating_mean").GetDouble());
        var values = json.GetProperty("values_score").GetDouble();
        var ci = json.GetProperty("values_ci").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.True(ci[0] <= values && values <= ci[1]);
        var behaviors = json.GetProperty("behaviors").EnumerateArray().ToArray();
        Assert.Equal(Behaviors, behaviors.Select(b => b.GetProperty("behavior").GetString()));
        Assert.All(behaviors, b => Assert.Equal(4, b.GetProperty("evidence_count").GetInt32()));
        Assert.Equal(4, behaviors[0].GetProperty("expected").GetInt32()); // e3 expects asks-why 4
        Assert.Contains(json.GetProperty("band").GetString(), new[] { "ready", "soon", "developing" });
        Assert.Contains("40 observations from 4 raters", json.GetProperty("explanation").GetString());

        var lateral = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E2/readiness?target=l3");
        Assert.Equal("lateral", lateral.GetProperty("move").GetString());
        Assert.Equal("insufficient_evidence", lateral.GetProperty("band").GetString());
        Assert.Equal("unknown", lateral.GetProperty("results_gate").GetString());

        var past = await client.GetFromJsonAsync<JsonElement>($"/api/v1/employees/E1/readiness?as_of={Today.AddDays(-200):yyyy-MM-dd}");
        Assert.Equal(0, past.GetProperty("evidence_count").GetInt32());
        Assert.Equal("insufficient_evidence", past.GetProperty("band").GetString());
        Assert.Equal("unknown", past.GetProperty("results_gate").GetString());

        var bad = await client.GetAsync("/api/v1/employees/E1/readiness?target=z9&as_of=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("target", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("as_of", out _));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Failed_gate_or_recent_substantiated_concern_blocks(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        await app.WithDbAsync(async db =>
        {
            db.Results.Add(new ResultRecord { EmployeeId = "E1", Period = "2026-H1", PeriodEnd = Today.AddDays(-10), Score = 2.5 });
            db.Concerns.Add(new Concern { Id = "K1", EmployeeId = "E1", Category = "conduct", Substantiated = true, RecordedOn = Today.AddDays(-20) });
            await db.SaveChangesAsync();
        });
        var json = await (await app.ClientForAsync("H1")).GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        Assert.Equal("blocked", json.GetProperty("band").GetString());
        Assert.Equal("fail", json.GetProperty("results_gate").GetString());
        Assert.Contains("2026-H1", json.GetProperty("explanation").GetString());
        Assert.Contains("substantiated concern", json.GetProperty("explanation").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_new_observation_is_reflected_at_once_and_refitted_in_the_background(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        // The full estimate (their manager's view): the subject's own view leaves out anonymous feedback still held back.
        var client = await app.ClientForAsync("M2");
        var before = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        await app.WithDbAsync(async db =>
        {
            // Attributed feedback (anonymous feedback waits for its batch and the background refit).
            db.Observations.Add(new Observation { Id = "N1", SubjectId = "E1", RaterId = "M1", Relationship = "skip_level", Behavior = "asks-why", Rating = 1, ObservedOn = Today, ReleasedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });
        var service = app.Services.GetRequiredService<ReadinessService>();
        service.ObservationAdded("E1", "M1", "skip_level", "asks-why", 1, Today);
        var after = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        Assert.Equal(before.GetProperty("evidence_count").GetInt32() + 1, after.GetProperty("evidence_count").GetInt32());
        Assert.Equal(4, after.GetProperty("rater_count").GetInt32());
        Assert.True(after.GetProperty("behaviors")[0].GetProperty("score").GetDouble() < before.GetProperty("behaviors")[0].GetProperty("score").GetDouble());
        await service.RefreshAsync();
        var refitted = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        Assert.Equal(41, refitted.GetProperty("evidence_count").GetInt32());
        Assert.Equal(4, refitted.GetProperty("rater_count").GetInt32());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Evidence_imported_by_another_process_reaches_a_running_server(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        // The full estimate (their manager's view): the subject's own view leaves out anonymous feedback still held back.
        var client = await app.ClientForAsync("M2");
        var before = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        Assert.Equal(40, before.GetProperty("evidence_count").GetInt32());

        // `trellis import` as HR runs it next to the server: a separate command on the same database, which never calls
        // into this server's readiness service. The server notices the evidence revision moved and refits.
        var file = Path.Combine(Path.GetTempPath(), $"obs-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, $"observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on\nCLI1,E1,X1,other,asks-why,2,{Today:yyyy-MM-dd}\n");
        try
        {
            var (code, _, error) = await CliRunner.RunAsync("import", "--db", app.Database.Value, "--observations", file);
            Assert.True(code == 0, error);
        }
        finally { File.Delete(file); }

        var clock = Stopwatch.StartNew();
        var seen = 40;
        while (seen != 41 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250);
            seen = (await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness")).GetProperty("evidence_count").GetInt32();
        }
        Assert.Equal(41, seen);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Cli_prints_json_and_csv_per_the_contract(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var (code, json, error) = await RunCliAsync("readiness", "--db", app.Database.Value, "--format", "json");
        Assert.True(code == 0, error);
        var array = JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();
        Assert.Equal(["A1", "C1", "E1", "E2", "E3", "H1", "M1", "M2", "X1"], array.Select(e => e.GetProperty("employee_id").GetString()));
        Assert.Equal(40, array[2].GetProperty("evidence_count").GetInt32());

        var (csvCode, csv, csvError) = await RunCliAsync("readiness", "--db", app.Database.Value, "--format", "csv", "--target", "e3", "--as-of", Today.ToString("yyyy-MM-dd"));
        Assert.True(csvCode == 0, csvError);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("employee_id,current_level,target_level,move,band,values_score,values_ci_low,values_ci_high,evidence_count,rater_count,results_gate", lines[0]);
        Assert.EndsWith("works-across-boundaries_evidence,works-across-boundaries_expected", lines[0]);
        Assert.StartsWith("E1,e2,e3,promotion,", lines[3]);

        var (badCode, _, badError) = await RunCliAsync("readiness", "--db", app.Database.Value, "--target", "z9");
        Assert.Equal(1, badCode);
        Assert.Contains("--target", badError);
    }

    [Fact]
    public async Task Cli_migrates_an_existing_sqlite_database_before_reading_it_and_refuses_a_missing_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trellis-readiness-new-{Guid.NewGuid():N}.db");
        try
        {
            // Readiness only reads: a path with no database is a mistake, not a new database.
            var (missingCode, _, missingError) = await RunCliAsync("readiness", "--db", path, "--format", "csv");
            Assert.Equal(1, missingCode);
            Assert.Contains($"error: no database at {path}", missingError);
            Assert.False(File.Exists(path));

            // An empty file is a SQLite database with no migrations applied yet.
            File.WriteAllBytes(path, []);
            var (code, output, error) = await RunCliAsync("readiness", "--db", path, "--format", "csv");
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Contains("no career framework has been imported yet", error);
            // The build's migrations were applied by the command, so the next run finds the database up to date.
            await using var db = DatabaseSelection.Parse(path).CreateContext();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private static async Task<(int Code, string Out, string Error)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(ReadinessService).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
