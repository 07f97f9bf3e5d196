using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Cycles;

/// <summary>Short-hands for the cycle tests: a cycle open today, nominations, phases, and JSON of a response.</summary>
internal static class CycleTestKit
{
    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);
    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd");

    public static Task<HttpResponseMessage> CreateCycleAsync(HttpClient hr, string name, string[]? committee = null, int budget = 5,
        DateOnly? opens = null, DateOnly? closes = null, DateOnly? deadline = null, string[]? eligible = null, string? recuse = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name, ["opens_on"] = Iso(opens ?? Today.AddDays(-1)), ["closes_on"] = Iso(closes ?? Today.AddDays(60)), ["budget"] = budget,
        };
        if (committee is not null) body["committee"] = committee;
        if (deadline is not null) body["response_deadline"] = Iso(deadline.Value);
        if (eligible is not null) body["eligible_levels"] = eligible;
        if (recuse is not null) body["recuse"] = recuse;
        return hr.PostAsJsonAsync("/api/v1/cycles", body);
    }

    public static async Task CycleAsync(HttpClient hr, string name, string[]? committee = null, int budget = 5)
    {
        var r = await CreateCycleAsync(hr, name, committee, budget);
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public static Task<HttpResponseMessage> NominateAsync(HttpClient c, string cycle, string employee, string target, string rationale = "Leads the design reviews and grows the juniors.") =>
        c.PostAsJsonAsync($"/api/v1/cycles/{cycle}/nominations", new { employee_id = employee, target_level = target, rationale });

    public static async Task<int> NominatedAsync(HttpClient c, string cycle, string employee, string target)
    {
        var r = await NominateAsync(c, cycle, employee, target);
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await JsonAsync(r)).GetProperty("id").GetInt32();
    }

    public static async Task PhaseAsync(HttpClient hr, string cycle, string phase)
    {
        var r = await hr.PostAsJsonAsync($"/api/v1/cycles/{cycle}/phase", new { phase });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> RespondAsync(HttpClient c, int id, string choice, string? note = null) =>
        c.PostAsJsonAsync($"/api/v1/nominations/{id}/response", new { choice, note });

    public static Task<HttpResponseMessage> DecideAsync(HttpClient c, int id, string outcome, string? rationale = "Consistent evidence from several raters.", int? version = null) =>
        c.PostAsJsonAsync($"/api/v1/nominations/{id}/decision", new { outcome, rationale, version });

    /// <summary>Publishes; the test cycles answer by their closing date, so publishing carries an override reason unless told otherwise.</summary>
    public static Task<HttpResponseMessage> PublishAsync(HttpClient hr, string cycle, string? overrideReason = "Every candidate has answered; the committee is done.") =>
        overrideReason is null ? hr.PostAsync($"/api/v1/cycles/{cycle}/publish", null)
            : hr.PostAsJsonAsync($"/api/v1/cycles/{cycle}/publish", new { override_reason = overrideReason });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage r, string? because = null)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{because ?? r.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)r.StatusCode}: {body}");
        if ((int)expected >= 400 && r.Content.Headers.ContentLength != 0)
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A client per employee, created once per test.</summary>
    public static async Task<Dictionary<string, HttpClient>> ClientsAsync(TrellisApp app, params string[] ids)
    {
        var clients = new Dictionary<string, HttpClient>();
        foreach (var id in ids) clients[id] = await app.ClientForAsync(id);
        return clients;
    }

    public static readonly string[] Everyone = ["H1", "A1", "C1", "M1", "M2", "E1", "E2", "E3", "X1"];
}
