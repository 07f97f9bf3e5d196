using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using Trellis.Tests.Security;

namespace Trellis.Tests.Admin;

/// <summary>The admin API's changes to accounts and tokens: admins only, each one audit-logged with who made it.</summary>
public sealed class AccountAdminApiTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_admin_creates_sets_roles_resets_unlocks_and_revokes_and_every_change_is_logged(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, seed: true);
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Trellis.Data.Employee { Id = "N9", Name = "Nia New", Email = "n9@example.test", Track = "expert", Level = "e1", HireDate = new(2026, 1, 5) });
            await db.SaveChangesAsync();
        });
        var admin = await app.ClientForAsync("A1");
        var hr = await app.ClientForAsync("H1");

        Assert.Equal(HttpStatusCode.Forbidden, (await hr.PostAsJsonAsync("/api/v1/admin/accounts", new { employee_id = "N9" })).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/v1/admin/accounts", new { employee_id = "N9", roles = new[] { "manager" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var password = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["password"]!.GetValue<string>();
        Assert.True(password.Length >= 12);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/admin/accounts", new { employee_id = "N9" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/admin/accounts", new { employee_id = "NOPE" })).StatusCode);

        var roles = await admin.PutAsJsonAsync("/api/v1/admin/accounts/N9/roles", new { roles = new[] { "hr" } });
        Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
        Assert.Equal("employee hr", await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "N9").Select(a => a.Roles).SingleAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/v1/admin/accounts/N9/roles", new { roles = new[] { "boss" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsJsonAsync("/api/v1/admin/accounts/A1/roles", new { roles = new[] { "hr" } })).StatusCode);

        await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "E1").ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, DateTimeOffset.UtcNow.AddHours(1))));
        var unlocked = JsonNode.Parse(await (await admin.PostAsync("/api/v1/admin/accounts/E1/unlock", null)).Content.ReadAsStringAsync())!;
        Assert.False(unlocked["locked"]!.GetValue<bool>());
        var reset = await admin.PostAsync("/api/v1/admin/accounts/E1/password", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/admin/accounts/NOPE/password", null)).StatusCode);

        // Tokens: E1's token (made by ClientForAsync) listed with its owner, revoked, and then refused.
        var e1 = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.OK, (await e1.GetAsync("/api/v1/me")).StatusCode);
        var tokens = JsonNode.Parse(await admin.GetStringAsync("/api/v1/admin/tokens?employee_id=E1"))!.AsArray();
        var tokenId = tokens[0]!["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/admin/tokens/{tokenId}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await e1.GetAsync("/api/v1/me")).StatusCode);

        // The SCIM token: created (shown once), working on /scim/v2, revoked.
        var scim = JsonNode.Parse(await (await admin.PostAsJsonAsync("/api/v1/admin/scim-tokens", new { name = "Entra ID" })).Content.ReadAsStringAsync())!;
        var provisioning = app.AnonymousClient();
        provisioning.DefaultRequestHeaders.Authorization = new("Bearer", scim["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await provisioning.GetAsync("/scim/v2/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/admin/scim-tokens/{scim["id"]!.GetValue<int>()}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await provisioning.GetAsync("/scim/v2/Users")).StatusCode);

        var sso = JsonNode.Parse(await admin.GetStringAsync("/api/v1/admin/sso"))!;
        Assert.False(sso["enabled"]!.GetValue<bool>());

        var log = await app.WithDbAsync(db => db.AuditLog.Where(a => a.ActorEmployeeId == "A1").Select(a => a.Action).ToListAsync());
        foreach (var action in new[] { "account_created", "roles_changed", "account_unlocked", "password_reset", "token_revoked", "scim_token_created", "scim_token_revoked" })
            Assert.Contains(action, log);
    }
}

/// <summary>Admin-only reads of the admin console.</summary>
public sealed class AccountAdminPermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        PermissionRule.Only("/api/v1/admin/tokens", "A1"),
        PermissionRule.Only("/api/v1/admin/tokens?employee_id=E1", "A1"),
        PermissionRule.Only("/api/v1/admin/scim-tokens", "A1"),
        PermissionRule.Only("/api/v1/admin/sso", "A1"),
    ];
}
