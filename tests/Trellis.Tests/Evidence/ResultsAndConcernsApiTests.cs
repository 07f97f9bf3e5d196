using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class ResultsAndConcernsApiTests
{
    // employee, manager (of E1), committee, hr, admin
    public static TheoryData<Provider> Providers => TrellisApp.Providers;

    [Theory, MemberData(nameof(Providers))]
    public async Task Results_and_concerns_permission_matrix(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var expected = new Dictionary<string, (HttpStatusCode PostResult, HttpStatusCode GetResults, HttpStatusCode PostConcern, HttpStatusCode GetConcerns)>
        {
            ["E2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["M2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["C1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), // HR alone lists concerns
            ["H1"] = (HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK),
            ["A1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
        };
        foreach (var (who, want) in expected)
        {
            var client = await app.ClientForAsync(who);
            var period = $"2025-H{(who == "H1" ? 2 : 1)}";
            Assert.True(want.PostResult == (await client.PostAsJsonAsync("/api/v1/results", new { employee_id = "E1", period, period_end = "2025-12-31", score = 3.5 })).StatusCode, $"{who} POST results");
            Assert.True(want.GetResults == (await client.GetAsync("/api/v1/results?employee_id=E1")).StatusCode, $"{who} GET results");
            Assert.True(want.PostConcern == (await client.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", category = "conduct" })).StatusCode, $"{who} POST concerns");
            Assert.True(want.GetConcerns == (await client.GetAsync("/api/v1/concerns?employee_id=E1")).StatusCode, $"{who} GET concerns");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/v1/concerns")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Concerns.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.Results.CountAsync()));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Results_are_upserted_by_employee_and_period_and_validated(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var created = await hr.PostAsJsonAsync("/api/v1/results", new { employee_id = "E1", period = "2025-H2", period_end = "2025-12-31", score = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var updated = await hr.PostAsJsonAsync("/api/v1/results", new { employee_id = "E1", period = "2025-h2", period_end = "2025-12-31", score = 3.5 });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.False((await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetBoolean());
        var row = await app.WithDbAsync(db => db.Results.AsNoTracking().SingleAsync());
        Assert.Equal(("2025-H2", 3.5), (row.Period, row.Score));

        var bad = await hr.PostAsJsonAsync("/api/v1/results", new { employee_id = "NOPE", period = "2025-H3", score = 6 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["employee_id", "period", "period_end", "score"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Concerns_are_marked_substantiated_and_every_read_is_audited(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var created = await (await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", category = "Conduct", recorded_on = "2026-01-15" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.False(created.GetProperty("substantiated").GetBoolean());
        Assert.Equal("conduct", created.GetProperty("category").GetString());

        var marked = await hr.PostAsJsonAsync($"/api/v1/concerns/{id}/substantiated", new { substantiated = true });
        Assert.True((await marked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("substantiated").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await hr.PostAsJsonAsync("/api/v1/concerns/CON-NONE/substantiated", new { substantiated = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("C1")).PostAsJsonAsync($"/api/v1/concerns/{id}/substantiated", new { substantiated = false })).StatusCode);

        await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E2", category = "integrity" });
        var list = await hr.GetFromJsonAsync<JsonElement>("/api/v1/concerns?employee_id=E1");
        Assert.True(Assert.Single(list.EnumerateArray()).GetProperty("substantiated").GetBoolean());
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "concerns.read" && a.ActorEmployeeId == "H1" && a.SubjectEmployeeId == "E1")));
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "concerns.read" && a.SubjectEmployeeId == "E2")));
        Assert.Equal(2, (await hr.GetFromJsonAsync<JsonElement>("/api/v1/concerns")).GetArrayLength());
        // HR alone lists concerns; the committee sees flags on its cycles' candidates only (Security/AccessScopeTests).
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("C1")).GetAsync("/api/v1/concerns")).StatusCode);

        var invalid = await hr.PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", recorded_on = "2999-01-01" });
        Assert.Equal(["category", "recorded_on"], (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
    }

    /// <summary>
    /// A page of concerns costs the same however many people and concerns there are (issue 12): one query for the rows
    /// (names included) and one multi-row insert for the audit entries of everyone read. A save per person read made HR's
    /// list of 100 concerns 100 commits, most of its time at 100,000 people.
    /// </summary>
    [Theory, MemberData(nameof(Providers))]
    public async Task A_page_of_concerns_is_one_query_and_one_audit_insert_whatever_its_length(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            var hired = new DateOnly(2020, 1, 6);
            await Trellis.Data.BulkCopy.InsertAsync(db, Enumerable.Range(0, 150).Select(i => new Trellis.Data.Employee
            {
                Id = $"K{i:D3}", Name = $"Concerned Person {i:D3}", Email = $"k{i:D3}@example.test", ManagerId = "M1", Department = "Engineering",
                Location = "Lisbon", Title = "Engineer", Track = "expert", Level = "e2", HireDate = hired, LevelSince = hired,
            }));
            await Trellis.Data.BulkCopy.InsertAsync(db, Enumerable.Range(0, 150).Select(i => new Trellis.Data.Concern
            {
                Id = $"CON-{i:D3}", EmployeeId = $"K{i:D3}", Category = "conduct", Substantiated = i % 2 == 0, RecordedOn = new DateOnly(2026, 1, 1).AddDays(i),
            }));
        });
        var log = new SqlLog();
        var (host, hr) = await app.LoggedClientAsync(log, "H1");
        await using (host)
        {
            foreach (var path in new[] { "/api/v1/concerns", "/evidence/concerns" })
            {
                await hr.GetAsync(path); // warm-up: sign-in bookkeeping and first-use loads are not the list's cost
                var auditedBefore = await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "concerns.read"));
                log.Clear();
                var response = await hr.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadAsStringAsync();
                Assert.Single(log.On("concerns"));
                // The audit entries are one multi-row insert (no save per person; the bulk insert bypasses SaveChanges).
                Assert.Equal(0, log.Saves);
                // Still one audit entry per person read, newest first: the 100 most recent of the 150.
                var audited = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "concerns.read").OrderByDescending(a => a.Id).Take(100)
                    .Select(a => a.SubjectEmployeeId).ToListAsync());
                Assert.Equal(auditedBefore + 100, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "concerns.read")));
                Assert.Equal(Enumerable.Range(50, 100).Select(i => $"K{i:D3}").Order(), audited.Order());
                // Written as a save writes them: the actor, the detail, a time that reads back and sorts with the rest.
                var latest = await app.WithDbAsync(db => db.AuditLog.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync());
                Assert.Equal(("H1", "1 concern(s)"), (latest.ActorEmployeeId, latest.Detail));
                Assert.InRange(latest.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
                Assert.Equal(latest.Id, await app.WithDbAsync(db => db.AuditLog.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Select(a => a.Id).FirstAsync()));
                if (path.StartsWith("/api", StringComparison.Ordinal))
                {
                    var rows = JsonDocument.Parse(body).RootElement;
                    Assert.Equal(100, rows.GetArrayLength());
                    Assert.Equal("K149", rows[0].GetProperty("employee_id").GetString());
                    Assert.Equal("Concerned Person 149", rows[0].GetProperty("employee_name").GetString());
                }
                else Assert.Contains("Concerned Person 149 (K149)", body);
            }
        }
    }
}
