using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Data;
using Trellis.Import;
using Trellis.Provisioning;
using Trellis.Tests.Infrastructure;
using Trellis.Tests.Provisioning;

namespace Trellis.Tests.Import;

/// <summary>
/// The API and SCIM store only text the import reads back (one rule set): NUL nowhere, ids and codes on one line and
/// without / ? # % \. So an export of what they stored always imports again and changes nothing.
/// </summary>
public sealed class ApiTextRoundTripTests
{
    private static async Task FieldErrorAsync(HttpResponseMessage response, string field, string contains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), body);
        Assert.Contains(contains, messages[0].GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Text_the_import_would_refuse_is_refused_where_it_is_written(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var m2 = await app.ClientForAsync("M2");
        var hr = await app.ClientForAsync("H1");

        await FieldErrorAsync(await m2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = "a\u0000b" }), "comment", "NUL");
        await FieldErrorAsync(await m2.PostAsJsonAsync("/api/v1/recognitions", new { to_id = "E1", value = "curiosity", message = "Thanks\u0000" }), "message", "NUL");
        await FieldErrorAsync(await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", category = "bad/cat\nline", substantiated = false }), "category", "control character");
        await FieldErrorAsync(await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", category = "bad/cat", substantiated = false }), "category", "cannot be used in an id");
        var given = await m2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = "First" });
        Assert.Equal(HttpStatusCode.Created, given.StatusCode);
        var id = (await given.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await FieldErrorAsync(await m2.PutAsJsonAsync($"/api/v1/observations/{id}", new { rating = 4, comment = "x\u0000y" }), "comment", "NUL");

        var scim = await app.ScimClientAsync();
        static string User(string id, string title) => new System.Text.Json.Nodes.JsonObject
        {
            ["schemas"] = new System.Text.Json.Nodes.JsonArray("urn:ietf:params:scim:schemas:core:2.0:User"),
            ["userName"] = $"{id.ToLowerInvariant()}@example.test",
            ["displayName"] = "New Person",
            ["emails"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["value"] = $"{id.ToLowerInvariant()}@example.test", ["primary"] = true }),
            ["title"] = title,
            [Scim.EnterpriseUser] = new System.Text.Json.Nodes.JsonObject { ["employeeNumber"] = id },
        }.ToJsonString();
        var (nul, nulBody) = await scim.SendAsync("POST", "/scim/v2/Users", User("N1", "Eng\u0000ineer"));
        Assert.Equal(400, nul);
        Assert.Contains("title: contains a NUL character", nulBody!["detail"]!.GetValue<string>());
        var (slash, slashBody) = await scim.SendAsync("POST", "/scim/v2/Users", User("N\\2", "Engineer"));
        Assert.Equal(400, slash);
        Assert.Contains("employeeNumber:", slashBody!["detail"]!.GetValue<string>());
        Assert.False(await app.WithDbAsync(db => db.Employees.AnyAsync(e => e.Id == "N1" || e.Id == "N\\2")));

        // Text that is allowed, however odd, goes out and comes back unchanged.
        Assert.Equal(HttpStatusCode.Created, (await m2.PostAsJsonAsync("/api/v1/observations",
            new { subject_id = "E2", behavior = "asks-why", rating = 3, comment = "=cmd|' /C calc'!A0\nsecond line, \"quoted\"" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E2", category = "=conduct", substantiated = true })).StatusCode);
        Assert.Equal(201, (await scim.SendAsync("POST", "/scim/v2/Users", User("N3", "@Engineer\tlead"))).Status);

        using var files = new ImportFolder();
        using (var scope = app.Services.CreateScope())
            await new DataExport(scope.ServiceProvider.GetRequiredService<TrellisDb>()).WriteAsync(files.Path, null);
        var again = await app.ImportAsync(CsvFormats.All.Select(f => (f.Kind, Path.Combine(files.Path, f.FileName))).ToArray());
        Assert.True(again.Succeeded, string.Join("\n", again.ProblemLines()));
        Assert.All(again.Files, f => Assert.True(f.Added + f.Updated == 0, f.ToString()));
    }
}
