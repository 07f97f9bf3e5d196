using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Growth;

public sealed partial class DevelopmentPlanPagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_plan_pages_follow_the_apis_scope_and_hr_alone_reads_the_summary(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "C1", "A1", "E1", "X1");
        var created = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", new
        {
            employee_id = "E1", behaviors = new[] { "asks-why" },
            actions = new[] { new { behavior = "asks-why", text = "Ask why in planning", due_on = Iso(Today.AddDays(7)) } },
        });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        var id = (await JsonAsync(created)).GetProperty("id").GetInt32();

        foreach (var who in new[] { "E1", "M1", "C1", "H1" })
        {
            var page = await c[who].GetAsync($"/plans/{id}");
            Assert.True(page.StatusCode == HttpStatusCode.OK, who);
            Assert.Contains("plan-start", await page.Content.ReadAsStringAsync());
        }
        foreach (var who in new[] { "X1", "A1" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync($"/plans/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync("/plans/new?employee=E1")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await c["H1"].GetAsync("/plans/4242")).StatusCode);
        Assert.Contains($"/plans/{id}", await (await c["M1"].GetAsync("/plans")).Content.ReadAsStringAsync());
        Assert.DoesNotContain($"/plans/{id}", await (await c["X1"].GetAsync("/plans")).Content.ReadAsStringAsync());
        // My growth offers to start a plan.
        Assert.Contains("start-plan", await (await c["E1"].GetAsync("/growth")).Content.ReadAsStringAsync());

        foreach (var who in new[] { "M1", "C1", "A1", "E1" })
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync("/plans/summary")).StatusCode);
        var summary = await (await c["H1"].GetAsync("/plans/summary")).Content.ReadAsStringAsync();
        Assert.Contains("fewer than 3 people: hidden", summary);
        Assert.DoesNotContain("Eli", summary);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_due_date_far_from_the_plan_is_refused_by_field_and_a_refused_page_form_keeps_what_was_typed(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "E1");
        object Body(string due) => new
        {
            employee_id = "E1", behaviors = new[] { "asks-why" },
            actions = new[] { new { behavior = "asks-why", text = "Ask why in planning", due_on = due } },
        };
        // On creation (the plan starts today): a month back and three years ahead are the edges.
        foreach (var due in new[] { "0001-01-01", "9999-12-31", Iso(Today.AddDays(-32)), Iso(Today.AddYears(3).AddDays(1)) })
        {
            var refused = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", Body(due));
            await AssertStatusAsync(HttpStatusCode.BadRequest, refused, due);
            var message = (await JsonAsync(refused)).GetProperty("errors").GetProperty("actions[0].due_on")[0].GetString();
            Assert.Contains($"between {Iso(Today.AddDays(-31))} and {Iso(Today.AddYears(3))}", message);
        }
        await AssertStatusAsync(HttpStatusCode.Created, await c["E1"].PostAsJsonAsync("/api/v1/development-plans", Body(Iso(Today.AddDays(-31)))));
        var created = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", Body(Iso(Today.AddYears(3))));
        await AssertStatusAsync(HttpStatusCode.Created, created);
        var plan = await JsonAsync(created);
        var id = plan.GetProperty("id").GetInt32();
        var action = plan.GetProperty("actions")[0].GetProperty("id").GetInt32();

        // Adding an action, or moving one, is held to the same window.
        var added = await c["E1"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { actions = new[] { new { behavior = "asks-why", text = "Pair weekly", due_on = "9999-12-31" } } });
        await AssertStatusAsync(HttpStatusCode.BadRequest, added);
        Assert.True((await JsonAsync(added)).GetProperty("errors").TryGetProperty("actions[0].due_on", out _));
        var moved = await c["E1"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { actions = new[] { new { id = action, due_on = "0001-01-01" } } });
        await AssertStatusAsync(HttpStatusCode.BadRequest, moved);
        Assert.True((await JsonAsync(moved)).GetProperty("errors").TryGetProperty("actions[0].due_on", out _));
        Assert.Equal(Iso(Today.AddYears(3)), (await JsonAsync(await c["E1"].GetAsync($"/api/v1/development-plans/{id}"))).GetProperty("actions")[0].GetProperty("due_on").GetString());

        // The page: a refused action keeps its behaviour, text and date, with the message beside the date.
        async Task<string> Post(string handler, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = AntiforgeryField().Match(await c["E1"].GetStringAsync($"/plans/{id}")).Groups[1].Value;
            var r = await c["E1"].PostAsync($"/plans/{id}?handler={handler}", new FormUrlEncodedContent(fields));
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{handler}: {(int)r.StatusCode}");
            return WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
        }
        var html = await Post("action", new() { ["Behavior"] = "asks-why", ["Text"] = "Pair with a junior every week", ["DueOn"] = "9999-12-31" });
        Assert.Contains("<input name=\"Text\" value=\"Pair with a junior every week\"", html);
        Assert.Contains("<input type=\"date\" name=\"DueOn\" value=\"9999-12-31\" />", html);
        Assert.Contains("<option value=\"asks-why\" selected=\"selected\">", html);
        Assert.Contains("<span class=\"field-error\" id=\"actions[0].due_on-error\">Choose a date between ", html);
        var comment = new string('c', 1001);
        html = await Post("comment", new() { ["Comment"] = comment });
        Assert.Contains($">{comment}</textarea>", html);
        Assert.Contains("<span class=\"field-error\" id=\"comment-error\">Write a comment of 1 to 1000 characters.</span>", html);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
