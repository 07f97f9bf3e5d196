using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class EvidencePagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Evidence_pages_answer_by_role(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var expected = new Dictionary<string, (HttpStatusCode Results, HttpStatusCode Concerns)>
        {
            ["E2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["M2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["C1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), // HR alone lists concerns (issue 14); committee members see flags on the board
            ["H1"] = (HttpStatusCode.OK, HttpStatusCode.OK),
            ["A1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
        };
        foreach (var (who, want) in expected)
        {
            var client = await app.ClientForAsync(who);
            foreach (var open in new[] { "/feedback/give?subject=E1&behavior=asks-why", "/feedback/request", "/feedback/inbox", "/recognition?page=1" })
                Assert.True(HttpStatusCode.OK == (await client.GetAsync(open)).StatusCode, $"{who} {open}");
            Assert.True(want.Results == (await client.GetAsync("/evidence/results")).StatusCode, $"{who} results page");
            Assert.True(want.Concerns == (await client.GetAsync("/evidence/concerns")).StatusCode, $"{who} concerns page");
        }
        var give = await (await (await app.ClientForAsync("E2")).GetAsync("/feedback/give?subject=E1&behavior=asks-why")).Content.ReadAsStringAsync();
        Assert.Contains("Eli Engineer (E1)", give);
        // The chosen behaviour's five anchors are shown next to the rating.
        Assert.Contains("Before starting a piece of work, asks who it is for", give);
    }
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_concern_with_a_date_or_flag_that_cannot_be_read_is_not_recorded(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await CookieSession.SignedInAsync(app, "H1");
        var token = await hr.TokenFromAsync("/evidence/concerns");

        var response = await hr.PostFormAsync("/evidence/concerns",
            new() { ["employee"] = "E1", ["category"] = "conduct", ["recorded_on"] = "notadate", ["substantiated"] = "maybe" }, token);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"recorded_on-error\">&#x27;notadate&#x27; is not a date (use YYYY-MM-DD).", html);
        Assert.Contains("id=\"substantiated-error\">&#x27;maybe&#x27; is not true or false.", html);
        Assert.DoesNotContain("Recorded concern", html);
        Assert.False(await app.WithDbAsync(db => db.Concerns.AnyAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Answering_a_withdrawn_feedback_request_says_why_it_was_not_saved(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var requester = await app.ClientForAsync("E1");
        var created = await requester.PostAsJsonAsync("/api/v1/feedback-requests",
            new { subject_id = "E1", rater_ids = new[] { "E2" }, behaviors = new[] { "asks-why" }, message = "How did the launch go?" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var e2 = await CookieSession.SignedInAsync(app, "E2");
        var page = $"/feedback/give?subject=E1&behavior=asks-why&request={id}";
        var token = await e2.TokenFromAsync(page);
        Assert.Equal(HttpStatusCode.OK, (await requester.PostAsync($"/api/v1/feedback-requests/{id}/withdraw", null)).StatusCode);

        var response = await e2.PostFormAsync(page, new() { ["subject"] = "E1", ["behavior"] = "asks-why", ["request"] = id, ["rating"] = "4", ["visibility"] = "shared" }, token);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"Feedback request &#x27;{id}&#x27; was withdrawn.", html);
        Assert.DoesNotContain("please correct the fields marked below", html);
        Assert.False(await app.WithDbAsync(db => db.Observations.AnyAsync()));
    }
}
