using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Security;

/// <summary>
/// The admin role reads no one's feedback, whatever the org chart says; the committee role opens only its cycles'
/// candidates, and concerns only as flags.
/// </summary>
public sealed class AccessScopeTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Attack_an_admin_who_makes_themselves_someones_manager_gains_no_access_and_the_change_is_logged(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var admin = await CookieSession.SignedInAsync(app, "A1");
        var token = await admin.TokenFromAsync("/import");
        // E1 now reports to A1; every other column as before.
        var csv = "employee_id,name,email,manager_id,track,level,hire_date\nE1,Eli Engineer,e1@example.test,A1,expert,e2,2020-01-06\n";
        var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "employees", "employees.csv" },
        };
        var imported = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/import") { Content = form });
        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        Assert.Equal("A1", await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E1").Select(e => e.ManagerId).FirstAsync()));

        var change = await app.WithDbAsync(db => db.AuditLog.SingleAsync(a => a.Action == "manager_changed"));
        Assert.Equal("A1", change.ActorEmployeeId);
        Assert.Equal("E1", change.SubjectEmployeeId);
        Assert.Contains("M2 → A1", change.Detail);

        var bearer = await app.ClientForAsync("A1");
        foreach (var path in new[] { "/api/v1/employees/E1/evidence", "/api/v1/employees/E1/readiness", "/api/v1/team/readiness" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await bearer.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(path)).StatusCode);
        }
        foreach (var page in new[] { "/growth/E1", "/team" })
            Assert.Equal(HttpStatusCode.Forbidden, (await bearer.GetAsync(page)).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.ActorEmployeeId == "A1" && a.SubjectEmployeeId == "E1" && a.Action != "manager_changed")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_manager_change_by_the_command_line_import_is_logged_too(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var path = Path.Combine(Path.GetTempPath(), "trellis-tests", $"employees-{Guid.NewGuid():N}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "employee_id,name,email,manager_id,track,level,hire_date\nE3,Ezra Engineer,e3@example.test,M2,expert,e3,2020-01-06\nX1,Xavi Sales,x1@example.test,,expert,e3,2020-01-06\n");
        try
        {
            var (code, _, stderr) = await CliRunner.RunAsync("import", "--db", app.Database.Value, "--employees", path);
            Assert.True(code == 0, stderr);
        }
        finally { File.Delete(path); }
        var change = await app.WithDbAsync(db => db.AuditLog.SingleAsync(a => a.Action == "manager_changed"));
        Assert.Equal("E3", change.SubjectEmployeeId); // X1 had no manager and still has none
        Assert.Null(change.ActorEmployeeId);
        Assert.Contains("M1 → M2", change.Detail);
        Assert.Contains("command line", change.Detail);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_committee_role_opens_only_the_candidates_of_the_cycles_its_holder_sits_on(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var committee = await app.ClientForAsync("C1");
        // X1 is in no one's line: the committee role alone does not open them.
        foreach (var path in new[] { "/api/v1/employees/X1/readiness", "/api/v1/employees/X1/evidence" })
            Assert.Equal(HttpStatusCode.Forbidden, (await committee.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await committee.GetAsync("/growth/X1")).StatusCode);

        // A cycle that C1 does not sit on changes nothing; one that C1 sits on opens its candidates.
        // (A1, also outside C1's line: a person is nominated in one open cycle at a time.)
        await CycleAsync(hr, "other", committee: ["H1"]);
        await NominatedAsync(hr, "other", "A1", "e5");
        Assert.Equal(HttpStatusCode.Forbidden, (await committee.GetAsync("/api/v1/employees/A1/readiness")).StatusCode);
        await CycleAsync(hr, "spring", committee: ["C1"]);
        await NominatedAsync(hr, "spring", "X1", "e4");
        foreach (var path in new[] { "/api/v1/employees/X1/readiness", "/api/v1/employees/X1/evidence", "/growth/X1" })
            Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync(path)).StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.ActorEmployeeId == "C1" && a.SubjectEmployeeId == "X1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_committee_sees_concerns_only_as_flags_on_its_candidates_and_never_about_themselves(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await app.WithDbAsync(async db =>
        {
            await new Trellis.Accounts.AccountService(db, TimeProvider.System).AddUserAsync("M1", [Trellis.Accounts.Roles.Committee], "second seat on the panel");
        });
        async Task Concern(string who, string category, bool substantiated)
        {
            var r = await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = who, category, substantiated, recorded_on = "2026-03-02" });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }
        await Concern("X1", "conduct", true);
        await Concern("X1", "dishonesty", false);  // not substantiated: never shown
        await Concern("E3", "conduct", true);      // not a candidate
        await Concern("M1", "policy_breach", true); // a candidate who sits on the committee
        await CycleAsync(hr, "spring", committee: ["C1", "M1"]);
        await NominatedAsync(hr, "spring", "X1", "e4");
        await NominatedAsync(hr, "spring", "M1", "l6");

        var c1 = await app.ClientForAsync("C1");
        var m1 = await app.ClientForAsync("M1");
        Assert.Equal(HttpStatusCode.Forbidden, (await c1.GetAsync("/api/v1/concerns")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await c1.GetAsync("/api/v1/concerns?employee_id=X1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await c1.GetAsync("/evidence/concerns")).StatusCode);

        var flags = (await c1.GetFromJsonAsync<JsonElement[]>("/api/v1/concerns/flags?cycle=spring"))!;
        Assert.Equal(["M1 policy_breach 2026-03-02", "X1 conduct 2026-03-02"],
            flags.Select(f => $"{f.GetProperty("employee_id").GetString()} {f.GetProperty("category").GetString()} {f.GetProperty("recorded_on").GetString()}").Order());
        Assert.All(flags, f => Assert.Equal(["category", "employee_id", "employee_name", "recorded_on"], f.EnumerateObject().Select(p => p.Name).Order()));
        var own = await m1.GetFromJsonAsync<JsonElement[]>("/api/v1/concerns/flags?cycle=spring");
        Assert.Equal(["X1"], own!.Select(f => f.GetProperty("employee_id").GetString()));

        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("M2")).GetAsync("/api/v1/concerns/flags?cycle=spring")).StatusCode);
        await CycleAsync(hr, "autumn", committee: ["H1"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await c1.GetAsync("/api/v1/concerns/flags?cycle=autumn")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c1.GetAsync("/api/v1/concerns/flags?cycle=nope")).StatusCode);
        Assert.Equal(2, (await hr.GetFromJsonAsync<JsonElement[]>("/api/v1/concerns/flags?cycle=spring"))!.Length);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "concern_flags.read" && a.ActorEmployeeId == "C1" && a.SubjectEmployeeId == "X1")));
    }
}
