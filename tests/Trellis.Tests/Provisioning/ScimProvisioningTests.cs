using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Import;
using Trellis.Provisioning;
using Trellis.Tests.Import;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Provisioning.ScimKit;

namespace Trellis.Tests.Provisioning;

/// <summary>
/// The request sequences Entra ID and Okta document for their SCIM provisioning (create, update, deactivate, reactivate,
/// group push, the validators' filter queries), replayed against Trellis; and the import's checks with the import's words.
/// </summary>
public sealed class ScimProvisioningTests
{
    private const string EntraUser = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
         "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
         "userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.test",
         "active":true,
         "emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.test"}],
         "meta":{"resourceType":"User"},
         "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
         "roles":[],
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"N1","department":"Engineering","manager":{"value":"M2"}}}
        """;

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Entra_id_create_update_deactivate_reactivate_group_push_and_delete(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await app.ScimClientAsync();

        // The validator first asks whether the user exists.
        var (status, list) = await scim.SendAsync("GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.test\""));
        Assert.Equal(200, status);
        Assert.Equal(0, list!["totalResults"]!.GetValue<int>());

        var (created, user) = await scim.SendAsync("POST", "/scim/v2/Users", EntraUser);
        Assert.Equal(201, created);
        Assert.Equal("N1", user!["id"]!.GetValue<string>());
        Assert.Equal("givenName familyName", user["displayName"]!.GetValue<string>());
        Assert.Equal("M2", user[Enterprise]!["manager"]!["value"]!.GetValue<string>());
        var employee = (await app.EmployeeAsync("N1"))!;
        Assert.Equal(("expert", "e1", "active", "Engineering", "Test_User_fd0ea19b@contoso.test"), (employee.Track, employee.Level, employee.Status, employee.Department, employee.Email));
        Assert.Equal("employee", await app.RolesAsync("N1"));

        // A second create of the same person: 409 uniqueness, nothing written.
        var (again, conflict) = await scim.SendAsync("POST", "/scim/v2/Users", EntraUser);
        Assert.Equal(409, again);
        Assert.Equal("uniqueness", conflict!["scimType"]!.GetValue<string>());

        // The validator's queries: another case of userName, externalId, the id.
        (_, list) = await scim.SendAsync("GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"TEST_USER_AB6490EE-1E48-479E-A20B-2D77186B5DD1@CONTOSO.TEST\""));
        Assert.Equal(1, list!["totalResults"]!.GetValue<int>());
        (_, list) = await scim.SendAsync("GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\""));
        Assert.Equal("N1", list!["Resources"]![0]!["id"]!.GetValue<string>());
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users/N1");
        Assert.Equal(200, status);
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users/NOPE");
        Assert.Equal(404, status);

        // Update as Entra ID sends it: capitalised ops, a filtered email path, the manager as a plain string.
        var update = PatchOps(
            """{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updated@contoso.test"}""",
            """{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}""",
            """{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"M1"}""",
            """{"op":"Add","path":"title","value":"Engineer"}""",
            """{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Platform","displayName":"Given Updated"}}""");
        (status, user) = await scim.SendAsync("PATCH", "/scim/v2/Users/N1", update);
        Assert.Equal(200, status);
        employee = (await app.EmployeeAsync("N1"))!;
        Assert.Equal(("updated@contoso.test", "M1", "Engineer", "Platform", "Given Updated"), (employee.Email, employee.ManagerId, employee.Title, employee.Department, employee.Name));
        Assert.Equal("updatedFamilyName", user!["name"]!["familyName"]!.GetValue<string>());

        // The same PATCH again writes nothing (no audit entry either).
        var audits = await app.AuditCountAsync();
        (status, _) = await scim.SendAsync("PATCH", "/scim/v2/Users/N1", update);
        Assert.Equal(200, status);
        Assert.Equal(audits, await app.AuditCountAsync());

        // Deactivate and reactivate with Entra ID's string booleans.
        (status, user) = await scim.SendAsync("PATCH", "/scim/v2/Users/N1", PatchOps("""{"op":"Replace","path":"active","value":"False"}"""));
        Assert.Equal(200, status);
        Assert.False(user!["active"]!.GetValue<bool>());
        Assert.Equal(EmployeeStatus.Left, (await app.EmployeeAsync("N1"))!.Status);
        (_, user) = await scim.SendAsync("PATCH", "/scim/v2/Users/N1", PatchOps("""{"op":"Replace","path":"active","value":"True"}"""));
        Assert.True(user!["active"]!.GetValue<bool>());
        Assert.Equal(EmployeeStatus.Active, (await app.EmployeeAsync("N1"))!.Status);

        // Group push: create the group, add a member, remove it; the mapped role follows.
        (_, list) = await scim.SendAsync("GET", "/scim/v2/Groups?excludedAttributes=members&filter=" + Uri.EscapeDataString("displayName eq \"trellis-hr\""));
        Assert.Equal(0, list!["totalResults"]!.GetValue<int>());
        var (groupCreated, group) = await scim.SendAsync("POST", "/scim/v2/Groups",
            """{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"trellis-hr","meta":{"resourceType":"Group"}}""");
        Assert.Equal(201, groupCreated);
        var groupId = group!["id"]!.GetValue<string>();
        var addMember = PatchOps("""{"op":"Add","path":"members","value":[{"$ref":null,"value":"N1"}]}""");
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{groupId}", addMember);
        Assert.Equal(204, status);
        Assert.Equal("employee hr", await app.RolesAsync("N1"));
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{groupId}", addMember);
        Assert.Equal(204, status);
        (_, group) = await scim.SendAsync("GET", $"/scim/v2/Groups/{groupId}");
        Assert.Equal("N1", group!["members"]!.AsArray().Single()!["value"]!.GetValue<string>());
        (_, user) = await scim.SendAsync("GET", "/scim/v2/Users/N1");
        Assert.Equal("trellis-hr", user!["groups"]![0]!["display"]!.GetValue<string>());
        (_, list) = await scim.SendAsync("GET", "/scim/v2/Groups?excludedAttributes=members&filter=" + Uri.EscapeDataString("displayName eq \"trellis-hr\""));
        Assert.False(list!["Resources"]![0]!.AsObject().ContainsKey("members"));
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{groupId}", PatchOps("""{"op":"Remove","path":"members","value":[{"value":"N1"}]}"""));
        Assert.Equal(204, status);
        Assert.Equal("employee", await app.RolesAsync("N1"));

        // Delete: the employee stays with their history, as a leaver, and SCIM no longer knows them.
        await app.WithDbAsync(async db =>
        {
            db.Observations.Add(new Observation { Id = "O-N1", SubjectId = "N1", RaterId = "E1", Relationship = "peer", Behavior = "asks-why", Rating = 4, ObservedOn = new(2026, 1, 5) });
            await db.SaveChangesAsync();
        });
        (status, _) = await scim.SendAsync("DELETE", "/scim/v2/Users/N1");
        Assert.Equal(204, status);
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users/N1");
        Assert.Equal(404, status);
        (status, _) = await scim.SendAsync("DELETE", "/scim/v2/Users/N1");
        Assert.Equal(404, status);
        Assert.Equal(EmployeeStatus.Left, (await app.EmployeeAsync("N1"))!.Status);
        Assert.True(await app.WithDbAsync(db => db.Observations.AnyAsync(o => o.Id == "O-N1")));
        // Provisioned again later: the same employee comes back.
        (created, _) = await scim.SendAsync("POST", "/scim/v2/Users", EntraUser);
        Assert.Equal(201, created);
        Assert.Equal(EmployeeStatus.Active, (await app.EmployeeAsync("N1"))!.Status);
        Assert.Contains(await app.WithDbAsync(db => db.AuditLog.Where(a => a.SubjectEmployeeId == "N1").Select(a => a.Action).ToListAsync()),
            a => a == "scim_user_deactivated");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Okta_create_update_deactivate_and_group_push(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await app.ScimClientAsync();
        var (status, list) = await scim.SendAsync("GET", "/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"isabella@okta.test\"") + "&startIndex=1&count=100");
        Assert.Equal(200, status);
        Assert.Equal(0, list!["totalResults"]!.GetValue<int>());

        var oktaUser = """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isabella@okta.test",
             "name":{"givenName":"Isabella","familyName":"Rossi"},
             "emails":[{"primary":true,"value":"isabella@okta.test","type":"work"}],
             "displayName":"Isabella Rossi","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true,
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"N2"},
             "urn:trellis:params:scim:schemas:extension:trellis:2.0:User":{"level":"l3","hireDate":"2025-03-01","location":"Porto"}}
            """;
        var (created, user) = await scim.SendAsync("POST", "/scim/v2/Users", oktaUser);
        Assert.Equal(201, created);
        var employee = (await app.EmployeeAsync("N2"))!;
        Assert.Equal(("leader", "l3", new DateOnly(2025, 3, 1), "Porto", "Isabella Rossi"), (employee.Track, employee.Level, employee.HireDate, employee.Location, employee.Name));

        // Okta updates with PUT of the whole user; what it does not map (track, level) stays.
        var put = """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"N2","userName":"isabella@okta.test",
             "name":{"givenName":"Isabella","familyName":"Rossi-Bianchi"},
             "emails":[{"primary":true,"value":"isabella@okta.test","type":"work"}],
             "displayName":"Isabella Rossi-Bianchi","title":"Lead","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"active":true,
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"N2"}}
            """;
        (status, user) = await scim.SendAsync("PUT", "/scim/v2/Users/N2", put);
        Assert.Equal(200, status);
        Assert.Equal("Isabella Rossi-Bianchi", user!["displayName"]!.GetValue<string>());
        Assert.Equal(("Lead", "l3"), ((await app.EmployeeAsync("N2"))!.Title, (await app.EmployeeAsync("N2"))!.Level));

        // Okta deactivates with a PATCH whose value carries the attributes, no path.
        (status, user) = await scim.SendAsync("PATCH", "/scim/v2/Users/N2", PatchOps("""{"op":"replace","value":{"active":false}}"""));
        Assert.Equal(200, status);
        Assert.Equal(EmployeeStatus.Left, (await app.EmployeeAsync("N2"))!.Status);
        (_, user) = await scim.SendAsync("PATCH", "/scim/v2/Users/N2", PatchOps("""{"op":"replace","value":{"active":true}}"""));
        Assert.True(user!["active"]!.GetValue<bool>());

        // Group push: created with members, renamed (Okta repeats the id in the value), a member removed by a filtered path.
        var (groupCreated, group) = await scim.SendAsync("POST", "/scim/v2/Groups",
            """{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"trellis-committee","members":[{"value":"N2","display":"isabella@okta.test"},{"value":"E1"}]}""");
        Assert.Equal(201, groupCreated);
        var id = group!["id"]!.GetValue<string>();
        Assert.Equal("employee committee", await app.RolesAsync("N2"));
        Assert.Equal("employee committee", await app.RolesAsync("E1"));
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{id}", PatchOps($$"""{"op":"remove","path":"members[value eq \"E1\"]"}"""));
        Assert.Equal(204, status);
        Assert.Equal("employee", await app.RolesAsync("E1"));
        (status, _) = await scim.SendAsync("PATCH", $"/scim/v2/Groups/{id}", PatchOps($$$"""{"op":"replace","value":{"id":"{{{id}}}","displayName":"Committee (old)"}}"""));
        Assert.Equal(204, status);
        Assert.Equal("employee", await app.RolesAsync("N2"));
        (status, _) = await scim.SendAsync("PUT", $"/scim/v2/Groups/{id}",
            $$"""{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"{{id}}","displayName":"trellis-admin","members":[{"value":"N2"}]}""");
        Assert.Equal(200, status);
        Assert.Equal("employee admin", await app.RolesAsync("N2"));
        (status, _) = await scim.SendAsync("DELETE", $"/scim/v2/Groups/{id}");
        Assert.Equal(204, status);
        Assert.Equal("employee", await app.RolesAsync("N2"));
        // A role given by hand, for which no group exists, is left alone.
        Assert.Equal("employee hr", await app.RolesAsync("H1"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_import_checks_apply_with_the_import_words(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await app.ScimClientAsync();
        async Task<string> Refused(string method, string path, string body, string scimType = "invalidValue")
        {
            var (status, error) = await scim.SendAsync(method, path, body);
            Assert.True(status == 400, $"{method} {path}: {status} {error}");
            Assert.Equal(scimType, error!["scimType"]!.GetValue<string>());
            return error["detail"]!.GetValue<string>();
        }

        // A manager loop: M1 reporting to E1 (who reports to M2, who reports to M1).
        var loop = await Refused("PATCH", "/scim/v2/Users/M1",
            PatchOps($$$"""{"op":"replace","path":"{{{Enterprise}}}:manager","value":{"value":"E1"}}"""));
        // The import says the same thing about the same change.
        using var files = new ImportFolder();
        var csv = files.Write("employees.csv", "employee_id,name,email,manager_id,track,level,hire_date\nM1,Mira Manager,m1@example.test,E1,leader,l5,2020-01-06\n");
        var report = await app.ImportAsync((ImportFileKind.Employees, csv));
        var importWords = report.Problems.Single(p => p.Column == "manager_id").Message;
        Assert.Equal("manager: " + importWords, loop);
        Assert.Equal("manager: the manager chain loops: E1 → M2 → M1 → E1 (each reports to the next)", loop);

        Assert.Equal("manager: an employee cannot be their own manager",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{Enterprise}}:manager.value","value":"E1"}""")));
        Assert.Equal("manager: unknown employee 'NOPE' (not in the database)",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{Enterprise}}:manager","value":"NOPE"}""")));
        Assert.Equal("level: level 'e2' is on the 'expert' track, not 'leader'",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{Scim.TrellisUser}}:track","value":"leader"}""")));
        Assert.Equal("track: unknown track 'sales'; the framework has expert, leader",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps($$"""{"op":"replace","path":"{{Scim.TrellisUser}}:track","value":"sales"}""")));
        Assert.Equal("emails: 'not-an-email' is not an email address",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"replace","path":"emails[type eq \"work\"].value","value":"not-an-email"}""")));
        Assert.Contains("employeeNumber is required",
            await Refused("POST", "/scim/v2/Users", """{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@b.test"}"""));
        Assert.Contains("cannot change",
            await Refused("PUT", "/scim/v2/Users/E1", $$$"""{"userName":"e1@example.test","{{{Enterprise}}}":{"employeeNumber":"E9"}}""", "mutability"));
        Assert.Contains("op must be add, replace or remove",
            await Refused("PATCH", "/scim/v2/Users/E1", PatchOps("""{"op":"move","path":"title","value":"x"}"""), "invalidSyntax"));
        Assert.Contains("unknown employee 'GHOST'",
            await Refused("POST", "/scim/v2/Groups", """{"displayName":"g","members":[{"value":"GHOST"}]}"""));
        var (status, _) = await scim.SendAsync("POST", "/scim/v2/Users", "{not json");
        Assert.Equal(400, status);

        // Nothing was written by any refused request.
        Assert.Equal("C1", (await app.EmployeeAsync("M1"))!.ManagerId);
        Assert.Equal(("expert", "e2", "e1@example.test"), ((await app.EmployeeAsync("E1"))!.Track, (await app.EmployeeAsync("E1"))!.Level, (await app.EmployeeAsync("E1"))!.Email));
        Assert.Equal(0, await app.AuditCountAsync("scim_user"));
        Assert.Equal(0, await app.AuditCountAsync("scim_group"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Trellis_token_scim_prints_a_working_provisioning_token_alone_on_its_last_line(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (code, stdout, _) = await CliRunner.RunAsync("token", "--scim", "--db", app.Database.Value);
        Assert.Equal(0, code);
        var token = stdout.TrimEnd().Split('\n').Last().Trim();
        Assert.StartsWith(ProvisioningTokens.Prefix, token);
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var (status, _) = await client.SendAsync("GET", "/scim/v2/ServiceProviderConfig");
        Assert.Equal(200, status);
        (code, _, var stderr) = await CliRunner.RunAsync("token", "--scim", "--employee", "E1", "--db", app.Database.Value);
        Assert.Equal(1, code);
        Assert.Contains("belongs to no person", stderr);
    }
}
