using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
