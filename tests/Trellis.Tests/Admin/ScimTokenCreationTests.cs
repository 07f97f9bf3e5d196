using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Admin;

/// <summary>
/// Creating a SCIM provisioning token asks what creating a personal token asks: a browser session and the admin's
/// password again, on the API and the admin page. A leaked admin bearer token cannot mint one.
/// </summary>
public sealed partial class ScimTokenCreationTests
{
    private static Task<int> ScimTokensAsync(TrellisApp app) => app.WithDbAsync(db => db.Set<Trellis.Provisioning.ProvisioningToken>().CountAsync());

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_admin_bearer_token_cannot_create_a_provisioning_token_on_the_api_or_the_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");

        var api = await admin.PostAsJsonAsync("/api/v1/admin/scim-tokens", new { name = "leaked", current_password = TestOrganisation.Password });
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("cannot create a provisioning token", JsonNode.Parse(await api.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());

        // The page, read and posted as a browser would with the bearer token (its antiforgery cookie and field).
        var page = await admin.GetAsync("/admin/tokens");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var field = AntiforgeryField().Match(await page.Content.ReadAsStringAsync());
        Assert.True(field.Success);
        var form = await admin.PostAsync("/admin/tokens?handler=CreateScim", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "leaked", ["current_password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = field.Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        var html = await form.Content.ReadAsStringAsync();
        Assert.Contains("cannot create a provisioning token", html);
        Assert.DoesNotContain("id=\"new-scim-token\"", html);

        Assert.Equal(0, await ScimTokensAsync(app));
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "scim_token_created")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_provisioning_token_needs_a_cookie_session_and_the_admins_password_again(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "A1");

        // The API: no password or a wrong one is a 400 on current_password; the right one makes a working token.
        foreach (var body in new object[] { new { name = "Entra ID" }, new { name = "Entra ID", current_password = "not the password" } })
        {
            var refused = await session.PostJsonAsync("/api/v1/admin/scim-tokens", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!["current_password"] is not null);
        }
        Assert.Equal(0, await ScimTokensAsync(app));
        var created = await session.PostJsonAsync("/api/v1/admin/scim-tokens", new { name = "Entra ID", current_password = TestOrganisation.Password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        var scim = app.AnonymousClient();
        scim.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync("/scim/v2/Users")).StatusCode);

        // The page: the form asks for the password; without it or with a wrong one nothing is made.
        var form = await session.TokenFromAsync("/admin/tokens");
        Assert.Contains("name=\"current_password\"", await (await session.GetAsync("/admin/tokens")).Content.ReadAsStringAsync());
        foreach (var password in new[] { "", "not the password" })
        {
            var refused = await session.PostFormAsync("/admin/tokens?handler=CreateScim", new() { ["name"] = "Okta", ["current_password"] = password }, form);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var html = await refused.Content.ReadAsStringAsync();
            Assert.Contains("The current password is not right", html);
            Assert.DoesNotContain("id=\"new-scim-token\"", html);
        }
        Assert.Equal(1, await ScimTokensAsync(app));
        var made = await session.PostFormAsync("/admin/tokens?handler=CreateScim", new() { ["name"] = "Okta", ["current_password"] = TestOrganisation.Password }, form);
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        Assert.Contains("id=\"new-scim-token\"", await made.Content.ReadAsStringAsync());
        Assert.Equal(2, await ScimTokensAsync(app));
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "scim_token_created" && a.ActorEmployeeId == "A1")));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
