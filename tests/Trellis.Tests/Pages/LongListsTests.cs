using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Tests.Cycles;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Pages;

/// <summary>
/// Long lists are paged and searchable, so that no page grows with the organisation (issue 12): a cycle with 10,000
/// suggestions and a manager with 5,000 people in their line. Sizes, not times: performance is measured by
/// <c>trellis bench --only pages</c>.
/// </summary>
public sealed partial class LongListsTests
{
    private const int OneMegabyte = 1024 * 1024;

    /// <summary>
    /// <paramref name="count"/> engineers (L00000…) reporting to <paramref name="manager"/>; with <paramref name="rated"/>, each rated 5
    /// on every behaviour by three colleagues, which makes them ready or soon ready for the next level (so suggested).
    /// </summary>
    private static Task SeedCrowdAsync(TrellisApp app, int count, string manager, bool rated) => app.WithDbAsync(async db =>
    {
        static string Id(int i) => $"L{i:D5}";
        var hired = new DateOnly(2020, 1, 6);
        await BulkCopy.InsertAsync(db, Enumerable.Range(0, count).Select(i => new Employee
        {
            Id = Id(i), Name = $"Crowd Person {i:D5}", Email = $"l{i:D5}@example.test", ManagerId = manager, Department = "Engineering",
            Location = "Lisbon", Title = "Engineer", Track = "expert", Level = "e2", HireDate = hired, LevelSince = hired,
        }));
        if (!rated) return;
        var behaviors = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.Select(b => b.Key).ToList();
        var observed = CycleTestKit.Today.AddDays(-30);
        await BulkCopy.InsertAsync(db,
            from i in Enumerable.Range(0, count)
            from b in behaviors
            from k in Enumerable.Range(1, 3)
            select new Observation
            {
                Id = $"o-{i}-{b}-{k}", SubjectId = Id(i), RaterId = Id((i + k) % count), Relationship = "peer", Behavior = b, Rating = 5, ObservedOn = observed,
            });
    });

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_cycle_with_10000_suggestions_answers_under_a_megabyte_and_searches_them(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedCrowdAsync(app, 10_050, "M1", rated: true);
        var hr = await app.ClientForAsync("H1");
        await CycleTestKit.CycleAsync(hr, "big");

        // The API pages them by default (5 MB in one answer at 100,000 people), with their number and a link to the next page.
        var first = await hr.GetAsync("/api/v1/cycles/big/suggestions");
        var firstPage = await first.Content.ReadFromJsonAsync<JsonElement>();
        var all = firstPage.GetProperty("total").GetInt32();
        Assert.True(all >= 10_000, $"the scenario needs 10,000 suggestions; the engine made {all}");
        Assert.Equal((1, 100, 100), (firstPage.GetProperty("page").GetInt32(), firstPage.GetProperty("page_size").GetInt32(), firstPage.GetProperty("items").GetArrayLength()));
        Assert.Equal("</api/v1/cycles/big/suggestions?page=2&page_size=100>; rel=\"next\"", first.Headers.GetValues("Link").Single());
        Assert.True((await first.Content.ReadAsByteArrayAsync()).Length < OneMegabyte);
        // Following the links at 1,000 a page gives every suggestion once, in the order of the first page.
        var ids = new List<string?>();
        string? next = "/api/v1/cycles/big/suggestions?page_size=1000";
        while (next is not null)
        {
            var pageOf = await hr.GetAsync(next);
            var body = await pageOf.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(all, body.GetProperty("total").GetInt32());
            ids.AddRange(body.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("employee_id").GetString()));
            next = pageOf.Headers.TryGetValues("Link", out var link) ? LinkTarget().Match(link.Single()).Groups[1].Value : null;
        }
        Assert.Equal(all, ids.Count);
        Assert.Equal(all, ids.Distinct().Count());
        Assert.Equal(firstPage.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("employee_id").GetString()), ids.Take(100));
        var tooLarge = await hr.GetAsync("/api/v1/cycles/big/suggestions?page_size=1001");
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.True((await tooLarge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("page_size", out _));

        var response = await hr.GetAsync("/cycles/big");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length < OneMegabyte, $"the cycle page is {bytes.Length:N0} bytes");
        var html = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains($"{all:N0} in all", html);
        Assert.Contains("name=\"sq\"", html); // the search box
        Assert.Equal(50, SuggestionRows(html));
        Assert.Contains("spage=2", html); // the next page

        // The search finds one person among them all, and a later page shows other people than the first.
        var found = await hr.GetStringAsync("/cycles/big?sq=L09876");
        Assert.Equal(1, SuggestionRows(found));
        Assert.Contains("Crowd Person 09876", found);
        var second = await hr.GetStringAsync("/cycles/big?spage=2");
        Assert.Equal(50, SuggestionRows(second));
        Assert.DoesNotContain(FirstSuggestion(html), second);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_manager_with_5000_people_in_their_line_sees_a_paged_team(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedCrowdAsync(app, 5_000, "M2", rated: false);
        var manager = await app.ClientForAsync("M1"); // M2's manager: 5,000 indirect reports and a few more

        var response = await manager.GetAsync("/team");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length < OneMegabyte, $"the team page is {bytes.Length:N0} bytes");
        var html = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("(5,004 people)", html); // M2, E1, E2, E3 and the crowd
        Assert.Equal(100, TeamRows(html));
        Assert.Contains("Page 1 of 51", html);

        var last = await manager.GetStringAsync("/team?page=51");
        Assert.Equal(4, TeamRows(last));
        var found = await manager.GetStringAsync("/team?q=L04321");
        Assert.Equal(1, TeamRows(found));
        Assert.Contains("Crowd Person 04321", found);
        // The API pages the line by default (a top executive's line was the whole organisation, 39 MB at 100,000 people),
        // with the line's size and a link to the next page.
        var first = await manager.GetAsync("/api/v1/team/readiness");
        var firstPage = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5_004, firstPage.GetProperty("total").GetInt32());
        Assert.Equal(1, firstPage.GetProperty("page").GetInt32());
        Assert.Equal(100, firstPage.GetProperty("page_size").GetInt32());
        Assert.Equal(100, firstPage.GetProperty("items").GetArrayLength());
        Assert.Equal("</api/v1/team/readiness?page=2&page_size=100>; rel=\"next\"", first.Headers.GetValues("Link").Single());
        var ids = new List<string?>();
        for (var page = 1; page <= 6; page++)
        {
            var pageOf = await manager.GetAsync($"/api/v1/team/readiness?page={page}&page_size=1000");
            var body = await pageOf.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(5_004, body.GetProperty("total").GetInt32());
            Assert.Equal(page < 6 ? 1000 : 4, body.GetProperty("items").GetArrayLength());
            Assert.Equal(page < 6, pageOf.Headers.Contains("Link"));
            ids.AddRange(body.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("employee_id").GetString()));
        }
        Assert.Equal(5_004, ids.Distinct().Count());
        Assert.Equal(firstPage.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("employee_id").GetString()), ids.Take(100));
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.GetAsync("/api/v1/team/readiness?page_size=1001")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.GetAsync("/api/v1/team/readiness?page=0")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_senior_manager_with_33000_people_lists_plans_finds_nominees_and_asks_for_feedback(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // More people in one line than SQLite takes parameters in one statement (32,766).
        await SeedCrowdAsync(app, 33_000, "M2", rated: false);
        var manager = await app.ClientForAsync("M1");

        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/api/v1/development-plans")).StatusCode);
        await CycleTestKit.CycleAsync(await app.ClientForAsync("H1"), "big");
        var nominees = await manager.GetFromJsonAsync<JsonElement>("/api/v1/cycles/big/nominees?q=Crowd");
        Assert.Equal(20, nominees.GetArrayLength());
        Assert.Equal("L00000", nominees[0].GetProperty("employee_id").GetString());

        // The request form does not list 33,000 names: the subject is typed with the colleague search.
        var response = await manager.GetAsync("/feedback/request");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(html.Length < 100_000, $"the request page is {html.Length:N0} characters");
        Assert.Contains("list=\"subject-options\"", html);
        Assert.DoesNotContain("L00000", html);
        // Someone with a small line (here none) still chooses from a list.
        var own = await (await app.ClientForAsync("E1")).GetStringAsync("/feedback/request");
        Assert.Contains("<option value=\"E1\"", own);
        Assert.DoesNotContain("subject-options", own);
    }

    private static int SuggestionRows(string html)
    {
        var table = html[html.IndexOf("id=\"suggestions-table\"", StringComparison.Ordinal)..];
        table = table[table.IndexOf("<tbody>", StringComparison.Ordinal)..table.IndexOf("</tbody>", StringComparison.Ordinal)];
        return Regex.Count(table, "<tr>");
    }

    private static string FirstSuggestion(string html) =>
        SuggestedPerson().Match(html[html.IndexOf("id=\"suggestions-table\"", StringComparison.Ordinal)..]).Value;

    private static int TeamRows(string html) => Regex.Count(html, "<tr data-employee=");

    [GeneratedRegex(@"Crowd Person \d{5}")]
    private static partial Regex SuggestedPerson();

    /// <summary>The target of a <c>Link: &lt;…&gt;; rel="next"</c> header.</summary>
    [GeneratedRegex(@"^<([^>]+)>; rel=""next""$")]
    private static partial Regex LinkTarget();
}
