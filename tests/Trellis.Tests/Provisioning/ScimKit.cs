using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Provisioning;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Provisioning;

/// <summary>A SCIM client as an identity provider is one: a provisioning token and application/scim+json bodies.</summary>
internal static class ScimKit
{
    public const string Enterprise = Scim.EnterpriseUser;

    public static async Task<HttpClient> ScimClientAsync(this TrellisApp app)
    {
        var (_, token) = await app.WithDbAsync(db => new ProvisioningTokens(db, TimeProvider.System).CreateAsync("test", "A1"));
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, Scim.MediaType);

    public static async Task<(int Status, JsonObject? Json)> SendAsync(this HttpClient client, string method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null) request.Content = Body(json);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length > 0) Assert.Equal(Scim.MediaType, response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    public static string PatchOps(params string[] operations) =>
        $$"""{"schemas":["{{Scim.PatchOp}}"],"Operations":[{{string.Join(",", operations)}}]}""";

    public static Task<Trellis.Data.Employee?> EmployeeAsync(this TrellisApp app, string id) =>
        app.WithDbAsync(db => db.Employees.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id));

    public static Task<string?> RolesAsync(this TrellisApp app, string id) =>
        app.WithDbAsync(db => db.Accounts.AsNoTracking().Where(a => a.EmployeeId == id).Select(a => a.Roles).FirstOrDefaultAsync());

    public static Task<int> AuditCountAsync(this TrellisApp app, string prefix = "scim_") =>
        app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action.StartsWith(prefix)));
}
