using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// The attacks on anonymous feedback (issue 14), as the subject would run them through the API. Threshold 3 (the
/// sample framework). E1 is the subject; R1…R7 are colleagues outside E1's line, so their feedback is "other"
/// (anonymous). After every answer the readiness service is refitted, so that what is compared is what the subject
/// would see once the server has caught up.
/// </summary>
public sealed class AnonymityAttackTests
{
    private const string Behavior = "asks-why";
    private static readonly string[] Raters = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"];

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

    private static async Task AnswerAsync(TrellisApp app, string rater, int rating, string? requestId = null)
    {
        var client = await app.ClientForAsync(rater);
        var response = await client.PostAsJsonAsync("/api/v1/observations",
            new { subject_id = "E1", behavior = Behavior, rating, comment = $"In the review {rater} saw E1 ask who it was for.", request_id = requestId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
    }

    /// <summary>Everything the subject can read about their own feedback: their readiness and their evidence view.</summary>
    private sealed record Seen(string Readiness, string Evidence)
    {
        /// <summary>
        /// The same view: the evidence view exactly; the readiness object exactly but for its numbers, which may differ
        /// in the last digit between two fits of the same data (sums in parallel), never by what one answer moves.
        /// </summary>
        public bool Same(Seen other) => Evidence == other.Evidence && Close(JsonDocument.Parse(Readiness).RootElement, JsonDocument.Parse(other.Readiness).RootElement);

        private static bool Close(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => Math.Abs(a.GetDouble() - b.GetDouble()) <= 0.015,
            (JsonValueKind.Object, JsonValueKind.Object) => a.EnumerateObject().Count() == b.EnumerateObject().Count()
                && a.EnumerateObject().All(p => b.TryGetProperty(p.Name, out var q) && Close(p.Value, q)),
            (JsonValueKind.Array, JsonValueKind.Array) => a.GetArrayLength() == b.GetArrayLength()
                && a.EnumerateArray().Zip(b.EnumerateArray()).All(x => Close(x.First, x.Second)),
            _ => a.ValueKind == b.ValueKind && a.GetRawText() == b.GetRawText(),
        };

        public override string ToString() => Readiness + "\n" + Evidence;
    }

    private static async Task<Seen> SubjectSeesAsync(HttpClient subject) =>
        new(await subject.GetStringAsync("/api/v1/employees/E1/readiness"), await subject.GetStringAsync("/api/v1/employees/E1/evidence"));

    private static void AssertSame(Seen expected, Seen actual) =>
        Assert.True(expected.Same(actual), $"the subject's view moved:\nbefore: {expected}\nafter:  {actual}");

    private static async Task<JsonElement> FullReadinessAsync(HttpClient manager) =>
        await manager.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness");

    private static double? Score(JsonElement report) =>
        report.GetProperty("behaviors").EnumerateArray().Single(b => b.GetProperty("behavior").GetString() == Behavior)
            .GetProperty("score") is { ValueKind: JsonValueKind.Number } s ? s.GetDouble() : null;

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Below_the_threshold_anonymous_feedback_moves_nothing_the_subject_sees(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var subject = await app.ClientForAsync("E1");
        var manager = await app.ClientForAsync("M2");
        await AnswerAsync(app, "M2", 3); // attributed manager feedback: released at once, gives the subject an estimate
        var before = await SubjectSeesAsync(subject);
        var managerBefore = await FullReadinessAsync(manager);

        await AnswerAsync(app, "R1", 1);
        await AnswerAsync(app, "R2", 1); // two raters: one short of the threshold

        AssertSame(before, await SubjectSeesAsync(subject));
        // The manager still sees the full estimate, which the two answers moved.
        var managerAfter = await FullReadinessAsync(manager);
        Assert.NotEqual(managerBefore.GetProperty("evidence_count").GetInt32(), managerAfter.GetProperty("evidence_count").GetInt32());
        Assert.NotEqual(Score(managerBefore), Score(managerAfter));
        // The growth page shows no count, no range and no estimate that the two answers moved either.
        var page = await subject.GetStringAsync("/growth/E1/evidence/asks-why");
        Assert.DoesNotContain("from 3 observations", page);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_one_more_answer_after_the_threshold_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var subject = await app.ClientForAsync("E1");
        foreach (var rater in Raters[..3]) await AnswerAsync(app, rater, 4);
        var afterFirstBatch = await SubjectSeesAsync(subject);
        Assert.Contains("\"raters\":3", afterFirstBatch.Evidence);

        // The attack: one more colleague answers; the subject compares before and after to learn that one answer.
        await AnswerAsync(app, "R4", 1);
        AssertSame(afterFirstBatch, await SubjectSeesAsync(subject));
        await AnswerAsync(app, "R5", 1);
        AssertSame(afterFirstBatch, await SubjectSeesAsync(subject));

        // The third new rater completes a batch: the change the subject sees is the work of three people at once.
        await AnswerAsync(app, "R6", 2);
        var afterSecondBatch = await SubjectSeesAsync(subject);
        Assert.False(afterFirstBatch.Same(afterSecondBatch));
        Assert.Contains("\"raters\":6", afterSecondBatch.Evidence);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_one_request_per_colleague_and_watching_who_answered_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var subject = await app.ClientForAsync("E1");
        // The attack: ask each colleague separately, then after each answer look at which request was answered and
        // when, and at how the feedback moved.
        var requests = new Dictionary<string, string>();
        foreach (var rater in Raters[..4])
        {
            var created = await subject.PostAsJsonAsync("/api/v1/feedback-requests", new { subject_id = "E1", rater_ids = new[] { rater }, behaviors = new[] { Behavior } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            requests[rater] = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var seen = new List<Seen> { await SubjectSeesAsync(subject) };
        foreach (var (rater, rating) in new[] { ("R1", 5), ("R2", 1), ("R3", 3), ("R4", 5) })
        {
            await AnswerAsync(app, rater, rating, requests[rater]);
            var sent = await subject.GetStringAsync("/api/v1/feedback-requests/sent");
            // Nothing per colleague that says whether or when they answered, or which observation is theirs.
            Assert.DoesNotContain("answered_at", sent);
            Assert.DoesNotContain("observation_id", sent);
            Assert.DoesNotContain("OBS-", sent);
            seen.Add(await SubjectSeesAsync(subject));
        }
        // The view moves once, when the third answer completes a batch; never with the first, second or fourth alone.
        AssertSame(seen[0], seen[1]);
        AssertSame(seen[1], seen[2]);
        Assert.False(seen[2].Same(seen[3]));
        AssertSame(seen[3], seen[4]);
        // And the observations themselves stay closed to the subject.
        var sentJson = await subject.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/sent");
        Assert.Equal(4, sentJson.EnumerateArray().Sum(r => r.GetProperty("answered").GetInt32()));
    }

    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>
    /// E1's feedback on <see cref="Behavior"/>: their manager's 3, observed and released on <paramref name="managerOn"/>,
    /// and one batch of three anonymous answers, observed on the given days and released together at 14:00 UTC on
    /// <paramref name="releasedOn"/>, as a release pass stores it.
    /// </summary>
    private static async Task SeedBatchAsync(TrellisApp app, DateOnly managerOn, DateOnly[] observedOn, int[] ratings, DateOnly releasedOn)
    {
        await app.WithDbAsync(async db =>
        {
            var released = new DateTimeOffset(releasedOn.ToDateTime(new TimeOnly(14, 0)), TimeSpan.Zero);
            db.Observations.Add(new Observation
            {
                Id = "B0", SubjectId = "E1", RaterId = "M2", Relationship = "manager", Behavior = Behavior, Rating = 3, ObservedOn = managerOn,
                ReleasedAt = new DateTimeOffset(managerOn.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero),
            });
            for (var k = 0; k < 3; k++)
                db.Observations.Add(new Observation
                {
                    Id = $"B{k + 1}", SubjectId = "E1", RaterId = Raters[k], Relationship = "other", Behavior = Behavior, Rating = ratings[k],
                    ObservedOn = observedOn[k], ReleasedAt = released,
                });
            await db.SaveChangesAsync();
        });
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
    }

    /// <summary>What one readiness answer says of the evidence: its counts and the behaviour's estimate.</summary>
    private static (int Evidence, int Raters, double? Score, string Ci) Inputs(JsonElement report)
    {
        var b = report.GetProperty("behaviors").EnumerateArray().Single(x => x.GetProperty("behavior").GetString() == Behavior);
        return (report.GetProperty("evidence_count").GetInt32(), report.GetProperty("rater_count").GetInt32(), Score(report), b.GetProperty("ci").ToString());
    }

    private static async Task<(int Evidence, int Raters, double? Score, string Ci)> AsOfAsync(HttpClient client, DateOnly day) =>
        Inputs(await client.GetFromJsonAsync<JsonElement>($"/api/v1/employees/E1/readiness?as_of={day:yyyy-MM-dd}"));

    private static void AssertSameInputs((int Evidence, int Raters, double? Score, string Ci) expected, (int Evidence, int Raters, double? Score, string Ci) actual, string what)
    {
        Assert.True(expected.Evidence == actual.Evidence && expected.Raters == actual.Raters, $"{what}: counts moved from {expected} to {actual}");
        Assert.True(expected.Score is null == actual.Score is null && Math.Abs((expected.Score ?? 0) - (actual.Score ?? 0)) <= 0.015,
            $"{what}: the estimate moved from {expected} to {actual}");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_as_of_dates_inside_a_released_batch_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        // The attack: the three raters of one batch answered on different days; the subject asks for their readiness as
        // of each of those days and reads every answer off the step it makes.
        DateOnly[] observed = [Today.AddDays(-30), Today.AddDays(-25), Today.AddDays(-21)];
        var releasedOn = Today.AddDays(-20);
        await SeedBatchAsync(app, Today.AddDays(-40), observed, [5, 1, 5], releasedOn);
        var subject = await app.ClientForAsync("E1");
        var manager = await app.ClientForAsync("M2");

        var before = await AsOfAsync(subject, Today.AddDays(-35));
        Assert.Equal(1, before.Evidence);
        foreach (var day in observed.Append(releasedOn.AddDays(-1)))
            AssertSameInputs(before, await AsOfAsync(subject, day), $"the subject as of {day:yyyy-MM-dd}");
        // On the day of the release the whole batch arrives at once.
        var released = await AsOfAsync(subject, releasedOn);
        Assert.Equal((4, 4), (released.Evidence, released.Raters));
        Assert.Equal(released.Evidence, (await AsOfAsync(subject, Today)).Evidence);

        // Their manager sees the full estimate, by the day each answer was observed, as before.
        var seen = new List<(int Evidence, int Raters, double? Score, string Ci)>();
        foreach (var day in observed) seen.Add(await AsOfAsync(manager, day));
        Assert.Equal([2, 3, 4], seen.Select(s => s.Evidence));
        Assert.NotEqual(seen[0].Score, seen[1].Score);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_the_months_of_a_development_plans_series_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        var start = Today.AddMonths(-3);
        var month = start.AddMonths(1);
        // Two answers of a batch observed before the plan's second month, the third (and the release) after it.
        await SeedBatchAsync(app, start.AddDays(-20), [month.AddDays(-10), month.AddDays(-5), month.AddDays(3)], [5, 5, 1], month.AddDays(4));
        var manager = await app.ClientForAsync("M2");
        var created = await manager.PostAsJsonAsync("/api/v1/development-plans", new
        {
            employee_id = "E1", behaviors = new[] { Behavior },
            actions = new[] { new { behavior = Behavior, text = "Ask who a change is for in every review", due_on = Today.AddDays(14).ToString("yyyy-MM-dd") } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await app.WithDbAsync(db => db.Set<Trellis.Growth.DevelopmentPlan>().Where(p => p.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.StartedOn, start)));

        static async Task<Dictionary<string, double?>> SeriesAsync(HttpClient client, int id)
        {
            var plan = await client.GetFromJsonAsync<JsonElement>($"/api/v1/development-plans/{id}");
            return plan.GetProperty("series").GetProperty(Behavior).EnumerateArray().ToDictionary(
                p => p.GetProperty("as_of").GetString()!, p => p.GetProperty("score") is { ValueKind: JsonValueKind.Number } s ? s.GetDouble() : (double?)null);
        }
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd");
        var mine = await SeriesAsync(await app.ClientForAsync("E1"), id);
        var full = await SeriesAsync(manager, id);

        // The subject's month after the start holds nothing of the batch: two of its three answers alone would show there.
        Assert.NotNull(mine[Iso(start)]);
        Assert.True(Math.Abs(mine[Iso(start)]!.Value - mine[Iso(month)]!.Value) <= 0.015, $"the subject's series moved before the release: {mine[Iso(start)]} -> {mine[Iso(month)]}");
        Assert.NotEqual(mine[Iso(month)], mine[Iso(Today)]);
        // Their manager's series moves with the two answers observed in that month.
        Assert.True(Math.Abs(full[Iso(start)]!.Value - full[Iso(month)]!.Value) > 0.1, $"the manager's series should move: {full[Iso(start)]} -> {full[Iso(month)]}");
    }

    /// <summary>Changes a released answer through the API as its rater would: R1 edits B1 to 1, R2 withdraws B2.</summary>
    private static async Task EditAndWithdrawAsync(TrellisApp app)
    {
        var edited = await (await app.ClientForAsync("R1")).PutAsJsonAsync("/api/v1/observations/B1", new { rating = 1, comment = "In the review the question of who it was for never came up." });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync("R2")).PostAsync("/api/v1/observations/B2/withdraw", null)).StatusCode);
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_a_past_day_before_and_after_a_change_is_released_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        // A batch of three released five days ago; the subject notes their readiness as of two days ago.
        await SeedBatchAsync(app, Today.AddDays(-6), [Today.AddDays(-6), Today.AddDays(-6), Today.AddDays(-6)], [5, 1, 5], Today.AddDays(-5));
        var subject = await app.ClientForAsync("E1");
        var past = Today.AddDays(-2);
        var before = await AsOfAsync(subject, past);
        Assert.Equal((4, 4), (before.Evidence, before.Raters));
        var todayBefore = await AsOfAsync(subject, Today);

        // The attack: R1 edits, R2 withdraws, and one more colleague answers, which completes a batch of three raters'
        // changes. Had the past day lost the changed answers, the subject could read R2's withdrawn rating (and R1's old
        // one) off the difference between the two views of that day.
        await EditAndWithdrawAsync(app);
        AssertSameInputs(before, await AsOfAsync(subject, past), "the past day while the changes wait");
        await AnswerAsync(app, "R4", 2);
        AssertSameInputs(before, await AsOfAsync(subject, past), "the past day after the changes were released");
        foreach (var day in new[] { Today.AddDays(-5), Today.AddDays(-1) })
            AssertSameInputs(before, await AsOfAsync(subject, day), $"the subject as of {day:yyyy-MM-dd}");
        // Today the batch shows, whole: the manager's answer, R1's new rating, R3's and R4's.
        var todayAfter = await AsOfAsync(subject, Today);
        Assert.Equal((4, 4), (todayAfter.Evidence, todayAfter.Raters));
        Assert.NotEqual(todayBefore.Score, todayAfter.Score);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Differencing_a_development_plans_feedback_count_by_one_raters_change_reveals_nothing(Provider provider)
    {
        await using var app = await StartAsync(provider);
        await SeedBatchAsync(app, Today.AddDays(-6), [Today.AddDays(-6), Today.AddDays(-6), Today.AddDays(-6)], [5, 1, 5], Today.AddDays(-5));
        var manager = await app.ClientForAsync("M2");
        var created = await manager.PostAsJsonAsync("/api/v1/development-plans", new
        {
            employee_id = "E1", behaviors = new[] { Behavior },
            actions = new[] { new { behavior = Behavior, text = "Ask who a change is for in every review", due_on = Today.AddDays(14).ToString("yyyy-MM-dd") } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await app.WithDbAsync(db => db.Set<Trellis.Growth.DevelopmentPlan>().Where(p => p.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.StartedOn, Today.AddDays(-10))));
        var subject = await app.ClientForAsync("E1");
        async Task<string> FeedbackSinceAsync(HttpClient client) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/v1/development-plans/{id}")).GetProperty("feedback_since").GetRawText();
        var before = await FeedbackSinceAsync(subject);
        Assert.Contains("\"observations\":4", before);

        // One rater's edit, then another's withdrawal: nothing the subject sees counts differently until the changes are
        // released in a batch, here as on their readiness and evidence.
        await EditAndWithdrawAsync(app);
        Assert.Equal(before, await FeedbackSinceAsync(subject));
        // Their manager's count follows the evidence at once.
        Assert.Contains("\"observations\":3", await FeedbackSinceAsync(manager));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_framework_with_an_anonymity_threshold_below_three_is_refused(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var document = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Trellis.Framework.FrameworkStore.SampleJson())!;
        var rules = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(document["rules"].GetRawText())!;
        rules["anonymity_threshold"] = JsonSerializer.SerializeToElement(2);
        document["rules"] = JsonSerializer.SerializeToElement(rules);
        document["version"] = JsonSerializer.SerializeToElement("2026.9");
        var response = await hr.PutAsJsonAsync("/api/v1/framework", document);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anonymity_threshold", await response.Content.ReadAsStringAsync());
    }
}
