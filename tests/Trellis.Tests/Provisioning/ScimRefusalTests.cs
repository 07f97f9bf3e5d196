using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Import;
using Trellis.Provisioning;
using Trellis.Tests.Import;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Provisioning.ScimKit;

namespace Trellis.Tests.Provisioning;

/// <summary>
/// What SCIM must refuse: an admin's self-elevation through a token they made, filters and paths too large to read,
/// clearing <c>active</c>, writes to read-only or unknown attributes, paging numbers that are not numbers; and what a
/// leaver keeps (nothing) when they come back.
/// </summary>
public sealed class ScimRefusalTests
{
    private static async Task<HttpClient> ScimClientAsync(TrellisApp app, string? createdBy)
    {
        var (_, token) = await app.WithDbAsync(db => new ProvisioningTokens(db, TimeProvider.System).CreateAsync("test", createdBy));
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static async Task<JsonObject> RefusedAsync(HttpClient scim, string method, string path, string? body, int status, string? scimType)
    {
        var (got, error) = await scim.SendAsync(method, path, body);
        Assert.True(got == status, $"{method} {path}: {got} {error}");
        Assert.Equal(Scim.Error, error!["schemas"]![0]!.GetValue<string>());
        Assert.Equal(scimType, error["scimType"]?.GetValue<string>());
        return error;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_provisioning_token_gives_the_admin_who_created_it_no_role(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await app.ClientForAsync("A1");
        var issued = await app.CreateScimTokenAsync("A1", "mine");
        var scim = app.AnonymousClient();
        scim.DefaultRequestHeaders.Authorization = new("Bearer", issued["token"]!.GetValue<string>());

        // Into the HR group at creation, by a PATCH, by a PUT, or by renaming a plain group it is in: all refused.
        var error = await RefusedAsync(scim, "POST", "/scim/v2/Groups", """{"displayName":"trellis-hr","members":[{"value":"A1"},{"value":"E1"}]}""", 403, null);
        Assert.Contains("creator", error["detail"]!.GetValue<string>());
        var (status, hr) = await scim.SendAsync("POST", "/scim/v2/Groups", """{"displayName":"trellis-hr","members":[{"value":"E1"}]}""");
        Assert.Equal(201, status);
        var hrId = hr!["id"]!.GetValue<string>();
        await RefusedAsync(scim, "PATCH", $"/scim/v2/Groups/{hrId}", PatchOps("""{"op":"add","path":"members","value":[{"value":"A1"}]}"""), 403, null);
        await RefusedAsync(scim, "PUT", $"/scim/v2/Groups/{hrId}", """{"displayName":"trellis-hr","members":[{"value":"A1"},{"value":"E1"}]}""", 403, null);
        (status, var plain) = await scim.SendAsync("POST", "/scim/v2/Groups", """{"displayName":"plain","members":[{"value":"A1"}]}""");
        Assert.Equal(201, status);
        await RefusedAsync(scim, "PATCH", $"/scim/v2/Groups/{plain!["id"]}", PatchOps("""{"op":"replace","path":"displayName","value":"trellis-committee"}"""), 403, null);

        // Nothing of the refused requests was written; the refusals are logged with the token's creator.
        Assert.Equal("employee admin", await app.RolesAsync("A1"));
        Assert.Equal("employee hr", await app.RolesAsync("E1"));
        Assert.Equal(["E1"], (await scim.SendAsync("GET", $"/scim/v2/Groups/{hrId}")).Json!["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()).ToList());
        var me = JsonNode.Parse(await admin.GetStringAsync("/api/v1/me"))!;
        Assert.DoesNotContain("hr", me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        var refusals = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "roles_change_refused").ToListAsync());
        Assert.Equal(4, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(("A1", "A1"), (r.ActorEmployeeId, r.SubjectEmployeeId)));

        // Taking a role away from its creator, and giving one through a token from the command line, still work.
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{hrId}", PatchOps("""{"op":"remove","path":"members[value eq \"E1\"]"}"""));
        Assert.Equal(204, status);
        var operatorToken = await ScimClientAsync(app, createdBy: null);
        (status, _) = await operatorToken.SendAsync("PATCH", $"/scim/v2/Groups/{hrId}", PatchOps("""{"op":"add","path":"members","value":[{"value":"A1"}]}"""));
        Assert.Equal(204, status);
        Assert.Equal("employee hr admin", await app.RolesAsync("A1"));
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{hrId}", PatchOps("""{"op":"remove","path":"members[value eq \"A1\"]"}"""));
        Assert.Equal(204, status);
        Assert.Equal("employee admin", await app.RolesAsync("A1"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Filters_and_paths_nested_too_deep_or_too_long_are_refused(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        string Nested(int depth) => new string('(', depth) + "type eq \"work\"" + new string(')', depth);

        // 100 levels is no stack overflow for the old parser, but no identity provider sends it either.
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1",
            PatchOps($$"""{"op":"replace","path":"emails[{{Nested(100).Replace("\"", "\\\"")}}].value","value":"x@example.test"}"""), 400, "invalidPath");
        await RefusedAsync(scim, "GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("emails[" + Nested(100) + "]"), null, 400, "invalidFilter");
        await RefusedAsync(scim, "GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString(string.Join(" or ", Enumerable.Repeat("title pr", 100))), null, 400, "invalidFilter");
        // Within the limits the same shapes work.
        var (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/E1",
            PatchOps($$"""{"op":"replace","path":"emails[{{Nested(20).Replace("\"", "\\\"")}}].value","value":"eli@example.test"}"""));
        Assert.Equal(200, status);
        Assert.Equal("eli@example.test", (await app.EmployeeAsync("E1"))!.Email);
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("emails[" + Nested(20) + "]"));
        Assert.Equal(200, status);
        Assert.Throws<ScimException>(() => ScimFilterParser.Parse("a eq \"" + new string('x', ScimFilterParser.MaxLength) + "\""));
    }

    /// <summary>On the old parser this request overflowed the stack and ended the whole process (so: run it on the new one only).</summary>
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_patch_path_nested_two_hundred_thousand_deep_is_one_refused_request(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        var path = "emails[" + new string('(', 200_000) + "type eq \\\"work\\\"" + new string(')', 200_000) + "].value";
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{path}}","value":"x@example.test"}"""), 400, "invalidPath");
        Assert.Equal(ScimFilterParser.MaxDepth + 1, Enumerable.Range(1, 200).First(depth =>
        {
            try
            {
                ScimFilterParser.Parse(new string('(', depth) + "a pr" + new string(')', depth));
                return false;
            }
            catch (ScimException e) when (e.ScimType == "invalidFilter")
            {
                return true;
            }
        }));
        var (status, _) = await scim.SendAsync("GET", "/scim/v2/Users/E1");
        Assert.Equal(200, status);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Clearing_active_is_refused_and_never_changes_a_status(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"remove","path":"active"}"""), 400, "mutability");
        Assert.Equal(EmployeeStatus.Active, (await app.EmployeeAsync("E1"))!.Status);

        var (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/E2", PatchOps("""{"op":"replace","path":"active","value":false}"""));
        Assert.Equal(200, status);
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E2", PatchOps("""{"op":"remove","path":"active"}"""), 400, "mutability");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E2", PatchOps("""{"op":"replace","path":"active","value":null}"""), 400, "invalidValue");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E2", PatchOps("""{"op":"replace","value":{"active":null}}"""), 400, "invalidValue");
        await RefusedAsync(scim, "PUT", "/scim/v2/Users/E2", """{"userName":"e2@example.test","displayName":"Eva Engineer","active":null}""", 400, "invalidValue");
        Assert.Equal(EmployeeStatus.Left, (await app.EmployeeAsync("E2"))!.Status);
        // A PUT without active leaves the status as it is (attributes a request leaves out keep their value).
        (status, var user) = await scim.SendAsync("PUT", "/scim/v2/Users/E2", """{"userName":"e2@example.test","displayName":"Eva Engineer","title":"Lead"}""");
        Assert.Equal(200, status);
        Assert.False(user!["active"]!.GetValue<bool>());
        Assert.Equal((EmployeeStatus.Left, "Lead"), ((await app.EmployeeAsync("E2"))!.Status, (await app.EmployeeAsync("E2"))!.Title));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Read_only_and_unknown_attributes_and_bad_paging_are_scim_errors(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"replace","path":"id","value":"E9"}"""), 400, "mutability");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"replace","value":{"id":"E9"}}"""), 400, "mutability");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"add","path":"x:y:z","value":"v"}"""), 400, "invalidPath");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"add","path":"urn:example:nope:2.0:User:thing","value":"v"}"""), 400, "invalidPath");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps($$$"""{"op":"replace","value":{"{{{Enterprise}}}":"Platform"}}"""), 400, "invalidValue");
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{Scim.TrellisUser}}","value":"l9"}"""), 400, "invalidValue");
        await RefusedAsync(scim, "PUT", "/scim/v2/Users/E1", $$"""{"userName":"e1@example.test","displayName":"Eli Engineer","{{Scim.TrellisUser}}":"e3"}""", 400, "invalidValue");
        foreach (var query in new[] { "startIndex=99999999999", "count=abc", "startIndex=1.5" })
        {
            await RefusedAsync(scim, "GET", "/scim/v2/Users?" + query, null, 400, "invalidValue");
            await RefusedAsync(scim, "GET", "/scim/v2/Groups?" + query, null, 400, "invalidValue");
        }
        Assert.Equal(0, await app.AuditCountAsync("scim_user"));

        // What identity providers do send still works: the same id again, an extension as an object, a path to it,
        // a standard attribute Trellis does not keep.
        var (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/E1", PatchOps(
            """{"op":"replace","value":{"id":"E1","title":"Staff"}}""",
            $$$"""{"op":"replace","path":"{{{Enterprise}}}","value":{"department":"Platform"}}""",
            """{"op":"add","path":"phoneNumbers[type eq \"work\"].value","value":"+351 000"}"""));
        Assert.Equal(200, status);
        var e1 = (await app.EmployeeAsync("E1"))!;
        Assert.Equal(("Staff", "Platform"), (e1.Title, e1.Department));
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users?startIndex=-3&count=2");
        Assert.Equal(200, status);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_leaver_comes_back_without_their_tokens_password_or_hand_given_roles(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        // H1 holds hr by hand and committee through a SCIM group; E3 and E1 hold tokens and passwords.
        var (status, _) = await scim.SendAsync("POST", "/scim/v2/Groups", """{"displayName":"trellis-committee","members":[{"value":"H1"}]}""");
        Assert.Equal(201, status);
        Assert.Equal("employee hr committee", await app.RolesAsync("H1"));
        var h1 = await app.ClientForAsync("H1");
        var e3 = await app.ClientForAsync("E3");
        var e1 = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.OK, (await h1.GetAsync("/api/v1/me")).StatusCode);

        // Deactivated and brought back by SCIM.
        (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/H1", PatchOps("""{"op":"replace","path":"active","value":false}"""));
        Assert.Equal(200, status);
        (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/H1", PatchOps("""{"op":"replace","path":"active","value":true}"""));
        Assert.Equal(200, status);
        Assert.Equal(EmployeeStatus.Active, (await app.EmployeeAsync("H1"))!.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await h1.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal("employee committee", await app.RolesAsync("H1"));
        var (_, refused) = await CookieSession.TrySignInAsync(app, "H1");
        Assert.NotEqual(HttpStatusCode.Redirect, refused.StatusCode);

        // Deleted by SCIM and created again.
        (status, _) = await scim.SendAsync("DELETE", "/scim/v2/Users/E3");
        Assert.Equal(204, status);
        (status, _) = await scim.SendAsync("POST", "/scim/v2/Users",
            $$$"""{"userName":"e3@example.test","displayName":"Ezra Engineer","emails":[{"value":"e3@example.test"}],"{{{Enterprise}}}":{"employeeNumber":"E3"}}""");
        Assert.Equal(201, status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await e3.GetAsync("/api/v1/me")).StatusCode);

        // Made a leaver by employees.csv and active again by the next one.
        using var files = new ImportFolder();
        const string Header = "employee_id,name,email,manager_id,track,level,hire_date,status\n";
        var report = await app.ImportAsync((ImportFileKind.Employees, files.Write("left.csv", Header + "E1,Eli Engineer,e1@example.test,M2,expert,e2,2020-01-06,left\n")));
        Assert.True(report.Succeeded, string.Join("\n", report.ProblemLines()));
        report = await app.ImportAsync((ImportFileKind.Employees, files.Write("back.csv", Header + "E1,Eli Engineer,e1@example.test,M2,expert,e2,2020-01-06,active\n")));
        Assert.True(report.Succeeded, string.Join("\n", report.ProblemLines()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await e1.GetAsync("/api/v1/me")).StatusCode);

        var accounts = await app.WithDbAsync(db => db.Accounts.AsNoTracking().Where(a => a.EmployeeId == "H1" || a.EmployeeId == "E3" || a.EmployeeId == "E1").ToListAsync());
        Assert.All(accounts, a => Assert.Equal("", a.PasswordHash));
        Assert.Equal(0, await app.WithDbAsync(db => db.ApiTokens.CountAsync(t => t.RevokedAt == null && accounts.Select(a => a.Id).Contains(t.AccountId))));
        var log = await app.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(a => a.SubjectEmployeeId == "H1" || a.SubjectEmployeeId == "E3" || a.SubjectEmployeeId == "E1")
            .Select(a => new { a.SubjectEmployeeId, a.Action, a.ActorEmployeeId }).ToListAsync());
        foreach (var id in new[] { "H1", "E3", "E1" })
        {
            Assert.Contains(log, a => a.SubjectEmployeeId == id && a.Action == "token_revoked");
            Assert.Contains(log, a => a.SubjectEmployeeId == id && a.Action == "password_cleared");
        }
        Assert.Contains(log, a => a.SubjectEmployeeId == "E1" && a.Action == "token_revoked" && a.ActorEmployeeId == "H1"); // the import's actor
        Assert.Contains(log, a => a.SubjectEmployeeId == "H1" && a.Action == "roles_changed");
        // Someone who did not leave keeps everything.
        Assert.Equal("employee manager committee", await app.RolesAsync("C1"));
        await CookieSession.SignedInAsync(app, "E2");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_another_employee_holds_is_refused_on_create_and_update(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await ScimClientAsync(app, null);
        static string User(string id, string email) =>
            $$$"""{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{{id.ToLowerInvariant()}}}-login","displayName":"New {{{id}}}","emails":[{"value":"{{{email}}}","type":"work","primary":true}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"{{{id}}}"}}""";

        // E1's address in another case: sign-in by email would then refuse both accounts.
        var refused = await RefusedAsync(scim, "POST", "/scim/v2/Users", User("N1", "E1@Example.TEST"), 409, "uniqueness");
        Assert.Contains("emails", refused["detail"]!.GetValue<string>());
        Assert.Null(await app.EmployeeAsync("N1"));

        // A new address is fine; moving it onto E2's is not, by PATCH or PUT, and nothing changes.
        var (created, _) = await scim.SendAsync("POST", "/scim/v2/Users", User("N2", "n2@example.test"));
        Assert.Equal(201, created);
        await RefusedAsync(scim, "PATCH", "/scim/v2/Users/N2", PatchOps("""{"op":"replace","path":"emails[type eq \"work\"].value","value":"e2@example.test"}"""), 409, "uniqueness");
        await RefusedAsync(scim, "PUT", "/scim/v2/Users/N2", User("N2", " E2@example.test"), 409, "uniqueness");
        Assert.Equal("n2@example.test", (await app.EmployeeAsync("N2"))!.Email);

        // A request that leaves the stored address as it is, or changes only its case, is not judged again.
        var (renamed, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/N2", PatchOps("""{"op":"replace","path":"displayName","value":"Renamed N2"}"""));
        Assert.Equal(200, renamed);
        var (recased, _) = await scim.SendAsync("PUT", "/scim/v2/Users/N2", User("N2", "N2@example.test"));
        Assert.Equal(200, recased);
    }
}
