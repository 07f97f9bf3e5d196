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
}
