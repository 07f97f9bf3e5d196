using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Data;
using Trellis.Growth;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Growth;

public sealed class DevelopmentPlanTests
{
    private static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    /// <summary>Evidence for E1, E2 and E3 spread over the last ten months, so that each month's as-of estimate differs.</summary>
    private static Task SeedEvidenceAsync(TrellisApp app) => app.WithDbAsync(async db =>
    {
        var n = 0;
        foreach (var subject in new[] { "E1", "E2", "E3" })
            foreach (var rater in new[] { "M1", "M2", "H1", "C1", "X1" })
                foreach (var behavior in Behaviors)
                {
                    n++;
                    db.Observations.Add(new Observation
                    {
                        Id = $"P{n}", SubjectId = subject, RaterId = rater, Relationship = "other", Behavior = behavior,
                        Rating = 1 + n * 7 / 10 % 5, ObservedOn = Today.AddDays(-(n * 7 % 300)), ReleasedAt = DateTimeOffset.UtcNow,
                    });
                }
        await db.SaveChangesAsync();
    });

    private static object Plan(string employee, params string[] behaviors) => new
    {
        employee_id = employee, behaviors,
        actions = behaviors.Select((b, i) => new { behavior = b, text = $"Practise {b} in the weekly review", due_on = Iso(Today.AddDays(14 + i)) }).ToArray(),
    };

