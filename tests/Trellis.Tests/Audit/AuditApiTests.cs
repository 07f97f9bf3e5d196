using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Audit;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Audit;

/// <summary>
/// The audit through the API, the CLI and the dashboard over a synthetic history. Values scores come from the
/// readiness service: these tests hold whether it answers nothing yet (drivers skipped, with a reason) or real scores.
/// </summary>
public sealed class AuditApiTests
{
    private static async Task<TrellisApp> StartWithHistoryAsync(Provider provider)
    {
        var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => SyntheticHistory.SeedAsync(db, new SyntheticHistory.Shape(People: 600, Cycles: 3, Observations: 6000)));
        return app;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_hr_and_admin_may_read_the_audit(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var (who, status) in new[] { ("H1", HttpStatusCode.OK), ("A1", HttpStatusCode.OK), ("C1", HttpStatusCode.Forbidden), ("M1", HttpStatusCode.Forbidden), ("E1", HttpStatusCode.Forbidden) })
        {
            var client = await app.ClientForAsync(who);
            var response = await client.GetAsync("/api/v1/audit");
            Assert.True(status == response.StatusCode, $"{who}: {response.StatusCode}");
            if (status != HttpStatusCode.OK) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(status, (await client.GetAsync("/audit/download/flags.csv")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/v1/audit")).StatusCode);
        var hr = await app.ClientForAsync("H1");
        var unknown = await hr.GetAsync("/api/v1/audit?cycle=nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync("/audit/download/secrets.csv")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_api_returns_the_contract_object_with_the_history_in_it(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var json = JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement;
        Assert.Equal(["as_of", "cycles", "drivers", "say_do_index", "flags", "span_of_control", "groups"], json.EnumerateObject().Select(p => p.Name).Take(7));
        var cycles = json.GetProperty("cycles").EnumerateArray().ToList();
        Assert.Equal(3, cycles.Count);
        Assert.All(cycles, c => Assert.Equal(60, c.GetProperty("candidates").GetInt32()));
        var expected = await app.WithDbAsync(db => Task.FromResult(db.Promotions.Count(p => p.Outcome == "promoted")));
        Assert.Equal(expected, cycles.Sum(c => c.GetProperty("promoted").GetInt32()));

        var drivers = json.GetProperty("drivers");
        if (drivers.GetProperty("results").ValueKind == JsonValueKind.Null)
        {
            // No values scores yet (the readiness service answers nothing): said so, no numbers invented.
            Assert.Equal("skipped", drivers.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(drivers.GetProperty("reason").GetString()));
            Assert.Equal(JsonValueKind.Null, json.GetProperty("say_do_index").ValueKind);
        }
        else
        {
            // The synthetic organisation promotes on results far more than on values.
            Assert.True(drivers.GetProperty("results").GetProperty("odds_ratio").GetDouble() > 2);
            Assert.InRange(json.GetProperty("say_do_index").GetDouble(), 0, 0.5);
        }

        // Manager S000001 has every seventh person: far over the sample framework's limit of 12.
        var span = json.GetProperty("span_of_control").EnumerateArray().First();
        Assert.Equal("S000001", span.GetProperty("manager_id").GetString());
        Assert.Equal(12, span.GetProperty("limit").GetInt32());
        Assert.True(span.GetProperty("direct_reports").GetInt32() > 12);
        Assert.Contains(json.GetProperty("flags").EnumerateArray(), f => f.GetProperty("reason").GetString() == "substantiated_concern");
        Assert.Contains(SyntheticHistory.UnrecognisedValue, json.GetProperty("recognition").GetProperty("unrecognised").EnumerateArray().Select(v => v.GetString()));
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Contains(groups, g => g.GetProperty("attribute").GetString() == "gender" && g.GetProperty("group").GetString() == "f");
        Assert.All(groups, g => Assert.True(g.GetProperty("candidates").GetInt32() >= 3));

        // The flags paged when asked: the same object with one page of them, their count in a header.
        var flags = json.GetProperty("flags").EnumerateArray().Select(f => f.GetRawText()).ToList();
        Assert.True(flags.Count >= 2, $"the history needs two flags; it has {flags.Count}");
        var paged = await hr.GetAsync("/api/v1/audit?page=2&page_size=1");
        Assert.Equal(flags.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), paged.Headers.GetValues("X-Total-Count").Single());
        var second = JsonDocument.Parse(await paged.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([flags[1]], second.GetProperty("flags").EnumerateArray().Select(f => f.GetRawText()));
        Assert.Equal(json.GetProperty("span_of_control").GetRawText(), second.GetProperty("span_of_control").GetRawText());
        Assert.Equal(HttpStatusCode.BadRequest, (await hr.GetAsync("/api/v1/audit?page=0")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Dashboard_cli_and_api_agree_on_the_numbers(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var api = JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit?cycle=C02-2025-H2")).RootElement;
        var (exit, stdout, stderr) = await RunCliAsync("audit", "--db", app.Database.Value, "--cycle", "C02-2025-H2", "--format", "json");
        Assert.True(exit == 0, stderr);
        var cli = JsonDocument.Parse(stdout).RootElement;
        foreach (var section in new[] { "cycles", "drivers", "say_do_index", "flags", "span_of_control", "groups" })
            Assert.Equal(JsonSerializer.Serialize(api.GetProperty(section)), JsonSerializer.Serialize(cli.GetProperty(section)));
        Assert.Single(api.GetProperty("cycles").EnumerateArray());

        // The dashboard's tables show the same figures (rounded for reading).
        var page = await hr.GetStringAsync("/audit?cycle=C02-2025-H2");
        var cycle = api.GetProperty("cycles")[0];
        Assert.Matches($"<td[^>]*>C02-2025-H2</td><td[^>]*>[0-9-]+</td><td[^>]*>{cycle.GetProperty("candidates").GetInt32()}</td><td[^>]*>{cycle.GetProperty("promoted").GetInt32()}</td>", page);
        var sayDo = api.GetProperty("say_do_index");
        Assert.Contains($"id=\"say-do-index\">{(sayDo.ValueKind == JsonValueKind.Null ? "n/a" : AuditSections.N(sayDo.GetDouble()))}<", page);
        foreach (var flag in api.GetProperty("flags").EnumerateArray())
            Assert.Contains($"/audit/flags/{flag.GetProperty("cycle").GetString()}/{flag.GetProperty("employee_id").GetString()}", page);
        var csv = await hr.GetStringAsync("/audit/download/groups.csv?cycle=C02-2025-H2");
        foreach (var g in api.GetProperty("groups").EnumerateArray())
            Assert.Contains($"{g.GetProperty("attribute").GetString()},{g.GetProperty("group").GetString()},{g.GetProperty("candidates").GetInt32()},{g.GetProperty("promoted").GetInt32()},", csv);

        var (mdExit, md, _) = await RunCliAsync("audit", "--db", app.Database.Value, "--format", "md");
        Assert.Equal(0, mdExit);
        Assert.StartsWith("# Culture audit", md);
        Assert.Contains("| cycle | decided_on | candidates |", md);
        var (badExit, _, badErr) = await RunCliAsync("audit", "--db", app.Database.Value, "--cycle", "nope");
        Assert.Equal(1, badExit);
        Assert.Contains("known cycles: C01-", badErr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_flag_opens_to_its_evidence_and_the_concern_read_is_logged(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var json = JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement;
        var flag = json.GetProperty("flags").EnumerateArray().First(f => f.GetProperty("reason").GetString() == "substantiated_concern");
        var id = flag.GetProperty("employee_id").GetString()!;
        var page = await hr.GetAsync($"/audit/flags/{flag.GetProperty("cycle").GetString()}/{id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"/people/{id}", html);
        Assert.Contains("Concerns on record", html);
        // Reasons and levels in words, as on the dashboard: no snake_case codes, the level by its name.
        Assert.Contains(">substantiated concern</span>", html);
        Assert.DoesNotContain(">substantiated_concern<", html);
        var toLevel = flag.GetProperty("to_level").GetString()!;
        Assert.Matches($"promoted to [^<(]+ \\({System.Text.RegularExpressions.Regex.Escape(toLevel)}\\)", html);
        Assert.True(await app.WithDbAsync(db => Task.FromResult(db.AuditLog.Any(a => a.SubjectEmployeeId == id && a.Action == "audit.flag.concerns"))));
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync("/audit/flags/C01-x/S000003")).StatusCode);
        var employee = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.Forbidden, (await employee.GetAsync("/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await employee.GetAsync("/audit/report")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_cached_audit_is_recomputed_when_the_history_changes(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        int Candidates(JsonElement j) => j.GetProperty("cycles").EnumerateArray().Sum(c => c.GetProperty("candidates").GetInt32());
        var before = Candidates(JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement);
        await app.WithDbAsync(async db =>
        {
            db.Promotions.Add(new PromotionRecord { Cycle = "C03-2026-H1", EmployeeId = "E1", DecidedOn = new DateOnly(2026, 7, 30), FromLevel = "e2", ToLevel = "e3", Outcome = "declined" });
            await db.SaveChangesAsync();
        });
        Assert.Equal(before + 1, Candidates(JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_dashboard_lists_the_managers_furthest_over_the_span_limit_not_all_of_them(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        // Thirty more managers with thirteen direct reports each, over the sample framework's limit of 12.
        await app.WithDbAsync(async db =>
        {
            for (var m = 0; m < 30; m++)
            {
                db.Employees.Add(new Employee { Id = $"W{m:D2}", Name = $"Wide Manager {m}", Email = $"w{m}@example.test", Track = "leader", Level = "l3", HireDate = new(2020, 1, 1) });
                for (var r = 0; r < 13; r++)
                    db.Employees.Add(new Employee { Id = $"W{m:D2}R{r:D2}", Name = $"Report {m}-{r}", Email = $"w{m}r{r}@example.test", ManagerId = $"W{m:D2}", Track = "expert", Level = "e2", HireDate = new(2021, 1, 1) });
            }
            await db.SaveChangesAsync();
        });
        var hr = await app.ClientForAsync("H1");
        var over = JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement.GetProperty("span_of_control").GetArrayLength();
        Assert.True(over > 30, $"{over} managers over the limit");

        static int Rows(string page) => System.Text.RegularExpressions.Regex.Count(
            System.Text.RegularExpressions.Regex.Match(page, "id=\"table-span_of_control\".*?</table>", System.Text.RegularExpressions.RegexOptions.Singleline).Value, "<tr>") - 1;
        var dashboard = await hr.GetStringAsync("/audit");
        Assert.Equal(AuditView.SpanOnDashboard, Rows(dashboard));
        Assert.Contains($"of {over:N0} over the limit", dashboard);
        Assert.Contains("href=\"/span\"", dashboard);
        // The printable report lists up to 50, here all of them.
        Assert.True(over <= AuditView.SpanInPrint);
        Assert.Equal(over, Rows(await hr.GetStringAsync("/audit/report")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_edit_that_keeps_every_count_refreshes_the_cached_audit_at_once(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var hr = await app.ClientForAsync("H1");
        int Promoted(JsonElement j) => j.GetProperty("cycles").EnumerateArray().Sum(c => c.GetProperty("promoted").GetInt32());
        var before = Promoted(JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement);
        Assert.True(before > 0);
        // A corrected outcome, written with plain SQL (another process, an operator): as many promotions as before.
        await app.WithDbAsync(async db =>
        {
            var one = await db.Promotions.AsNoTracking().Where(p => p.Outcome == "promoted").OrderBy(p => p.Cycle).ThenBy(p => p.EmployeeId).FirstAsync();
            Assert.Equal(1, await db.Database.ExecuteSqlAsync($"UPDATE promotions SET outcome = 'not_promoted' WHERE cycle = {one.Cycle} AND employee_id = {one.EmployeeId}"));
        });
        Assert.Equal(before - 1, Promoted(JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit")).RootElement));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_first_view_of_the_dashboard_does_not_wait_for_the_first_audit(Provider provider)
    {
        await using var app = await StartWithHistoryAsync(provider);
        var audit = app.Services.GetRequiredService<AuditService>();
        var hr = await app.ClientForAsync("H1");

        // No audit has been computed yet. The first view asks for one in the background and answers at once: it says the
        // first audit is being computed, with the progress text, rather than waiting for it (the old page waited up to
        // 3 s, long enough for this small history's audit, and then showed its figures).
        var first = WebUtility.HtmlDecode(await hr.GetStringAsync("/audit"));
        Assert.Contains("id=\"audit-loading\"", first);
        Assert.DoesNotContain("id=\"table-cycles\"", first);
        Assert.Matches("id=\"audit-updating\" role=\"status\">updating… \\(started [0-9]{2}:[0-9]{2}", first);
        var status = JsonDocument.Parse(await hr.GetStringAsync("/api/v1/audit/status")).RootElement;
        Assert.True(status.GetProperty("computing").GetBoolean() || status.GetProperty("computed_at").ValueKind != JsonValueKind.Null);

        // When it is done, the page (and the part the script swaps in) shows the figures, and no longer says "updating".
        await audit.CheckInBackground();
        Assert.NotNull(audit.Peek(null));
        var done = await hr.GetStringAsync("/audit");
        Assert.Contains("id=\"table-cycles\"", done);
        Assert.Contains("id=\"audit-updating\" role=\"status\" hidden", done);
        Assert.Contains("id=\"table-cycles\"", await hr.GetStringAsync("/audit?handler=body"));
    }

    internal static Task<(int Code, string Out, string Err)> RunCliAsync(params string[] args) => CliRunner.RunAsync(args);
}

