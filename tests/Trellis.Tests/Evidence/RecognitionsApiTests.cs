using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class RecognitionsApiTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Recognition_appears_in_the_feed_newest_first_and_on_the_receivers_list(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");
        var first = await e1.PostAsJsonAsync("/api/v1/recognitions", new { to_id = "E2", value = "curiosity", behavior = "asks-why", message = "Asked why the report existed and saved us a week." });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Eli Engineer", body.GetProperty("from_name").GetString());
        Assert.Equal("Curiosity", body.GetProperty("value_name").GetString());
        Assert.Equal("Asks why before acting", body.GetProperty("behavior_name").GetString());
        await (await app.ClientForAsync("M2")).PostAsJsonAsync("/api/v1/recognitions", new { to_id = "E3", value = "craft", message = "The migration guide was spotless." });

        var reader = await app.ClientForAsync("X1");
        var feed = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions");
        Assert.Equal(2, feed.GetProperty("total").GetInt32());
        Assert.False(feed.GetProperty("has_more").GetBoolean());
        // Same day: ids are time-ordered, so the second one given comes first.
        Assert.Equal(["E3", "E2"], feed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("to_id").GetString()));

        var curiosity = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?value=curiosity");
        Assert.Equal("E2", Assert.Single(curiosity.GetProperty("items").EnumerateArray()).GetProperty("to_id").GetString());

        var paged = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?page=2&page_size=1");
        Assert.Equal("E2", Assert.Single(paged.GetProperty("items").EnumerateArray()).GetProperty("to_id").GetString());
        Assert.Equal(2, paged.GetProperty("page").GetInt32());
        Assert.False(paged.GetProperty("has_more").GetBoolean());
        Assert.True((await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?page=1&page_size=1")).GetProperty("has_more").GetBoolean());

        var received = await reader.GetFromJsonAsync<JsonElement>("/api/v1/employees/E2/recognitions");
        Assert.Equal("E1", Assert.Single(received.GetProperty("items").EnumerateArray()).GetProperty("from_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/v1/employees/NOPE/recognitions")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Self_kudos_and_mismatched_values_are_field_errors(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");
        var self = await e1.PostAsJsonAsync("/api/v1/recognitions", new { to_id = "E1", value = "curiosity", message = "Me!" });
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Contains("yourself", (await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("to_id")[0].GetString());

        var mismatch = await e1.PostAsJsonAsync("/api/v1/recognitions", new { to_id = "E2", value = "craft", behavior = "asks-why", message = "Good question." });
        var errors = (await mismatch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["behavior"], errors.EnumerateObject().Select(p => p.Name));

        var empty = await e1.PostAsJsonAsync("/api/v1/recognitions", new { to_id = "NOPE", value = "kindness" });
        Assert.Equal(["message", "to_id", "value"], (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(0, (await e1.GetFromJsonAsync<JsonElement>("/api/v1/recognitions")).GetProperty("total").GetInt32());
    }

    /// <summary>
    /// A page of the feed costs the same however much recognition there is (issue 12: 150,000 at 100,000 people were
    /// counted on every page): the count stops at 1,000 ("more than 1,000"), "older" comes from one row past the page, and the
    /// feed's order is an index (by value and by receiver too), so no statement reads the whole table.
    /// </summary>
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_long_feed_is_counted_up_to_1000_and_paged_without_reading_it_all(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => Trellis.Data.BulkCopy.InsertAsync(db, Enumerable.Range(0, 1_050).Select(i => new Trellis.Data.Recognition
        {
            Id = $"REC-{i:D5}", FromId = i % 2 == 0 ? "E1" : "E2", ToId = i % 2 == 0 ? "E2" : "E3", Value = i % 3 == 0 ? "craft" : "curiosity",
            Message = $"Kudos number {i}", GivenOn = new DateOnly(2026, 1, 1).AddDays(i / 10),
        })));
        var log = new SqlLog();
        var (host, reader) = await app.LoggedClientAsync(log, "X1");
        await using (host)
        {
            await reader.GetAsync("/api/v1/recognitions"); // warm-up
            log.Clear();
            var feed = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions");
            Assert.Equal(JsonValueKind.Null, feed.GetProperty("total").ValueKind);
            Assert.True(feed.GetProperty("has_more").GetBoolean());
            Assert.Equal(20, feed.GetProperty("items").GetArrayLength());
            // Newest first, then by id.
            Assert.Equal(Enumerable.Range(1_030, 20).Reverse().Select(i => $"REC-{i:D5}"),
                feed.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
            var statements = log.On("recognitions");
            Assert.Equal(2, statements.Count);
            Assert.All(statements, sql => Assert.Contains("LIMIT", sql, StringComparison.OrdinalIgnoreCase));

            // A shorter list (one value, one receiver) is still counted exactly.
            var craft = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?value=craft");
            Assert.Equal(350, craft.GetProperty("total").GetInt32());
            Assert.Equal(525, (await reader.GetFromJsonAsync<JsonElement>("/api/v1/employees/E3/recognitions")).GetProperty("total").GetInt32());
            var last = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?value=craft&page=18");
            Assert.Equal(10, last.GetProperty("items").GetArrayLength());
            Assert.False(last.GetProperty("has_more").GetBoolean());

            // The page says so and links to the older page.
            var page = await reader.GetStringAsync("/recognition");
            Assert.Contains("Page 1 (more than 1,000 in all)", page);
            Assert.Contains("href=\"/recognition?page=2\"", page);
            Assert.Contains("Page 18 of 18 (350 in all)", await reader.GetStringAsync("/recognition?filter=craft&page=18"));
        }
    }
}