    private static async Task<int> CreatedAsync(HttpClient c, object body)
    {
        var r = await c.PostAsJsonAsync("/api/v1/development-plans", body);
        await AssertStatusAsync(HttpStatusCode.Created, r);
        Assert.StartsWith("/api/v1/development-plans/", r.Headers.Location?.OriginalString);
        return (await JsonAsync(r)).GetProperty("id").GetInt32();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Plans_are_seen_by_the_person_their_managers_and_hr_never_the_committee_or_the_admin_role(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        // Xavi, outside Eli's line, sits on the committee of a cycle in which Eli is a candidate: that opens Eli's growth
        // page to him, never his development plans. (Cora, also a committee member, is at the top of Eli's line: she sees them as his manager.)
        await app.WithDbAsync(async db =>
        {
            var xavi = await db.Accounts.SingleAsync(a => a.EmployeeId == "X1");
            xavi.Roles = "employee committee";
            await db.SaveChangesAsync();
        });
        var c = await ClientsAsync(app, Everyone);
        await CycleAsync(c["H1"], "p1", committee: ["X1"]);
        await NominatedAsync(c["M2"], "p1", "E1", "e3");
        Assert.Equal(HttpStatusCode.OK, (await c["X1"].GetAsync("/api/v1/employees/E1/evidence")).StatusCode);

        var id = await CreatedAsync(c["E1"], Plan("E1", "asks-why", "grows-others"));
        foreach (var who in new[] { "E1", "M2", "M1", "C1", "H1" })
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync($"/api/v1/development-plans/{id}"), who);
        foreach (var who in new[] { "X1", "A1", "E2", "E3" })
        {
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/development-plans/{id}"), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { comment = "hello" }), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/development-plans?employee_id=E1"), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PostAsJsonAsync("/api/v1/development-plans", Plan("E1", "asks-why")), who);
        }
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await app.AnonymousClient().GetAsync($"/api/v1/development-plans/{id}"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/development-plans/4242"));

        // A manager starts one for a report too; lists follow the same scope.
        var byManager = await CreatedAsync(c["M2"], Plan("E2", "follows-through"));
        int[] Ids(JsonElement list) => list.EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).Order().ToArray();
        Assert.Equal([id, byManager], Ids(await JsonAsync(await c["M1"].GetAsync("/api/v1/development-plans"))));
        Assert.Equal([id, byManager], Ids(await JsonAsync(await c["H1"].GetAsync("/api/v1/development-plans"))));
        Assert.Equal([id], Ids(await JsonAsync(await c["E1"].GetAsync("/api/v1/development-plans"))));
        Assert.Empty(Ids(await JsonAsync(await c["X1"].GetAsync("/api/v1/development-plans"))));
        Assert.Empty(Ids(await JsonAsync(await c["A1"].GetAsync("/api/v1/development-plans"))));
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "development_plan.read" && a.ActorEmployeeId == "M2" && a.SubjectEmployeeId == "E1")));

        // Validation: one to three known behaviours, each with a dated action.
        var tooMany = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", Plan("E1", "asks-why", "grows-others", "shares-credit", "follows-through"));
        await AssertStatusAsync(HttpStatusCode.BadRequest, tooMany);
        Assert.True((await JsonAsync(tooMany)).GetProperty("errors").TryGetProperty("behaviors", out _));
        var undated = await c["E1"].PostAsJsonAsync("/api/v1/development-plans",
            new { employee_id = "E1", behaviors = new[] { "asks-why" }, actions = new[] { new { behavior = "asks-why", text = "Ask why twice", due_on = (string?)null } } });
        await AssertStatusAsync(HttpStatusCode.BadRequest, undated);
        Assert.True((await JsonAsync(undated)).GetProperty("errors").TryGetProperty("actions[0].due_on", out _));

        // The manager comments, Eli marks an action done, then closes the plan as met; a closed plan takes no more changes.
        var plan = await JsonAsync(await c["E1"].GetAsync($"/api/v1/development-plans/{id}"));
        var action = plan.GetProperty("actions")[0].GetProperty("id").GetInt32();
        await AssertStatusAsync(HttpStatusCode.OK, await c["M2"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { comment = "Good progress in the design review." }));
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { actions = new[] { new { id = action, done = true } } }));
        var closed = await c["E1"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { status = "met", closing_note = "The team says so." });
        await AssertStatusAsync(HttpStatusCode.OK, closed);
        var after = await JsonAsync(closed);
        Assert.Equal("met", after.GetProperty("status").GetString());
        Assert.Equal(Iso(Today), after.GetProperty("closed_on").GetString());
        Assert.Equal("Milo Manager", after.GetProperty("comments")[0].GetProperty("author_name").GetString());
        Assert.Equal(Iso(Today), after.GetProperty("actions").EnumerateArray().First(a => a.GetProperty("id").GetInt32() == action).GetProperty("done_on").GetString());
        await AssertStatusAsync(HttpStatusCode.Conflict, await c["E1"].PutAsJsonAsync($"/api/v1/development-plans/{id}", new { status = "dropped" }));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await c["M2"].PutAsJsonAsync($"/api/v1/development-plans/{byManager}", new { status = "finished" }), "unknown status");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_deep_and_wide_line_is_listed_from_the_org_snapshot_leavers_included_without_walking_it_in_the_database(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // Below Ezra (in Mira's line): a chain of ten managers, a leaver at its foot, and 2,100 people under the last
        // manager (more than a list query takes as parameters). Walking this line in the database took a query per level.
        await app.WithDbAsync(async db =>
        {
            var hired = new DateOnly(2020, 1, 6);
            Employee Person(string id, string manager, string status = EmployeeStatus.Active) => new()
            {
                Id = id, Name = $"Person {id}", Email = $"{id.ToLowerInvariant()}@example.test", ManagerId = manager, Department = "Engineering",
                Location = "Lisbon", Title = "Engineer", Track = "expert", Level = "e2", HireDate = hired, LevelSince = hired, Status = status,
            };
            await BulkCopy.InsertAsync(db, [
                .. Enumerable.Range(1, 10).Select(i => Person($"D{i:D2}", i == 1 ? "E3" : $"D{i - 1:D2}")),
                Person("D11", "D10", EmployeeStatus.Left),
                .. Enumerable.Range(0, 2_100).Select(i => Person($"L{i:D5}", "D10")),
            ]);
            foreach (var who in new[] { "E1", "D11", "L00042", "X1" })
                db.Set<DevelopmentPlan>().Add(new DevelopmentPlan
                {
                    EmployeeId = who, CreatedById = who, Behaviors = "asks-why", StartedOn = Today, CreatedAt = DateTimeOffset.UtcNow,
                    Actions = [new DevelopmentPlanAction { Behavior = "asks-why", Text = "Ask why twice", DueOn = Today.AddDays(30) }],
                });
            await db.SaveChangesAsync();
        });
        var hr = await app.ClientForAsync("H1");
        await CycleAsync(hr, "deep");
        var mira = await app.ClientForAsync("M1");
        await NominatedAsync(mira, "deep", "L00042", "e3");

        var log = new SqlLog();
        var (host, client) = await app.LoggedClientAsync(log, "M1");
        await using (host)
        {
            string[] Owners(JsonElement list, string field) => [.. list.EnumerateArray().Select(p => p.GetProperty(field).GetString()!).Order(StringComparer.Ordinal)];
            foreach (var (path, field, expected) in new[]
            {
                ("/api/v1/development-plans", "employee_id", new[] { "D11", "E1", "L00042" }),
                ("/api/v1/cycles/deep/nominations", "employee_id", new[] { "L00042" }),
            })
            {
                var first = await client.GetAsync(path); // warm-up: the snapshot is loaded once for every view after it
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                log.Clear();
                var response = await client.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(expected, Owners(body, field));
                // Besides the sign-in's token lookup, at most the list's own join with the employees: no walk down the line, level by level.
                var walk = log.On("employees").Where(sql => !sql.Contains("api_tokens", StringComparison.Ordinal)).ToList();
                Assert.True(walk.Count <= 1, $"{path}: {walk.Count} statements on employees:\n{string.Join("\n", walk)}");
            }
        }
        // The small line of Milo (two people) is still a filter in the query, and sees only its own.
        var milo = await app.ClientForAsync("M2");
        Assert.Equal(["E1"], (await JsonAsync(await milo.GetAsync("/api/v1/development-plans"))).EnumerateArray().Select(p => p.GetProperty("employee_id").GetString()!).ToArray());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Watchers_are_asked_through_one_feedback_request_on_exactly_the_plans_behaviours(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, "E1", "E2", "E3");
        var body = new
        {
            employee_id = "E1", behaviors = new[] { "asks-why", "grows-others" }, watchers = new[] { "E2", "E3" },
            actions = new[] { new { behavior = "asks-why", text = "Ask why in planning", due_on = Iso(Today.AddDays(7)) }, new { behavior = "grows-others", text = "Pair with a junior", due_on = Iso(Today.AddDays(21)) } },
        };
        var r = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", body);
        await AssertStatusAsync(HttpStatusCode.Created, r);
        var requestId = (await JsonAsync(r)).GetProperty("feedback_request_id").GetString();
        Assert.NotNull(requestId);
        foreach (var watcher in new[] { "E2", "E3" })
        {
            var inbox = (await JsonAsync(await c[watcher].GetAsync("/api/v1/feedback-requests/inbox"))).EnumerateArray().Single();
            Assert.Equal(requestId, inbox.GetProperty("request_id").GetString());
            Assert.Equal(["asks-why", "grows-others"], inbox.GetProperty("behaviors").EnumerateArray().Select(b => b.GetProperty("key").GetString()));
        }
        // A watcher who cannot be asked stops the whole plan: nothing half-made.
        var bad = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", new { body.employee_id, body.behaviors, body.actions, watchers = new[] { "NOPE" } });
        await AssertStatusAsync(HttpStatusCode.BadRequest, bad);
        Assert.True((await JsonAsync(bad)).GetProperty("errors").TryGetProperty("watchers", out _));
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<DevelopmentPlan>().CountAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_series_is_monthly_from_six_months_before_the_start_and_equals_readiness_as_of_each_date(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, "M2", "E1");
        var id = await CreatedAsync(c["M2"], Plan("E1", "asks-why", "grows-others"));
        // The plan started three months ago.
        var start = Today.AddMonths(-3);
        await app.WithDbAsync(async db =>
        {
            await db.Set<DevelopmentPlan>().Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.StartedOn, start));
        });

        var plan = await JsonAsync(await c["M2"].GetAsync($"/api/v1/development-plans/{id}"));
        Assert.Equal(Iso(start), plan.GetProperty("started_on").GetString());
        var series = plan.GetProperty("series");
        var expectedDates = Enumerable.Range(-6, 10).Select(k => start.AddMonths(k)).Where(d => d <= Today).Append(Today).Distinct().Select(Iso).ToArray();
        Assert.Equal(DevelopmentPlanService.SeriesDates(start, Today).Select(Iso), expectedDates);

        using var scope = app.Services.CreateScope();
        var readiness = scope.ServiceProvider.GetRequiredService<ReadinessService>();
        var moved = false;
        foreach (var behavior in new[] { "asks-why", "grows-others" })
        {
            var points = series.GetProperty(behavior).EnumerateArray().ToArray();
            Assert.Equal(expectedDates, points.Select(p => p.GetProperty("as_of").GetString()));
            foreach (var p in points)
            {
                var report = await readiness.GetAsync("E1", null, DateOnly.Parse(p.GetProperty("as_of").GetString()!));
                var b = report!.Behaviors.Single(x => x.Behavior == behavior);
                Assert.Equal(b.Score, p.GetProperty("score").ValueKind == JsonValueKind.Null ? null : p.GetProperty("score").GetDouble());
                if (b.Ci is [var lo, var hi]) Assert.Equal([lo, hi], p.GetProperty("ci").EnumerateArray().Select(x => x.GetDouble()));
            }
            moved |= points.Select(p => p.GetProperty("score").ToString()).Distinct().Count() > 1;
        }
        Assert.True(moved, "the seeded evidence should move the estimate between months");

        // And equal to `trellis readiness --as-of` itself, at the first point, the start and today.
        foreach (var date in new[] { expectedDates[0], Iso(start), Iso(Today) })
        {
            var (code, json, error) = await RunCliAsync("readiness", "--db", app.Database.Value, "--format", "json", "--as-of", date);
            Assert.True(code == 0, error);
            var e1 = JsonDocument.Parse(json).RootElement.EnumerateArray().Single(e => e.GetProperty("employee_id").GetString() == "E1");
            foreach (var behavior in new[] { "asks-why", "grows-others" })
            {
                var cli = e1.GetProperty("behaviors").EnumerateArray().Single(b => b.GetProperty("behavior").GetString() == behavior);
                var point = series.GetProperty(behavior).EnumerateArray().Single(p => p.GetProperty("as_of").GetString() == date);
                Assert.Equal(cli.GetProperty("score").ToString(), point.GetProperty("score").ToString());
                Assert.Equal(cli.GetProperty("ci").ToString(), point.GetProperty("ci").ToString());
            }
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_sees_what_the_organisation_develops_without_names_and_hides_behaviours_below_the_threshold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, "H1", "M1", "C1", "A1", "E1", "E2", "E3");
        foreach (var who in new[] { "E1", "E2", "E3" }) await CreatedAsync(c[who], Plan(who, "asks-why"));
        await CreatedAsync(c["E1"], Plan("E1", "grows-others"));
        await CreatedAsync(c["E2"], Plan("E2", "grows-others"));

        foreach (var who in new[] { "M1", "C1", "A1", "E1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/development-plans/summary"), who);
        var r = await c["H1"].GetAsync("/api/v1/development-plans/summary");
        await AssertStatusAsync(HttpStatusCode.OK, r);
        var text = await r.Content.ReadAsStringAsync();
        foreach (var name in new[] { "E1", "E2", "E3", "Eli", "Eva", "Ezra" }) Assert.DoesNotContain(name, text);
        var summary = JsonDocument.Parse(text).RootElement;
        Assert.Equal(3, summary.GetProperty("anonymity_threshold").GetInt32());
        var rows = summary.GetProperty("behaviors").EnumerateArray().ToDictionary(b => b.GetProperty("behavior").GetString()!);
        Assert.False(rows["asks-why"].GetProperty("hidden").GetBoolean());
        Assert.Equal(3, rows["asks-why"].GetProperty("people").GetInt32());
        Assert.Equal(3, rows["asks-why"].GetProperty("open").GetInt32());
        var before = rows["asks-why"].GetProperty("before");
        Assert.Equal(3, before.GetProperty("people").GetInt32());
        Assert.Equal(2, before.GetProperty("ci").GetArrayLength());
        Assert.True(rows["grows-others"].GetProperty("hidden").GetBoolean());
        Assert.Equal(JsonValueKind.Null, rows["grows-others"].GetProperty("people").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows["grows-others"].GetProperty("before").ValueKind);
    }

    private static async Task<(int Code, string Out, string Error)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(ReadinessService).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
