using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Admin;

public sealed class AdminApiTests
{
    private static string[] Column(JsonElement page, string field) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(field).GetString()!).ToArray();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Accounts_list_roles_last_sign_in_and_lockout(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var lockedUntil = DateTimeOffset.UtcNow.AddMinutes(10);
        var signedIn = new DateTimeOffset(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);
        await app.WithDbAsync(async db =>
        {
            await db.Accounts.Where(a => a.EmployeeId == "E2").ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, lockedUntil));
            await db.Accounts.Where(a => a.EmployeeId == "M1").ExecuteUpdateAsync(s => s.SetProperty(a => a.LastSignInAt, signedIn));
        });
        var client = await app.ClientForAsync("A1");
        var all = await client.GetFromJsonAsync<JsonElement>("/api/v1/admin/accounts");
        Assert.Equal(9, all.GetProperty("total").GetInt32());
        Assert.Equal(["A1", "C1", "E1", "E2", "E3", "H1", "M1", "M2", "X1"], Column(all, "employee_id"));
        var items = all.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("employee_id").GetString()!);
        Assert.True(items["E2"].GetProperty("locked").GetBoolean());
        Assert.False(items["E1"].GetProperty("locked").GetBoolean());
        Assert.Equal(signedIn, items["M1"].GetProperty("last_sign_in_at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, items["E1"].GetProperty("last_sign_in_at").ValueKind);
        Assert.Equal(["employee", "manager", "committee"], items["C1"].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Cora Committee", items["C1"].GetProperty("name").GetString());
        Assert.Equal(1, items["A1"].GetProperty("active_tokens").GetInt32());

        var hr = await app.ClientForAsync("H1");
        Assert.Equal(["C1", "M1", "M2"], Column(await hr.GetFromJsonAsync<JsonElement>("/api/v1/admin/accounts?role=manager"), "employee_id"));
        Assert.Equal(["H1"], Column(await hr.GetFromJsonAsync<JsonElement>("/api/v1/admin/accounts?q=HANA"), "employee_id"));
        var page = await hr.GetFromJsonAsync<JsonElement>("/api/v1/admin/accounts?page=3&page_size=4");
        Assert.Equal(["X1"], Column(page, "employee_id"));

        var bad = await hr.GetAsync("/api/v1/admin/accounts?role=boss&page_size=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("'boss'", errors.GetProperty("role")[0].GetString());
        Assert.True(errors.TryGetProperty("page_size", out _));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_audit_log_filters_by_actor_subject_action_and_date_newest_first(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        DateTimeOffset At(int day, int hour = 12) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);
        var client = await app.ClientForAsync("H1");
        await app.WithDbAsync(async db =>
        {
            // Only this test's entries: the seed and the token above are logged too (accounts and tokens created).
            await db.AuditLog.ExecuteDeleteAsync();
            db.AuditLog.AddRange(
                new AuditLogEntry { At = At(1), ActorEmployeeId = "H1", Action = "read_readiness", SubjectEmployeeId = "E1" },
                new AuditLogEntry { At = At(2), ActorEmployeeId = "M2", Action = "read_evidence", SubjectEmployeeId = "E1", Detail = "observations" },
                new AuditLogEntry { At = At(3, 0), ActorEmployeeId = "H1", Action = "read_concerns", SubjectEmployeeId = "E2" },
                new AuditLogEntry { At = At(3, 23), ActorEmployeeId = "C1", Action = "read_readiness", SubjectEmployeeId = "E3" },
                new AuditLogEntry { At = At(5), ActorEmployeeId = "H1", Action = "read_readiness", SubjectEmployeeId = "E3" });
            await db.SaveChangesAsync();
        });
        async Task<string[]> Subjects(string query) =>
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/audit-log?" + query)).GetProperty("items").EnumerateArray()
                .Select(i => $"{i.GetProperty("actor_id").GetString()}>{i.GetProperty("subject_id").GetString()}").ToArray();

        Assert.Equal(["H1>E3", "C1>E3", "H1>E2", "M2>E1", "H1>E1"], await Subjects(""));
        Assert.Equal(["H1>E3", "H1>E2", "H1>E1"], await Subjects("actor=H1"));
        Assert.Equal(["M2>E1", "H1>E1"], await Subjects("subject=E1"));
        Assert.Equal(["H1>E3", "C1>E3", "H1>E1"], await Subjects("action=read_readiness"));
        // Dates are inclusive whole UTC days.
        Assert.Equal(["C1>E3", "H1>E2", "M2>E1"], await Subjects("from=2026-03-02&to=2026-03-03"));
        Assert.Equal(["H1>E2"], await Subjects("page=3&page_size=1"));

        var first = (await client.GetFromJsonAsync<JsonElement>("/api/v1/audit-log?subject=E1&actor=M2")).GetProperty("items")[0];
        Assert.Equal("Milo Manager", first.GetProperty("actor_name").GetString());
        Assert.Equal("Eli Engineer", first.GetProperty("subject_name").GetString());
        Assert.Equal("observations", first.GetProperty("detail").GetString());
        Assert.Equal(At(2), first.GetProperty("at").GetDateTimeOffset());

        var bad = await client.GetAsync("/api/v1/audit-log?from=2026-03-05&to=2026-03-01");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("before", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("to")[0].GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_admin_pages_show_accounts_and_audit_entries(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            db.AuditLog.Add(new AuditLogEntry { At = DateTimeOffset.UtcNow, ActorEmployeeId = "H1", Action = "read_concerns", SubjectEmployeeId = "E2" });
            await db.SaveChangesAsync();
        });
        var client = await app.ClientForAsync("H1");
        var accounts = await client.GetStringAsync("/admin?role=committee");
        Assert.Contains("Cora Committee", accounts);
        Assert.DoesNotContain("Eli Engineer", accounts);
        var log = await client.GetStringAsync("/admin/audit-log?subject=E2");
        Assert.Contains("read_concerns", log);
        Assert.Contains("Eva Engineer", log);
        var bad = await client.GetAsync("/admin/audit-log?from=not-a-date");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("is not a date", await bad.Content.ReadAsStringAsync());
    }
}
