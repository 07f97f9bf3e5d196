using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

/// <summary>
/// Issue 11: the author of feedback may edit or withdraw it for 7 days; each version is kept, the quality check runs
/// again, readiness refits, the change is audit-logged, and a change to a released anonymous answer reaches its subject
/// only in a batch (issue 14), so that the subject cannot difference out one rater. R1…R5 are outside E1's line: their
/// feedback about E1 is "other" (anonymous); the sample framework's threshold is 3.
/// </summary>
public sealed class FeedbackChangeTests
{
    private const string Behavior = "asks-why";
    private static readonly string[] Raters = ["R1", "R2", "R3", "R4", "R5"];

    private static async Task<TrellisApp> StartAsync(Provider provider)
    {
        var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            foreach (var id in Raters)
                db.Employees.Add(new Employee
                {
                    Id = id, Name = $"Rater {id}", Email = $"{id.ToLowerInvariant()}@example.test", Department = "Sales", Track = "expert", Level = "e3",
                    HireDate = TestOrganisation.Hired,
                });
            await db.SaveChangesAsync();
            var accounts = new AccountService(db, TimeProvider.System);
            foreach (var id in Raters) await accounts.AddUserAsync(id, [Roles.Employee], TestOrganisation.Password);
        });
        return app;
    }

    private static async Task<string> AnswerAsync(TrellisApp app, string rater, int rating, string comment = "In the review they asked who the report was for; we cut two fields.")
    {
        var client = await app.ClientForAsync(rater);
        var response = await client.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = Behavior, rating, comment });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<HttpResponseMessage> EditAsync(HttpClient client, string id, int rating, string? comment) =>
        await client.PutAsJsonAsync($"/api/v1/observations/{id}", new { rating, comment });

    private static async Task RefitAsync(TrellisApp app) => await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();

    private static async Task<string> SubjectSeesAsync(HttpClient subject)
    {
        // The readiness numbers of two fits of the same data may differ in the last digit (parallel sums): compared rounded.
        var readiness = await subject.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");
        var behavior = readiness.GetProperty("behaviors").EnumerateArray().Single(b => b.GetProperty("behavior").GetString() == Behavior);
        var score = behavior.GetProperty("score") is { ValueKind: JsonValueKind.Number } s ? Math.Round(s.GetDouble(), 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
        return $"score {score}, evidence {behavior.GetProperty("evidence_count")}, total {readiness.GetProperty("evidence_count")}\n" +
               await subject.GetStringAsync("/api/v1/employees/E1/evidence");
    }

    private static async Task<int> FullEvidenceCountAsync(HttpClient manager) =>
        (await manager.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness")).GetProperty("evidence_count").GetInt32();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_author_edits_within_7_days_each_version_kept_the_quality_check_runs_again_and_the_audit_says_so(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var id = await AnswerAsync(app, "R1", 4);
        var author = await app.ClientForAsync("R1");

        var edited = await EditAsync(author, id, 2, "Great guy.");
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var body = await edited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("rating").GetInt32());
        Assert.Contains(body.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("code").GetString() == "personality");

        var versions = await author.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{id}/versions");
        Assert.Equal([(1, "edited", 4), (2, null, 2)], versions.EnumerateArray()
            .Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("change").GetString(), v.GetProperty("rating").GetInt32())));
        Assert.Equal("Great guy.", (await author.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{id}")).GetProperty("comment").GetString());

        // Nobody else changes it, whatever their role: not the subject, not their manager, not HR.
        foreach (var other in new[] { "E1", "M2", "H1", "R2" })
        {
            var client = await app.ClientForAsync(other);
            Assert.Equal(HttpStatusCode.Forbidden, (await EditAsync(client, id, 5, null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/v1/observations/{id}/withdraw", null)).StatusCode);
        }
        // The subject never reads a single observation's versions (they would name the rater); HR does, and that read is logged.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("E1")).GetAsync($"/api/v1/observations/{id}/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync("H1")).GetAsync($"/api/v1/observations/{id}/versions")).StatusCode);

        var bad = await EditAsync(author, id, 7, null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("rating", out _));

        var log = await app.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Action.StartsWith("observation.")).OrderBy(e => e.Id)
            .Select(e => new { e.Action, e.ActorEmployeeId, e.SubjectEmployeeId }).ToListAsync());
        Assert.Contains(log, e => e.Action == "observation.edited" && e.ActorEmployeeId == "R1" && e.SubjectEmployeeId == "E1");
        Assert.Contains(log, e => e.Action == "observation.versions" && e.ActorEmployeeId == "H1");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Withdrawn_feedback_no_longer_counts_keeps_its_versions_and_after_7_days_nothing_changes(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var manager = await app.ClientForAsync("M2");
        var id = await AnswerAsync(app, "M2", 5); // attributed: the manager's own feedback, counted at once
        var before = await FullEvidenceCountAsync(manager);

        var withdrawn = await manager.PostAsync($"/api/v1/observations/{id}/withdraw", null);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        await RefitAsync(app);
        Assert.Equal(before - 1, await FullEvidenceCountAsync(manager));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/v1/observations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsync($"/api/v1/observations/{id}/withdraw", null)).StatusCode);
        var versions = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{id}/versions");
        Assert.Equal("withdrawn", Assert.Single(versions.EnumerateArray()).GetProperty("change").GetString());
        Assert.DoesNotContain(await manager.GetFromJsonAsync<JsonElement[]>("/api/v1/observations/given") ?? [], g => g.GetProperty("id").GetString() == id);

        // Feedback given eight days ago is part of the record.
        await app.WithDbAsync(async db =>
        {
            db.Observations.Add(new Observation
            {
                Id = "OBS-OLD", SubjectId = "E1", RaterId = "M2", Relationship = "manager", Behavior = Behavior, Rating = 3,
                ObservedOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-8), ReleasedAt = DateTimeOffset.UtcNow.AddDays(-8),
            });
            await db.SaveChangesAsync();
        });
        var late = await EditAsync(manager, "OBS-OLD", 4, null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("part of the record", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsync("/api/v1/observations/OBS-OLD/withdraw", null)).StatusCode);
        Assert.Contains(await app.WithDbAsync(db => db.AuditLog.AsNoTracking().Select(e => e.Action).ToListAsync()), a => a == "observation.withdrawn");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_changed_or_withdrawn_anonymous_answer_reaches_the_subject_only_in_a_batch(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var subject = await app.ClientForAsync("E1");
        var manager = await app.ClientForAsync("M2");
        await AnswerAsync(app, "M2", 3);
        var ids = new Dictionary<string, string>();
        foreach (var (rater, rating) in new[] { ("R1", 5), ("R2", 5), ("R3", 4) }) ids[rater] = await AnswerAsync(app, rater, rating);
        // Three raters: a whole batch, released to E1.
        var released = await SubjectSeesAsync(subject);
        var managerBefore = await FullEvidenceCountAsync(manager);

        // R1 withdraws: the manager's view loses the answer at once; E1's view does not move.
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync("R1")).PostAsync($"/api/v1/observations/{ids["R1"]}/withdraw", null)).StatusCode);
        await RefitAsync(app);
        Assert.Equal(managerBefore - 1, await FullEvidenceCountAsync(manager));
        Assert.Equal(released, await SubjectSeesAsync(subject));

        // R2 rewrites theirs from 5 to 1: still nothing moves for E1 (two raters' changes, one short of a batch).
        Assert.Equal(HttpStatusCode.OK, (await EditAsync(await app.ClientForAsync("R2"), ids["R2"], 1, "In the review the question of who it was for never came up.")).StatusCode);
        await RefitAsync(app);
        Assert.Equal(released, await SubjectSeesAsync(subject));
        Assert.Contains("who the report was for", await subject.GetStringAsync("/api/v1/employees/E1/evidence"));

        // A third rater completes the batch: R1's withdrawal, R2's change and R4's answer reach E1 together.
        await AnswerAsync(app, "R4", 2);
        var after = await SubjectSeesAsync(subject);
        Assert.NotEqual(released, after);
        Assert.Contains("never came up", after);
        Assert.Equal(0, await app.WithDbAsync(db => db.ObservationVersions.CountAsync(v => v.ShownToSubject)));
    }
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Edits_of_one_observation_at_the_same_time_are_each_kept_or_refused_as_stale(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var rater = await app.ClientForAsync("R1");
        var id = await AnswerAsync(app, "R1", 3, "First version: in the review they asked who the report was for.");

        // Eight tabs save at once; each says something different, so that every kept version can be traced to its edit.
        var edits = Enumerable.Range(1, 8).Select(i => $"Edit {i}: in the review they asked who the report was for.").ToList();
        var responses = await Task.WhenAll(edits.Select(comment => EditAsync(rater, id, 4, comment)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, string.Join(", ", statuses)));
        var saved = new List<string>();
        for (var i = 0; i < responses.Length; i++)
        {
            var body = await responses[i].Content.ReadFromJsonAsync<JsonElement>();
            if (responses[i].StatusCode == HttpStatusCode.OK) saved.Add(edits[i]);
            else Assert.Contains("changed or withdrawn meanwhile", body.GetProperty("detail").GetString());
        }
        Assert.NotEmpty(saved);

        // Nothing lost: the first version, then every saved edit exactly once, the last of them current.
        var versions = (await rater.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{id}/versions")).EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, saved.Count + 1), versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal("First version: in the review they asked who the report was for.", versions[0].GetProperty("comment").GetString());
        Assert.Equal(3, versions[0].GetProperty("rating").GetInt32());
        Assert.Equal(saved.Order(), versions.Skip(1).Select(v => v.GetProperty("comment").GetString()!).Order());
        var current = await rater.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{id}");
        Assert.Equal(versions[^1].GetProperty("comment").GetString(), current.GetProperty("comment").GetString());
        Assert.Equal(saved.Count, await app.WithDbAsync(db => db.AuditLog.CountAsync(e => e.Action == "observation.edited")));
    }
}
