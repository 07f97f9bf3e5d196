using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.People;

public sealed class SpanOfControlApiTests
{
    private static (string Id, int Direct, int Total, string Status)[] Rows(JsonElement report) =>
        report.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("manager_id").GetString()!, r.GetProperty("direct_reports").GetInt32(),
            r.GetProperty("total_reports").GetInt32(), r.GetProperty("status").GetString()!)).ToArray();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_sees_every_manager_against_their_range_and_the_limit(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // Thirteen more people under M2: fifteen direct reports, over the sample framework's limit of 12.
        await app.WithDbAsync(async db =>
        {
            for (var i = 1; i <= 13; i++)
                db.Employees.Add(new Employee { Id = $"N{i:00}", Name = $"New {i:00}", Email = $"n{i}@example.test", ManagerId = "M2", Track = "expert", Level = "e1", HireDate = new(2024, 1, 1) });
            await db.SaveChangesAsync();
        });
        var report = await (await app.ClientForAsync("H1")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control");
        Assert.Equal(12, report.GetProperty("limit").GetInt32());
        // Most serious first, then most direct reports; H1 leads no team although her level asks for 4–10.
        Assert.Equal([("M2", 15, 15, "over_limit"), ("M1", 2, 17, "below_range"), ("C1", 1, 18, "below_range"), ("H1", 0, 0, "below_range")], Rows(report));
        var m2 = report.GetProperty("rows")[0];
        Assert.Equal((2, 6), (m2.GetProperty("range_min").GetInt32(), m2.GetProperty("range_max").GetInt32()));

        var byName = await (await app.ClientForAsync("A1")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?sort=name&dir=asc");
        Assert.Equal(["C1", "H1", "M2", "M1"], Rows(byName).Select(r => r.Id));
        var byTotal = await (await app.ClientForAsync("A1")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?sort=total");
        Assert.Equal(["C1", "M1", "M2", "H1"], Rows(byTotal).Select(r => r.Id));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Managers_see_only_their_own_line(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var m2 = await (await app.ClientForAsync("M2")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control");
        Assert.Equal([("M2", 2, 2, "within")], Rows(m2));
        var m1 = await app.ClientForAsync("M1");
        Assert.Equal(["M1", "M2"], Rows(await m1.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control")).Select(r => r.Id).Order());
        Assert.Equal(["M2"], Rows(await m1.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?manager_id=M2")).Select(r => r.Id));
        var c1 = await (await app.ClientForAsync("C1")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control");
        Assert.Equal(["C1", "M1", "M2"], Rows(c1).Select(r => r.Id).Order());

        var outside = await (await app.ClientForAsync("M2")).GetAsync("/api/v1/span-of-control?manager_id=M1");
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Contains("'M1' is not in your reporting line", (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("E1")).GetAsync("/api/v1/span-of-control")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_csv_download_has_a_header_and_one_row_per_manager(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var response = await (await app.ClientForAsync("H1")).GetAsync("/api/v1/span-of-control?format=csv&sort=name&dir=asc");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("span-of-control.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("manager_id,name,title,department,track,level,direct_reports,total_reports,range_min,range_max,limit,status", lines[0]);
        Assert.Equal("C1,Cora Committee,Cora,Engineering,leader,l6,1,5,3,8,12,below_range", lines[1]);
        Assert.Equal("M2,Milo Manager,Milo,Engineering,leader,l3,2,2,2,6,12,within", lines[3]);
        Assert.Equal(5, lines.Length);

        var bad = await (await app.ClientForAsync("H1")).GetAsync("/api/v1/span-of-control?format=xml&sort=shoe&dir=up");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("format", out _) && errors.TryGetProperty("sort", out _) && errors.TryGetProperty("dir", out _));
    }
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_span_pages_in_the_api_and_on_the_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // 120 more managers under M2, each with one report: 124 managers in all, more than one page of the /span page.
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < 120; i++)
            {
                db.Employees.Add(new Employee { Id = $"P{i:000}", Name = $"Pat {i:000}", Email = $"p{i}@example.test", ManagerId = "M2", Track = "leader", Level = "l3", HireDate = new(2024, 1, 1) });
                db.Employees.Add(new Employee { Id = $"R{i:000}", Name = $"Rae {i:000}", Email = $"r{i}@example.test", ManagerId = $"P{i:000}", Track = "expert", Level = "e1", HireDate = new(2024, 1, 1) });
            }
            await db.SaveChangesAsync();
        });
        var hr = await app.ClientForAsync("H1");
        var all = await hr.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?sort=name&dir=asc&page_size=1000");
        var names = Rows(all).Select(r => r.Id).ToArray();
        Assert.Equal(124, names.Length);
        Assert.Equal(124, all.GetProperty("total").GetInt32());

        // Paged by default (everyone's rows were 4.8 MB at 100,000 people): 100 a page, a link to the next with the same
        // filters and order, the counts over all rows.
        var byDefault = await hr.GetAsync("/api/v1/span-of-control?sort=name&dir=asc");
        var firstPage = await byDefault.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(names[..100], Rows(firstPage).Select(r => r.Id));
        Assert.Equal((124, 1, 100), (firstPage.GetProperty("total").GetInt32(), firstPage.GetProperty("page").GetInt32(), firstPage.GetProperty("page_size").GetInt32()));
        Assert.Equal("</api/v1/span-of-control?sort=name&dir=asc&page=2&page_size=100>; rel=\"next\"", byDefault.Headers.GetValues("Link").Single());
        var lastPage = await hr.GetAsync("/api/v1/span-of-control?sort=name&dir=asc&page=2");
        Assert.Equal(names[100..], Rows(await lastPage.Content.ReadFromJsonAsync<JsonElement>()).Select(r => r.Id));
        Assert.False(lastPage.Headers.Contains("Link"));

        // Pages of the same order, with the counts over all rows.
        var second = await hr.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?sort=name&dir=asc&page=2&page_size=50");
        Assert.Equal(names[50..100], Rows(second).Select(r => r.Id));
        Assert.Equal((124, 2, 50), (second.GetProperty("total").GetInt32(), second.GetProperty("page").GetInt32(), second.GetProperty("page_size").GetInt32()));
        Assert.Equal(Rows(all).Count(r => r.Status == "over_limit"), second.GetProperty("over_limit").GetInt32());
        Assert.Equal(Rows(all).Count(r => r.Status == "below_range"), second.GetProperty("below_range").GetInt32());
        Assert.Equal(names[100..], Rows(await hr.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?sort=name&dir=asc&page=3&page_size=50")).Select(r => r.Id));
        Assert.Empty(Rows(await hr.GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?page=4&page_size=50")));
        // A manager's line is paged the same way; the CSV always has every row.
        var line = await (await app.ClientForAsync("M1")).GetFromJsonAsync<JsonElement>("/api/v1/span-of-control?page=1&page_size=10");
        Assert.Equal((122, 10), (line.GetProperty("total").GetInt32(), Rows(line).Length)); // M1, M2 and the 120
        var csv = await hr.GetStringAsync("/api/v1/span-of-control?format=csv&page=1&page_size=10");
        Assert.Equal(125, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var bad = await hr.GetAsync("/api/v1/span-of-control?page=0&page_size=1001");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("page", out _) && errors.TryGetProperty("page_size", out _));

        // The page shows 100 managers a page.
        var first = await hr.GetStringAsync("/span?sort=name&dir=asc");
        Assert.Equal(100, System.Text.RegularExpressions.Regex.Count(first, "data-manager="));
        Assert.Contains("Page 1 of 2", first);
        Assert.Contains("124 managers", first);
        var last = await hr.GetStringAsync("/span?sort=name&dir=asc&page=2");
        Assert.Equal(24, System.Text.RegularExpressions.Regex.Count(last, "data-manager="));
        Assert.Contains($"data-manager=\"{names[^1]}\"", last);
        Assert.DoesNotContain($"data-manager=\"{names[0]}\"", last);
    }
}
