using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class FeedbackRequestsApiTests
{
    private static object Request(string subject, params string[] raters) =>
        new { subject_id = subject, rater_ids = raters, behaviors = new[] { "asks-why", "learns-in-the-open" }, message = "How did the launch go from where you sat?" };

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_the_subject_or_a_manager_in_their_line_may_request_feedback(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // E1 reports to M2, who reports to M1.
        foreach (var (requester, expected) in new[]
                 {
                     ("E1", HttpStatusCode.Created), ("M2", HttpStatusCode.Created), ("M1", HttpStatusCode.Created),
                     ("E2", HttpStatusCode.Forbidden), ("X1", HttpStatusCode.Forbidden), ("H1", HttpStatusCode.Forbidden),
                     ("A1", HttpStatusCode.Forbidden), ("E3", HttpStatusCode.Forbidden),
                 })
        {
            var client = await app.ClientForAsync(requester);
            var response = await client.PostAsJsonAsync("/api/v1/feedback-requests", Request("E1", "E2", "E3"));
            Assert.True(expected == response.StatusCode, $"{requester}: expected {expected}, got {response.StatusCode}");
            if (expected == HttpStatusCode.Forbidden)
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Bad_requests_get_field_errors(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        var response = await client.PostAsJsonAsync("/api/v1/feedback-requests",
            new { subject_id = "E1", rater_ids = new[] { "E1", "NOPE" }, behaviors = new[] { "juggles" }, message = new string('m', 2001) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["behaviors", "message", "rater_ids"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(2, errors.GetProperty("rater_ids").GetArrayLength());

        var empty = await client.PostAsJsonAsync("/api/v1/feedback-requests", new { subject_id = "E1" });
        var emptyErrors = (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["behaviors", "rater_ids"], emptyErrors.EnumerateObject().Select(p => p.Name).Order());

        var unknownSubject = await client.PostAsJsonAsync("/api/v1/feedback-requests", Request("NOPE", "E2"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownSubject.StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Requests_wait_in_the_inbox_until_answered_or_withdrawn(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var requester = await app.ClientForAsync("E1");
        var e2 = await app.ClientForAsync("E2");
        var e3 = await app.ClientForAsync("E3");

        var created = await (await requester.PostAsJsonAsync("/api/v1/feedback-requests", Request("E1", "E2", "E3"))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith("FRQ-", id);

        var inbox = await e2.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/inbox");
        var item = Assert.Single(inbox.EnumerateArray());
        Assert.Equal(id, item.GetProperty("request_id").GetString());
        Assert.Equal("Eli Engineer", item.GetProperty("subject_name").GetString());
        Assert.Equal($"/feedback/give?subject=E1&behavior=asks-why&request={id}", item.GetProperty("answer_url").GetString());
        Assert.Empty((await requester.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/inbox")).EnumerateArray());

        // Answering with a behaviour the request did not ask about is a field error.
        var wrong = await e2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "raises-the-quality-bar", rating = 3, request_id = id });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        // Someone not asked cannot answer it.
        var stranger = await (await app.ClientForAsync("X1")).PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 3, request_id = id });
        Assert.True((await stranger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("request_id", out _));

        var answer = await e2.PostAsJsonAsync("/api/v1/observations",
            new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = "In the launch review he asked who the dashboard was for before building it.", request_id = id });
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        Assert.Equal(id, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString());
        Assert.Empty((await e2.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/inbox")).EnumerateArray());
        Assert.Single((await e3.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/inbox")).EnumerateArray());

        var sent = Assert.Single((await requester.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/sent")).EnumerateArray());
        // Who answered is a count only: nothing per colleague ties an answer to a person.
        Assert.Equal(["E2", "E3"], sent.GetProperty("raters").EnumerateArray().Select(r => r.GetProperty("rater_id").GetString()!));
        Assert.Equal(1, sent.GetProperty("answered").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden, (await e3.PostAsync($"/api/v1/feedback-requests/{id}/withdraw", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await requester.PostAsync("/api/v1/feedback-requests/FRQ-NONE/withdraw", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await requester.PostAsync($"/api/v1/feedback-requests/{id}/withdraw", null)).StatusCode);
        Assert.Empty((await e3.GetFromJsonAsync<JsonElement>("/api/v1/feedback-requests/inbox")).EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, (await requester.PostAsync($"/api/v1/feedback-requests/{id}/withdraw", null)).StatusCode);

        var late = await e3.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 3, request_id = id });
        Assert.Contains("withdrawn", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("request_id")[0].GetString());
    }
}
