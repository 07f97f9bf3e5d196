using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.People;

public sealed class PeopleApiTests
{
    private static string[] Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_directory_lists_active_people_by_name_with_report_counts(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees");
        Assert.Equal(9, page.GetProperty("total").GetInt32());
        Assert.Equal(["A1", "C1", "E1", "E2", "E3", "H1", "M2", "M1", "X1"], Ids(page));
        var m1 = page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "M1");
        Assert.Equal(2, m1.GetProperty("direct_reports").GetInt32());
        Assert.Equal(4, m1.GetProperty("total_reports").GetInt32());
        Assert.Equal("C1", m1.GetProperty("manager_id").GetString());
        Assert.Equal("Cora Committee", m1.GetProperty("manager_name").GetString());
        // The directory carries no sensitive attributes, whoever asks.
        var hr = await (await app.ClientForAsync("H1")).GetStringAsync("/api/v1/employees");
        Assert.DoesNotContain("gender", hr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_directory_searches_filters_and_pages(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("X1");
        async Task<string[]> Query(string query) => Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?" + query));

        Assert.Equal(["E1", "E2", "E3"], await Query("q=ENGINEER"));
        Assert.Equal(["E2"], await Query("q=e2@example"));
        Assert.Equal(["M2"], await Query("q=m2"));
        Assert.Equal(["X1"], await Query("department=Sales"));
        Assert.Equal(["C1", "H1", "M2", "M1"], await Query("track=leader"));
        Assert.Equal(["E2", "E3", "X1"], await Query("level=e3"));
        Assert.Equal(["E1", "E2"], await Query("manager_id=M2"));
        Assert.Equal(["E3"], await Query("manager_id=M1&track=expert&department=Engineering"));
        Assert.Empty(await Query("q=nobody-like-this"));
        // % and _ are searched for, not wildcards.
        Assert.Empty(await Query("q=%25"));
        Assert.Empty(await Query("q=_"));

        var second = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?page=2&page_size=2");
        Assert.Equal(["E1", "E2"], Ids(second));
        Assert.Equal(9, second.GetProperty("total").GetInt32());
        Assert.Equal(2, second.GetProperty("page").GetInt32());
        Assert.Empty(Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?page=6&page_size=2")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_status_filter_shows_leavers_only_when_asked(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E3").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, EmployeeStatus.Left)));
        var client = await app.ClientForAsync("E1");
        Assert.DoesNotContain("E3", Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees")));
        Assert.Equal(["E3"], Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?status=left")));
        Assert.Equal(9, (await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?status=all")).GetProperty("total").GetInt32());
        // A leaver no longer counts in their manager's line.
        var m1 = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/M1");
        Assert.Equal(1, m1.GetProperty("direct_report_count").GetInt32());
        Assert.Equal(3, m1.GetProperty("total_report_count").GetInt32());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Bad_paging_and_filters_are_400_with_field_errors(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        var response = await client.GetAsync("/api/v1/employees?page=0&page_size=201&status=gone");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("201", errors.GetProperty("page_size")[0].GetString());
        Assert.Contains("page must be 1 or more", errors.GetProperty("page")[0].GetString());
        Assert.Contains("'gone'", errors.GetProperty("status")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/employees?page_size=200")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_profile_has_the_level_manager_chain_and_direct_reports(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("X1");
        var e1 = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1");
        Assert.Equal("Eli Engineer", e1.GetProperty("name").GetString());
        Assert.Equal("expert", e1.GetProperty("track").GetString());
        Assert.Equal("e2", e1.GetProperty("level").GetString());
        Assert.Equal(2, e1.GetProperty("band").GetInt32());
        Assert.False(string.IsNullOrEmpty(e1.GetProperty("level_name").GetString()));
        Assert.Equal("2020-01-06", e1.GetProperty("level_since").GetString());
        Assert.Equal("2020-01-06", e1.GetProperty("hire_date").GetString());
        Assert.Equal(["M2", "M1", "C1"], e1.GetProperty("manager_chain").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Empty(e1.GetProperty("direct_reports").EnumerateArray());
        Assert.False(e1.TryGetProperty("gender", out _));

        var m1 = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/M1");
        Assert.Equal(["E3", "M2"], m1.GetProperty("direct_reports").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(4, m1.GetProperty("total_report_count").GetInt32());

        var missing = await client.GetAsync("/api/v1/employees/NOPE");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("'NOPE'", problem.GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Gender_reaches_only_hr_and_admins_and_their_reads_are_audited(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var viewer in new[] { "E1", "M2", "M1", "C1", "X1" })
        {
            var profile = await (await app.ClientForAsync(viewer)).GetFromJsonAsync<JsonElement>("/api/v1/employees/E1");
            Assert.False(profile.TryGetProperty("gender", out _), $"{viewer} must not see gender");
        }
        // Reads only: accounts and tokens created are logged too, and are not what this test is about.
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action.StartsWith("read_"))));

        var hr = await app.ClientForAsync("H1");
        Assert.Equal("m", (await hr.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1")).GetProperty("gender").GetString());
        Assert.Equal("f", (await (await app.ClientForAsync("A1")).GetFromJsonAsync<JsonElement>("/api/v1/employees/E2")).GetProperty("gender").GetString());
        Assert.Equal("f", (await hr.GetFromJsonAsync<JsonElement>("/api/v1/employees/H1")).GetProperty("gender").GetString());

        var log = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action.StartsWith("read_")).OrderBy(a => a.Id)
            .Select(a => new { a.ActorEmployeeId, a.SubjectEmployeeId, a.Action }).ToListAsync());
        // Reading one's own record is not audited.
        Assert.Equal([("H1", "E1"), ("A1", "E2")], log.Select(l => (l.ActorEmployeeId, l.SubjectEmployeeId)));
        Assert.All(log, l => Assert.Equal("read_sensitive_attributes", l.Action));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_org_chart_opens_level_by_level_largest_lines_first(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        var top = await client.GetFromJsonAsync<JsonElement>("/api/v1/org/nodes");
        Assert.Equal(["C1", "A1", "H1", "X1"], Ids(top));
        Assert.Equal(JsonValueKind.Null, top.GetProperty("parent_id").ValueKind);
        var c1 = top.GetProperty("items")[0];
        Assert.Equal((1, 5), (c1.GetProperty("direct_reports").GetInt32(), c1.GetProperty("total_reports").GetInt32()));

        var underM1 = await client.GetFromJsonAsync<JsonElement>("/api/v1/org/nodes?parent_id=M1");
        Assert.Equal(["M2", "E3"], Ids(underM1));
        var paged = await client.GetFromJsonAsync<JsonElement>("/api/v1/org/nodes?parent_id=M1&page=2&page_size=1");
        Assert.Equal(["E3"], Ids(paged));
        Assert.Equal(2, paged.GetProperty("total").GetInt32());

        var path = await client.GetFromJsonAsync<JsonElement>("/api/v1/org/path/E1");
        Assert.Equal(["C1", "M1", "M2", "E1"], path.GetProperty("path").EnumerateArray().Select(n => n.GetProperty("id").GetString()));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/org/nodes?parent_id=NOPE")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/org/path/NOPE")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/org/nodes?page_size=500")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_cached_structure_follows_every_write_to_employees_at_once(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        async Task<int> Reports(string id) => (await client.GetFromJsonAsync<JsonElement>($"/api/v1/employees/{id}")).GetProperty("total_report_count").GetInt32();
        Assert.Equal(2, await Reports("M2"));

        // A hire through EF Core.
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Employee { Id = "E9", Name = "Nia New", Email = "e9@example.test", ManagerId = "E1", Track = "expert", Level = "e1", HireDate = new(2025, 1, 1) });
            await db.SaveChangesAsync();
        });
        Assert.Equal(3, await Reports("M2"));

        // A move in bulk (no tracked entity, nobody invalidates the snapshot): the same count of people and the same
        // highest id, which is all the snapshot used to compare.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E9").ExecuteUpdateAsync(s => s.SetProperty(e => e.ManagerId, "X1")));
        Assert.Equal(2, await Reports("M2"));
        Assert.Equal(1, await Reports("X1"));

        // A rename and a leaver written by someone else entirely (another process, another web node): plain SQL on a
        // connection of its own.
        async Task ElsewhereAsync(string sql)
        {
            await using var other = app.Database.Selection.CreateContext();
            var connection = other.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await ElsewhereAsync("UPDATE employees SET name = 'Nia Renamed' WHERE id = 'E9'");
        Assert.Equal(["E9"], Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?q=renamed")));
        await ElsewhereAsync("UPDATE employees SET status = 'left' WHERE id = 'E9'");
        Assert.Equal(0, await Reports("X1"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_kind_of_write_to_a_counted_table_raises_its_revision_through_the_migrated_triggers(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // The triggers exist after every migration (a later migration that rebuilds a table on SQLite would drop them).
        var triggers = await app.WithDbAsync(db => provider == Provider.Sqlite
            ? db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger'").ToListAsync()
            : db.Database.SqlQueryRaw<string>("SELECT tgname::text AS \"Value\" FROM pg_trigger WHERE NOT tgisinternal").ToListAsync());
        foreach (var table in TableRevision.Tables)
            foreach (var trigger in provider == Provider.Sqlite ? TableRevision.SqliteTriggers(table) : [TableRevision.PostgresTrigger(table)])
                Assert.Contains(trigger, triggers);

        async Task<long> Revision(string table) => await app.WithDbAsync(db => TableRevision.ReadAsync(db, table));
        async Task Raised(string table, string sql)
        {
            var before = await Revision(table);
            var others = await app.WithDbAsync(db => TableRevision.ReadAllAsync(db));
            await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));
            Assert.True(await Revision(table) > before, sql);
            // Only that table's counter moved.
            Assert.Equal(others.Split(';').Where(p => !p.StartsWith(table + "=", StringComparison.Ordinal)),
                (await app.WithDbAsync(db => TableRevision.ReadAllAsync(db))).Split(';').Where(p => !p.StartsWith(table + "=", StringComparison.Ordinal)));
        }
        await Raised("employees", "INSERT INTO employees (id, name, email, track, level, hire_date, status) VALUES ('E8', 'Eight', 'e8@example.test', 'expert', 'e1', '2025-01-01', 'active')");
        await Raised("employees", "UPDATE employees SET title = 'Engineer' WHERE id = 'E8'");
        await Raised("employees", "DELETE FROM employees WHERE id = 'E8'");
        await Raised("results", "INSERT INTO results (employee_id, period, period_end, score) VALUES ('E1', '2025-Q9', '2025-12-31', 0.5)");
        await Raised("results", "UPDATE results SET score = 0.7 WHERE employee_id = 'E1' AND period = '2025-Q9'");
        await Raised("results", "DELETE FROM results WHERE employee_id = 'E1' AND period = '2025-Q9'");
        // Other tables do not move any counter.
        var all = await app.WithDbAsync(db => TableRevision.ReadAllAsync(db));
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE evidence_revision SET value = value + 1"));
        Assert.Equal(all, await app.WithDbAsync(db => TableRevision.ReadAllAsync(db)));
    }
}
