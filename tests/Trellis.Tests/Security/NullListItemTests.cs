using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// A null where a list of a request holds objects or text (<c>"actions":[null]</c>) is a 400 naming the item, never a 500
/// from a service that never expects it; for every list of every request type, nested ones included.
/// </summary>
public sealed class NullListItemTests
{
    private static async Task<JsonElement> BadRequestAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no field error for {field}: {body}");
        return problem;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string json) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_null_item_in_a_list_of_a_request_is_a_field_error(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");
        var hr = await app.ClientForAsync("H1");
        var due = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14).ToString("yyyy-MM-dd");

        // Lists of objects: a development plan's actions, when it starts and when it changes.
        await BadRequestAsync(await SendAsync(e1, HttpMethod.Post, "/api/v1/development-plans",
            """{"employee_id":"E1","behaviors":["asks-why"],"actions":[null]}"""), "actions[0]");
        await BadRequestAsync(await SendAsync(e1, HttpMethod.Post, "/api/v1/development-plans",
            $$"""{"employee_id":"E1","behaviors":["asks-why"],"actions":[{"behavior":"asks-why","text":"Ask twice","due_on":"{{due}}"},null]}"""), "actions[1]");
        Assert.False(await app.WithDbAsync(db => db.Set<Trellis.Growth.DevelopmentPlan>().AnyAsync()));
        var created = await e1.PostAsJsonAsync("/api/v1/development-plans",
            new { employee_id = "E1", behaviors = new[] { "asks-why" }, actions = new[] { new { behavior = "asks-why", text = "Ask twice", due_on = due } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await BadRequestAsync(await SendAsync(e1, HttpMethod.Put, $"/api/v1/development-plans/{id}", """{"actions":[null]}"""), "actions[0]");

        // Lists of text, at the top of a request and inside an object of it.
        await BadRequestAsync(await SendAsync(e1, HttpMethod.Post, "/api/v1/feedback-requests",
            """{"subject_id":"E1","rater_ids":["E2",null],"behaviors":["asks-why"]}"""), "rater_ids[1]");
        await BadRequestAsync(await SendAsync(hr, HttpMethod.Put, "/api/v1/framework/levels/e3",
            """{"name":"Senior","scope":{"direct_reports":[0,0],"responsibilities":["Leads",null]},"note":"n"}"""), "scope.responsibilities[1]");
        Assert.Equal(1, await app.WithDbAsync(db => db.FrameworkVersions.CountAsync()));
    }
}
