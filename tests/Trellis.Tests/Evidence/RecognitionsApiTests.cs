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
        // Same day: ids are time-ordered, so the second one given comes first.
        Assert.Equal(["E3", "E2"], feed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("to_id").GetString()));

        var curiosity = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?value=curiosity");
        Assert.Equal("E2", Assert.Single(curiosity.GetProperty("items").EnumerateArray()).GetProperty("to_id").GetString());

        var paged = await reader.GetFromJsonAsync<JsonElement>("/api/v1/recognitions?page=2&page_size=1");
        Assert.Equal("E2", Assert.Single(paged.GetProperty("items").EnumerateArray()).GetProperty("to_id").GetString());
        Assert.Equal(2, paged.GetProperty("page").GetInt32());

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
}
