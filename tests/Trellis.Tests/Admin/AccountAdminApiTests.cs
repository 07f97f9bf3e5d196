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
        var scim = await app.CreateScimTokenAsync("A1", "Entra ID");
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

public sealed class AccountAdminSessionTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_admin_cannot_give_themselves_a_role_but_another_admin_can_and_dropping_ones_own_extra_role_works(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, seed: true);
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Trellis.Data.Employee { Id = "N8", Name = "Noa Second", Email = "n8@example.test", Track = "expert", Level = "e2", HireDate = new(2026, 1, 5) });
            await db.SaveChangesAsync();
        });
        var admin = await app.ClientForAsync("A1");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/admin/accounts", new { employee_id = "N8", roles = new[] { "admin" } })).StatusCode);
        string RolesOf(string id) => app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == id).Select(a => a.Roles).SingleAsync()).GetAwaiter().GetResult();
        var before = RolesOf("A1");

        // HR would open the evidence and readiness the admin role is kept from: refused, and nothing changes.
        foreach (var grab in new[] { "hr", "committee", "manager" })
        {
            var refused = await admin.PutAsJsonAsync("/api/v1/admin/accounts/A1/roles", new { roles = new[] { "admin", grab } });
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains(grab, await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(before, RolesOf("A1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/v1/employees/E1/readiness")).StatusCode);

        // Another admin may grant it (logged), and the admin may then drop it again themselves.
        var second = await app.ClientForAsync("N8");
        Assert.Equal(HttpStatusCode.OK, (await second.PutAsJsonAsync("/api/v1/admin/accounts/A1/roles", new { roles = new[] { "admin", "hr" } })).StatusCode);
        Assert.Contains("hr", RolesOf("A1").Split(' '));
        admin = await app.ClientForAsync("A1");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/admin/accounts/A1/roles", new { roles = new[] { "admin" } })).StatusCode);
        Assert.DoesNotContain("hr", RolesOf("A1").Split(' '));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Disabling_an_account_stops_its_sessions_tokens_and_sign_in_and_enabling_restores_sign_in(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");
        var cookie = await CookieSession.SignedInAsync(app, "E1");
        var bearer = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.OK, (await cookie.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("H1")).PostAsync("/api/v1/admin/accounts/E1/disable", null)).StatusCode);
        var disabled = await admin.PostAsync("/api/v1/admin/accounts/E1/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.True(JsonNode.Parse(await disabled.Content.ReadAsStringAsync())!["disabled"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.Unauthorized, (await cookie.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/v1/me")).StatusCode);
        var (_, refused) = await CookieSession.TrySignInAsync(app, "E1");
        Assert.NotEqual(HttpStatusCode.Redirect, refused.StatusCode);
        // Nothing of the person is touched: still active, evidence kept.
        Assert.Equal("active", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E1").Select(e => e.Status).SingleAsync()));

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/api/v1/admin/accounts/A1/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/admin/accounts/NOPE/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/accounts/E1/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/v1/me")).StatusCode);
        await CookieSession.SignedInAsync(app, "E1");
        var log = await app.WithDbAsync(db => db.AuditLog.Where(a => a.ActorEmployeeId == "A1" && a.SubjectEmployeeId == "E1").Select(a => a.Action).ToListAsync());
        Assert.Contains("account_disabled", log);
        Assert.Contains("account_enabled", log);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_role_change_or_a_password_reset_by_an_admin_ends_the_persons_sessions(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");
        var manager = await CookieSession.SignedInAsync(app, "M2");
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/api/v1/team/readiness")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/admin/accounts/M2/roles", new { roles = Array.Empty<string>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await manager.GetAsync("/api/v1/me")).StatusCode);

        var again = await CookieSession.SignedInAsync(app, "M2");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/accounts/M2/password", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/v1/me")).StatusCode);
        var (_, oldPassword) = await CookieSession.TrySignInAsync(app, "M2");
        Assert.NotEqual(HttpStatusCode.Redirect, oldPassword.StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_admin_console_pages_create_reset_and_disable_and_hr_only_reads_the_list(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Trellis.Data.Employee { Id = "N9", Name = "Nia New", Email = "n9@example.test", Track = "expert", Level = "e1", HireDate = new(2026, 1, 5) });
            await db.SaveChangesAsync();
        });
        var admin = await CookieSession.SignedInAsync(app, "A1");
        var token = await admin.TokenFromAsync("/admin");
        var created = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin?handler=Create")
        {
            Content = new FormUrlEncodedContent([new("employee_id", "N9"), new("roles", "manager"), new("__RequestVerificationToken", token)]),
        });
        var html = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var password = System.Text.RegularExpressions.Regex.Match(html, "<code id=\"new-password\">([^<]+)</code>").Groups[1].Value;
        Assert.True(password.Length >= 12, html);
        Assert.Equal("employee manager", await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "N9").Select(a => a.Roles).SingleAsync()));
        await CookieSession.SignedInAsync(app, "N9", password);

        // The same employee again: the message is on the page, nothing is created twice.
        var twice = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin?handler=Create")
        {
            Content = new FormUrlEncodedContent([new("employee_id", "N9"), new("__RequestVerificationToken", token)]),
        });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("has an account already", await twice.Content.ReadAsStringAsync());

        var manage = await admin.GetAsync("/admin/accounts/N9");
        Assert.Equal(HttpStatusCode.OK, manage.StatusCode);
        token = await admin.TokenFromAsync("/admin/accounts/N9");
        var disabled = await admin.PostFormAsync("/admin/accounts/N9?handler=Disable", [], token);
        Assert.Contains("id=\"disabled\"", await disabled.Content.ReadAsStringAsync());
        Assert.NotNull(await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "N9").Select(a => a.DisabledAt).SingleAsync()));

        // HR reads the list but changes nothing and opens no account's console.
        var hr = await CookieSession.SignedInAsync(app, "H1");
        var list = await (await hr.GetAsync("/admin")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("create-account", list);
        var hrToken = await hr.TokenFromAsync("/account");
        var accounts = await app.WithDbAsync(db => db.Accounts.CountAsync());
        var hrCreate = await hr.PostFormAsync("/admin?handler=Create", new() { ["employee_id"] = "N9" }, hrToken);
        Assert.Contains("/denied", hrCreate.Headers.Location?.OriginalString ?? "");
        Assert.Equal(accounts, await app.WithDbAsync(db => db.Accounts.CountAsync()));
        var hrBearer = await app.ClientForAsync("H1");
        foreach (var page in new[] { "/admin/accounts/N9", "/admin/tokens" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await hrBearer.GetAsync(page)).StatusCode);
            Assert.Contains("/denied", (await hr.GetAsync(page)).Headers.Location?.OriginalString ?? "");
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/accounts/NOPE")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_refused_create_account_form_keeps_the_id_and_roles_and_says_why_in_words(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await CookieSession.SignedInAsync(app, "A1");
        var token = await admin.TokenFromAsync("/admin");
        var accounts = await app.WithDbAsync(db => db.Accounts.CountAsync());

        var unknown = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin?handler=Create")
        {
            Content = new FormUrlEncodedContent([new("employee_id", "E9999"), new("roles", "manager"), new("roles", "hr"), new("__RequestVerificationToken", token)]),
        });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var html = WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync());
        Assert.Contains("no employee with id 'E9999'", html);
        Assert.Contains("<input name=\"employee_id\" value=\"E9999\" required />", html);
        Assert.Contains("value=\"manager\" checked=\"checked\"", html);
        Assert.Contains("value=\"hr\" checked=\"checked\"", html);
        Assert.DoesNotContain("value=\"admin\" checked=\"checked\"", html);
        Assert.Equal(accounts, await app.WithDbAsync(db => db.Accounts.CountAsync()));

        var empty = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/admin?handler=Create")
        {
            Content = new FormUrlEncodedContent([new("employee_id", ""), new("roles", "committee"), new("__RequestVerificationToken", token)]),
        });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        html = WebUtility.HtmlDecode(await empty.Content.ReadAsStringAsync());
        Assert.Contains("Give the employee id of the person the account is for.", html);
        Assert.DoesNotContain("employee_id is required", html);
        Assert.Contains("value=\"committee\" checked=\"checked\"", html);
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
        PermissionRule.Only("/admin/tokens", "A1"),
        PermissionRule.Only("/admin/accounts/E1", "A1"),
    ];
}
