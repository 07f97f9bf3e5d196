using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Audit;
using Trellis.Data;
using Trellis.Import;
using Trellis.Tests.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Audit;

/// <summary>
/// The audit's stored decision snapshots (scores as they stood before each decision): written once, read by every
/// later audit, and dropped exactly when evidence dated before a decision changes.
/// </summary>
public sealed class DecisionSnapshotTests
{
    // The synthetic history with 3 cycles decides on these dates (each a month after its half-year ends).
    private static readonly DateOnly C01 = new(2025, 7, 29), C02 = new(2026, 1, 29), C03 = new(2026, 7, 29);

    private static async Task<TrellisApp> StartWithHistoryAsync(Provider provider)
    {
        var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => SyntheticHistory.SeedAsync(db, new SyntheticHistory.Shape(People: 400, Cycles: 3, Observations: 8000)));
        return app;
    }

    private static AuditService Audit(TrellisApp app) => app.Services.GetRequiredService<AuditService>();

    private static Task<Dictionary<DateOnly, DateTimeOffset>> DatesAsync(TrellisApp app) =>
        app.WithDbAsync(async db => (await db.DecisionSnapshotDates.AsNoTracking().ToListAsync()).ToDictionary(d => d.DecidedOn, d => d.ComputedAt));

    private static Task<DecisionSnapshot?> RowAsync(TrellisApp app, DateOnly date, string employee) =>
        app.WithDbAsync(db => db.DecisionSnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.DecidedOn == date && s.EmployeeId == employee));

    private static async Task<double?> ReadinessValuesAsync(HttpClient hr, string employee, DateOnly asOf)
    {
        var json = JsonDocument.Parse(await hr.GetStringAsync($"/api/v1/employees/{employee}/readiness?as_of={asOf:yyyy-MM-dd}")).RootElement;
        return json.GetProperty("values_score") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_first_audit_stores_every_decision_and_later_audits_only_read_them(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var first = await hr.GetStringAsync("/api/v1/audit");
        Assert.True(Audit(app).LastTimings!.EngineRuns >= 3);

        var (dates, candidates, stored) = await app.WithDbAsync(async db => (
            await db.Promotions.Select(p => p.DecidedOn).Distinct().CountAsync(),
            await db.Promotions.CountAsync(),
            await db.DecisionSnapshots.CountAsync()));
        Assert.Equal(dates, (await DatesAsync(app)).Count);
        Assert.Equal(candidates, stored);

        // Stored scores are those of the readiness engine as of the day before the decision, and the latest results before it.
        var sample = await app.WithDbAsync(db => db.DecisionSnapshots.AsNoTracking().Where(s => s.DecidedOn == C02 && s.ValuesScore != null).OrderBy(s => s.EmployeeId).FirstAsync());
        Assert.Equal(await ReadinessValuesAsync(hr, sample.EmployeeId, C02.AddDays(-1)), sample.ValuesScore);
        var latest = await app.WithDbAsync(db => db.Results.Where(r => r.EmployeeId == sample.EmployeeId && r.PeriodEnd < C02).OrderByDescending(r => r.PeriodEnd).Select(r => r.Score).FirstAsync());
        Assert.Equal(latest, sample.ResultsScore);

        var again = await Audit(app).GetAsync(null, recompute: true);
        Assert.Equal(0, Audit(app).LastTimings!.EngineRuns);
        Assert.Equal(first, await hr.GetStringAsync("/api/v1/audit?recompute=true"));
        Assert.NotNull(again);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_back_dated_observation_recomputes_the_decisions_after_it_and_only_those(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await hr.GetStringAsync("/api/v1/audit");
        var before = await DatesAsync(app);
        var subject = await app.WithDbAsync(db => db.DecisionSnapshots.AsNoTracking().Where(s => s.DecidedOn == C02 && s.ValuesScore != null)
            .OrderBy(s => s.EmployeeId).Select(s => s.EmployeeId).FirstAsync());
        var oldScore = (await RowAsync(app, C02, subject))!.ValuesScore;
        var behaviors = await app.WithDbAsync(db => db.Observations.Select(o => o.Behavior).Distinct().OrderBy(b => b).ToListAsync());

        // Thirty poor ratings from different colleagues, observed between the first and the second decision.
        using var folder = new ImportFolder();
        var lines = new List<string> { "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,visibility" };
        for (var k = 0; k < 30; k++)
            lines.Add($"BACK{k:D3},{subject},{SyntheticHistory.Id(300 + k)},peer,{behaviors[k % behaviors.Count]},1,2025-10-01,shared");
        var report = await app.ImportAsync((ImportFileKind.Observations, folder.Write("observations.csv", string.Join('\n', lines))));
        Assert.True(report.Changed, string.Join("; ", report.SummaryLines()));

        var after = await DatesAsync(app);
        Assert.Equal(before[C01], after[C01]); // decided before the observations: kept
        Assert.False(after.ContainsKey(C02));
        Assert.False(after.ContainsKey(C03));

        await hr.GetStringAsync("/api/v1/audit");
        Assert.Equal(2, Audit(app).LastTimings!.EngineRuns); // only the two dropped dates
        var newScore = (await RowAsync(app, C02, subject))!.ValuesScore;
        Assert.NotNull(newScore);
        Assert.True(newScore < oldScore, $"values score at {C02} was {oldScore}, now {newScore}");
        Assert.Equal(await ReadinessValuesAsync(hr, subject, C02.AddDays(-1)), newScore);
        Assert.Equal(before[C01], (await DatesAsync(app))[C01]);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Evidence_dated_after_every_decision_keeps_every_snapshot(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await hr.GetStringAsync("/api/v1/audit");
        var before = await DatesAsync(app);
        var revision = await app.WithDbAsync(db => DecisionSnapshotStore.RevisionAsync(db));

        using var folder = new ImportFolder();
        var behavior = await app.WithDbAsync(db => db.Observations.Select(o => o.Behavior).FirstAsync());
        var report = await app.ImportAsync((ImportFileKind.Observations, folder.Write("observations.csv",
            $"observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on\nLATE1,S000010,S000011,peer,{behavior},2,{C03.AddDays(10):yyyy-MM-dd}\n")));
        Assert.True(report.Changed);
        // Feedback given today through the API.
        var e1 = await app.ClientForAsync("E1");
        var posted = await e1.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E2", behavior, rating = 4 });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        Assert.Equal(before, await DatesAsync(app));
        // The evidence revision still moves (so that any running server refits readiness), but no snapshot is dropped.
        Assert.True(await app.WithDbAsync(db => DecisionSnapshotStore.RevisionAsync(db)) > revision);
        await Audit(app).GetAsync(null, recompute: true);
        Assert.Equal(0, Audit(app).LastTimings!.EngineRuns);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_corrected_result_and_an_employee_change_drop_the_snapshots_they_affect(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await hr.GetStringAsync("/api/v1/audit");
        var before = await DatesAsync(app);

        // The 2025-H2 result (ending 2025-12-29) counts for the second and third decisions.
        var candidate = await app.WithDbAsync(db => db.Promotions.Where(p => p.DecidedOn == C02).OrderBy(p => p.EmployeeId).Select(p => p.EmployeeId).FirstAsync());
        var corrected = await hr.PostAsJsonAsync("/api/v1/results", new { employee_id = candidate, period = "2025-H2", period_end = "2025-12-29", score = 1.3 });
        Assert.True(corrected.IsSuccessStatusCode, await corrected.Content.ReadAsStringAsync());
        var after = await DatesAsync(app);
        Assert.Equal(before[C01], after[C01]);
        Assert.False(after.ContainsKey(C02));
        Assert.False(after.ContainsKey(C03));
        await hr.GetStringAsync("/api/v1/audit");
        Assert.Equal(1.3, (await RowAsync(app, C02, candidate))!.ResultsScore);
        Assert.Equal(3, (await DatesAsync(app)).Count(d => d.Key >= C01));

        // Departments are rater groups in the readiness model: moving someone invalidates every snapshot.
        var person = await app.WithDbAsync(db => db.Employees.AsNoTracking().FirstAsync(e => e.Id == "S000005"));
        using var folder = new ImportFolder();
        var report = await app.ImportAsync((ImportFileKind.Employees, folder.Write("employees.csv",
            $"employee_id,name,email,track,level,hire_date,department\nS000005,{person.Name},{person.Email},{person.Track},{person.Level},{person.HireDate:yyyy-MM-dd},Legal\n")));
        Assert.True(report.Changed, string.Join("; ", report.SummaryLines()));
        Assert.Empty(await DatesAsync(app));
        await hr.GetStringAsync("/api/v1/audit");
        Assert.Equal(3, (await DatesAsync(app)).Count(d => d.Key >= C01));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Scores_computed_from_evidence_older_than_the_latest_change_are_not_stored(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var day = new DateOnly(2026, 3, 1);
        var scores = new Dictionary<string, (double? Values, double? Results)> { ["E1"] = (3.5, 3.0), ["E2"] = (null, 4.0) };
        await app.WithDbAsync(async db =>
        {
            db.Promotions.Add(new PromotionRecord { Cycle = "X", EmployeeId = "E1", DecidedOn = day, FromLevel = "e2", ToLevel = "e3", Outcome = "promoted" });
            await db.SaveChangesAsync();
        });
        var (revision, stored) = await app.WithDbAsync(async db =>
        {
            var r = await DecisionSnapshotStore.RevisionAsync(db);
            return (r, await DecisionSnapshotStore.WriteAsync(db, day, 1, r, scores, DateTimeOffset.UtcNow));
        });
        Assert.True(stored);
        Assert.Equal(2, await app.WithDbAsync(db => db.DecisionSnapshots.CountAsync(s => s.DecidedOn == day)));

        // Evidence before the decision changes: the snapshot goes, the revision moves on, and a write computed before it is refused.
        await app.WithDbAsync(db => DecisionSnapshotStore.InvalidateFromAsync(db, day.AddDays(-5)));
        Assert.Equal(0, await app.WithDbAsync(db => db.DecisionSnapshots.CountAsync()));
        Assert.Equal(revision + 1, await app.WithDbAsync(db => DecisionSnapshotStore.RevisionAsync(db)));
        Assert.False(await app.WithDbAsync(db => DecisionSnapshotStore.WriteAsync(db, day, 1, revision, scores, DateTimeOffset.UtcNow)));
        Assert.Equal(0, await app.WithDbAsync(db => db.DecisionSnapshotDates.CountAsync()));
        Assert.True(await app.WithDbAsync(db => DecisionSnapshotStore.WriteAsync(db, day, 1, revision + 1, scores, DateTimeOffset.UtcNow)));
        Assert.Equal(string.Join(",", scores.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}:{s.Value.Values}:{s.Value.Results}"))),
            await app.WithDbAsync(async db => string.Join(",", (await db.DecisionSnapshots.OrderBy(s => s.EmployeeId).ToListAsync())
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.EmployeeId}:{s.ValuesScore}:{s.ResultsScore}")))));
    }
}
