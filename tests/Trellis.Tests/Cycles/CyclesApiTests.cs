using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class CyclesApiTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_creates_cycles_with_the_default_committee_and_the_right_starting_phase(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var open = await CreateCycleAsync(hr, "2026-H1");
        await AssertStatusAsync(HttpStatusCode.Created, open);
        var cycle = await JsonAsync(open);
        Assert.Equal("nominations", cycle.GetProperty("phase").GetString());
        Assert.Equal(["C1"], cycle.GetProperty("committee").EnumerateArray().Select(m => m.GetProperty("employee_id").GetString()));
        Assert.Equal("/api/v1/cycles/2026-H1", open.Headers.Location?.OriginalString);

        var later = await JsonAsync(await CreateCycleAsync(hr, "2026-H2", committee: ["M1", "E3"], opens: Today.AddDays(10), closes: Today.AddDays(90), deadline: Today.AddDays(40)));
        Assert.Equal("draft", later.GetProperty("phase").GetString());
        Assert.Equal(["E3", "M1"], later.GetProperty("committee").EnumerateArray().Select(m => m.GetProperty("employee_id").GetString()));
        Assert.Equal(Iso(Today.AddDays(40)), later.GetProperty("response_deadline").GetString());

        await AssertStatusAsync(HttpStatusCode.Conflict, await CreateCycleAsync(hr, "2026-H1"));

        var invalid = await hr.PostAsJsonAsync("/api/v1/cycles", new { name = "", opens_on = Iso(Today), closes_on = Iso(Today.AddDays(-1)) });
        await AssertStatusAsync(HttpStatusCode.BadRequest, invalid);
        var errors = (await JsonAsync(invalid)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("closes_on", out _));
        Assert.True(errors.TryGetProperty("budget", out _));

        var unknownMember = await CreateCycleAsync(hr, "2027-H1", committee: ["NOPE"]);
        await AssertStatusAsync(HttpStatusCode.BadRequest, unknownMember);
        Assert.True((await JsonAsync(unknownMember)).GetProperty("errors").TryGetProperty("committee", out _));

        foreach (var who in new[] { "A1", "C1", "M1", "E1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await CreateCycleAsync(await app.ClientForAsync(who), "2027-" + who), who);
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await CreateCycleAsync(app.AnonymousClient(), "2027-anon"));

        var list = await JsonAsync(await (await app.ClientForAsync("E1")).GetAsync("/api/v1/cycles"));
        Assert.Equal(2, list.GetArrayLength());
        await AssertStatusAsync(HttpStatusCode.NotFound, await hr.GetAsync("/api/v1/cycles/none"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Cycle_dates_outside_2000_to_2099_are_refused_and_refusals_read_as_words(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var absurd = await CreateCycleAsync(hr, "forever", opens: new DateOnly(1, 1, 1), closes: new DateOnly(9999, 12, 31));
        await AssertStatusAsync(HttpStatusCode.BadRequest, absurd);
        var errors = (await JsonAsync(absurd)).GetProperty("errors");
        Assert.Equal("The opening date (0001-01-01) must fall between 2000-01-01 and 2099-12-31.", errors.GetProperty("opens_on")[0].GetString());
        Assert.Equal("The closing date (9999-12-31) must fall between 2000-01-01 and 2099-12-31.", errors.GetProperty("closes_on")[0].GetString());
        await AssertStatusAsync(HttpStatusCode.BadRequest, await CreateCycleAsync(hr, "late", opens: new DateOnly(2099, 12, 1), closes: new DateOnly(2100, 1, 1)));
        await AssertStatusAsync(HttpStatusCode.Created, await CreateCycleAsync(hr, "edges", opens: new DateOnly(2000, 1, 1), closes: new DateOnly(2099, 12, 31)));
        Assert.False(await app.WithDbAsync(db => db.Cycles.AnyAsync(c => c.Name == "forever" || c.Name == "late")));

        var backwards = await CreateCycleAsync(hr, "backwards", opens: Today, closes: Today.AddDays(-1));
        Assert.Equal($"The closing date ({Iso(Today.AddDays(-1))}) is before the opening date ({Iso(Today)}).",
            (await JsonAsync(backwards)).GetProperty("errors").GetProperty("closes_on")[0].GetString());

        // The nominate form's refusals name what to do, not the field.
        var empty = await JsonAsync(await hr.PostAsJsonAsync("/api/v1/cycles/edges/nominations", new { rationale = "Ready." }));
        Assert.Equal("Choose the person to nominate.", empty.GetProperty("errors").GetProperty("employee_id")[0].GetString());
        Assert.Equal("Choose the level to nominate them for.", empty.GetProperty("errors").GetProperty("target_level")[0].GetString());

        // The new-cycle page: a budget too large for a number arrives as missing, and the message says what is wanted.
        var page = await hr.GetStringAsync("/cycles");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var posted = await hr.PostAsync("/cycles", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Name"] = "big", ["OpensOn"] = "0001-01-01", ["ClosesOn"] = Iso(Today.AddDays(60)), ["Budget"] = "2147483648", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        var html = WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
        Assert.Contains("Give the budget, the number of promotions, as a whole number from 0 to 2,147,483,647.", html);
        Assert.Contains("The opening date (0001-01-01) must fall between 2000-01-01 and 2099-12-31.", html);
        Assert.DoesNotContain("is required", html);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Phases_move_forward_only_and_only_hr_sets_them(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await CreateCycleAsync(hr, "c1", opens: Today.AddDays(5), closes: Today.AddDays(50));

        Task<HttpResponseMessage> Set(HttpClient c, string phase) => c.PostAsJsonAsync("/api/v1/cycles/c1/phase", new { phase });
        await AssertStatusAsync(HttpStatusCode.BadRequest, await Set(hr, "published"));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await Set(hr, "whatever"));
        foreach (var who in new[] { "C1", "M1", "E1", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await Set(await app.ClientForAsync(who), "nominations"), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await hr.PostAsJsonAsync("/api/v1/cycles/nope/phase", new { phase = "nominations" }));

        await PhaseAsync(hr, "c1", "nominations");
        await AssertStatusAsync(HttpStatusCode.Conflict, await Set(hr, "nominations"));
        await PhaseAsync(hr, "c1", "calibration");
        var back = await Set(hr, "responses");
        await AssertStatusAsync(HttpStatusCode.Conflict, back);
        Assert.Contains("forward", (await JsonAsync(back)).GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Nominations_follow_scope_target_phase_and_duplicate_rules(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "M2", "E1", "E2", "A1");
        await CycleAsync(c["H1"], "c1");

        // A manager for their line (direct and indirect), an employee for themself, HR for anyone.
        var byManager = await NominateAsync(c["M2"], "c1", "E1", "e3");
        await AssertStatusAsync(HttpStatusCode.Created, byManager);
        var created = await JsonAsync(byManager);
        Assert.Equal("manager", created.GetProperty("nominated_as").GetString());
        Assert.Equal("Milo Manager", created.GetProperty("nominated_by_name").GetString());
        Assert.Equal("e2", created.GetProperty("from_level").GetString());
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["M1"], "c1", "E3", "l4"));
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["E2"], "c1", "E2", "e4"));
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["H1"], "c1", "X1", "l4"));

        // Outside the line, or someone else's colleague: 403.
        await AssertStatusAsync(HttpStatusCode.Forbidden, await NominateAsync(c["M2"], "c1", "M1", "l6"));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await NominateAsync(c["E1"], "c1", "E2", "e4"));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await NominateAsync(c["A1"], "c1", "M2", "l4"));

        // Second nomination of the same person: 409.
        await AssertStatusAsync(HttpStatusCode.Conflict, await NominateAsync(c["H1"], "c1", "E1", "l3"));

        // Not the next band, nor its equal on the other track: 400 naming target_level. Missing fields: 400 each.
        var wrongTarget = await NominateAsync(c["H1"], "c1", "M2", "l6");
        await AssertStatusAsync(HttpStatusCode.BadRequest, wrongTarget);
        Assert.Contains("l4", (await JsonAsync(wrongTarget)).GetProperty("errors").GetProperty("target_level")[0].GetString());
        await AssertStatusAsync(HttpStatusCode.BadRequest, await NominateAsync(c["H1"], "c1", "M2", "l3"));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await NominateAsync(c["H1"], "c1", "M2", "nope"));
        var missing = await c["H1"].PostAsJsonAsync("/api/v1/cycles/c1/nominations", new { employee_id = "M2" });
        await AssertStatusAsync(HttpStatusCode.BadRequest, missing);
        var missingErrors = (await JsonAsync(missing)).GetProperty("errors");
        Assert.True(missingErrors.TryGetProperty("target_level", out _) && missingErrors.TryGetProperty("rationale", out _));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await NominateAsync(c["H1"], "c1", "GHOST", "e4"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await NominateAsync(c["H1"], "nope", "M2", "l4"));

        // Out of phase: 409 with a message naming the phase.
        await PhaseAsync(c["H1"], "c1", "responses");
        var late = await NominateAsync(c["H1"], "c1", "M2", "l4");
        await AssertStatusAsync(HttpStatusCode.Conflict, late);
        Assert.Contains("responses", (await JsonAsync(late)).GetProperty("detail").GetString());
        await CreateCycleAsync(c["H1"], "draft", opens: Today.AddDays(3));
        await AssertStatusAsync(HttpStatusCode.Conflict, await NominateAsync(c["H1"], "draft", "M2", "l4"));

        // Eligible levels restrict who may be nominated.
        await CreateCycleAsync(c["H1"], "seniors", eligible: ["e3", "l3"]);
        await AssertStatusAsync(HttpStatusCode.BadRequest, await NominateAsync(c["H1"], "seniors", "E1", "e3"));
        await AssertStatusAsync(HttpStatusCode.Created, await NominateAsync(c["H1"], "seniors", "M2", "l4"));

        // The candidate is told: an unread notification linking to their page.
        var inbox = await JsonAsync(await (await app.ClientForAsync("E1")).GetAsync("/api/v1/notifications"));
        Assert.Contains(inbox.EnumerateArray(), n => n.GetProperty("link").GetString() == $"/nominations/{created.GetProperty("id").GetInt32()}" && !n.GetProperty("read").GetBoolean());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_the_candidate_answers_and_can_change_the_answer_until_the_deadline(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M2", "E1", "C1", "A1", "X1");
        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");

        foreach (var who in new[] { "H1", "M2", "C1", "A1", "X1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await RespondAsync(c[who], id, "accept"), who);
        var unknown = await RespondAsync(c["E1"], id, "maybe");
        await AssertStatusAsync(HttpStatusCode.BadRequest, unknown);
        Assert.True((await JsonAsync(unknown)).GetProperty("errors").TryGetProperty("choice", out _));
        await AssertStatusAsync(HttpStatusCode.NotFound, await RespondAsync(c["E1"], 99999, "accept"));

        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], id, "accept"));
        var changed = await RespondAsync(c["E1"], id, "expert_track", "I would rather stay hands-on.");
        await AssertStatusAsync(HttpStatusCode.OK, changed);
        Assert.Equal("expert_track", (await JsonAsync(changed)).GetProperty("response").GetString());
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], id, "defer"));

        // After the response deadline: 409.
        await AssertStatusAsync(HttpStatusCode.Created, await CreateCycleAsync(c["H1"], "past", opens: Today.AddDays(-30), closes: Today.AddDays(30), deadline: Today.AddDays(-1)));
        var pastId = await NominatedAsync(c["H1"], "past", "X1", "e4");
        var late = await RespondAsync(c["X1"], pastId, "accept");
        await AssertStatusAsync(HttpStatusCode.Conflict, late);
        Assert.Contains("deadline", (await JsonAsync(late)).GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Reflection_notes_are_readable_by_the_candidate_only_not_hr_not_admin(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            // Give the admin every other role too: even then the notes stay private.
            var admin = await db.Accounts.FirstAsync(a => a.EmployeeId == "A1");
            admin.Roles = "employee manager hr committee admin";
            await db.SaveChangesAsync();
        });
        var c = await ClientsAsync(app, "H1", "M2", "E1", "C1", "A1", "M1");
        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        const string secret = "I am afraid of losing the quiet mornings with the code";

        var saved = await c["E1"].PutAsJsonAsync($"/api/v1/nominations/{id}/notes", new { notes = new Dictionary<string, string> { ["afraid_change"] = secret } });
        await AssertStatusAsync(HttpStatusCode.OK, saved);
        var mine = await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/notes"));
        Assert.Equal(5, mine.GetArrayLength());
        Assert.Contains(mine.EnumerateArray(), n => n.GetProperty("answer").GetString() == secret);
        await AssertStatusAsync(HttpStatusCode.BadRequest, await c["E1"].PutAsJsonAsync($"/api/v1/nominations/{id}/notes", new { notes = new Dictionary<string, string> { ["salary"] = "x" } }));
        Assert.True(await app.WithDbAsync(db => db.ReflectionNotes.AnyAsync(n => n.Text == secret)));

        foreach (var who in new[] { "H1", "A1", "C1", "M2", "M1" })
        {
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/nominations/{id}/notes"), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PutAsJsonAsync($"/api/v1/nominations/{id}/notes", new { notes = new Dictionary<string, string> { ["love_now"] = "x" } }), who);
            var nomination = await c[who].GetAsync($"/api/v1/nominations/{id}");
            Assert.DoesNotContain(secret, await nomination.Content.ReadAsStringAsync());
            var page = await c[who].GetAsync($"/nominations/{id}");
            Assert.DoesNotContain(secret, await page.Content.ReadAsStringAsync());
        }
        await PhaseAsync(c["H1"], "c1", "calibration");
        Assert.DoesNotContain(secret, await (await c["H1"].GetAsync("/api/v1/cycles/c1/board")).Content.ReadAsStringAsync());
        Assert.DoesNotContain(secret, await (await c["H1"].GetAsync($"/api/v1/nominations/{id}/evidence")).Content.ReadAsStringAsync());
        Assert.Contains(secret, await (await c["E1"].GetAsync($"/nominations/{id}")).Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Decisions_belong_to_the_cycles_committee_need_a_rationale_and_reject_stale_writes(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "A1");
        await CycleAsync(c["H1"], "c1", committee: ["C1", "M1"]);
        await CycleAsync(c["H1"], "other", committee: ["M1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var otherId = await NominatedAsync(c["M2"], "other", "E2", "e4");

        await AssertStatusAsync(HttpStatusCode.Conflict, await DecideAsync(c["C1"], id, "promoted"), "before calibration");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await PhaseAsync(c["H1"], "other", "calibration");

        foreach (var who in new[] { "H1", "A1", "M2", "E1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await DecideAsync(c[who], id, "promoted"), who);
        // A committee account that does not sit on this cycle's committee: 403.
        await AssertStatusAsync(HttpStatusCode.Forbidden, await DecideAsync(c["C1"], otherId, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["M1"], otherId, "not_yet"));

        var noRationale = await DecideAsync(c["C1"], id, "promoted", rationale: " ");
        await AssertStatusAsync(HttpStatusCode.BadRequest, noRationale);
        Assert.True((await JsonAsync(noRationale)).GetProperty("errors").TryGetProperty("rationale", out _));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await DecideAsync(c["C1"], id, "maybe"));

        var first = await DecideAsync(c["C1"], id, "promoted", version: 0);
        await AssertStatusAsync(HttpStatusCode.OK, first);
        Assert.Equal(1, (await JsonAsync(first)).GetProperty("version").GetInt32());
        // M1 loaded version 0 at the same time: their write is stale.
        var stale = await DecideAsync(c["M1"], id, "not_yet", version: 0);
        await AssertStatusAsync(HttpStatusCode.Conflict, stale);
        // Without a version, an existing decision is not overwritten either.
        await AssertStatusAsync(HttpStatusCode.Conflict, await DecideAsync(c["M1"], id, "not_yet"));
        // If-Match carries the version too.
        var ifMatch = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/nominations/{id}/decision") { Content = JsonContent.Create(new { outcome = "alternative", rationale = "Stronger as an expert." }) };
        ifMatch.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var alt = await c["M1"].SendAsync(ifMatch);
        await AssertStatusAsync(HttpStatusCode.OK, alt);
        var altJson = await JsonAsync(alt);
        Assert.Equal("l3", altJson.GetProperty("decision").GetProperty("level").GetString());
        Assert.Equal(2, altJson.GetProperty("version").GetInt32());

        var history = await JsonAsync(await c["H1"].GetAsync($"/api/v1/nominations/{id}/decisions"));
        Assert.Equal([("promoted", "C1"), ("alternative", "M1")],
            history.EnumerateArray().Select(h => (h.GetProperty("outcome").GetString(), h.GetProperty("decided_by").GetString())));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["E1"].GetAsync($"/api/v1/nominations/{id}/decisions"));

        // Nothing lost: the stale write left no trace, the winning one is what the nomination says.
        var stored = await app.WithDbAsync(db => db.Nominations.AsNoTracking().FirstAsync(n => n.Id == id));
        Assert.Equal(("alternative", 2), (stored.Decision, stored.Version));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Concurrent_decisions_on_the_same_version_let_exactly_one_through(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2");
        await CycleAsync(c["H1"], "c1", committee: ["C1", "M1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        await PhaseAsync(c["H1"], "c1", "calibration");
        var results = await Task.WhenAll(DecideAsync(c["C1"], id, "promoted", version: 0), DecideAsync(c["M1"], id, "not_yet", version: 0));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        Assert.Equal(1, await app.WithDbAsync(db => db.NominationDecisions.CountAsync(d => d.NominationId == id)));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Nominations_are_listed_and_read_within_scope_and_the_inbox_is_personal(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, CycleTestKit.Everyone);
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        await NominatedAsync(c["M1"], "c1", "E3", "e4");
        await NominatedAsync(c["H1"], "c1", "X1", "e4");

        async Task<string[]> Listed(string who) =>
            (await JsonAsync(await c[who].GetAsync("/api/v1/cycles/c1/nominations"))).EnumerateArray().Select(n => n.GetProperty("employee_id").GetString()!).ToArray();
        Assert.Equal(["E1", "E3", "X1"], await Listed("H1"));
        Assert.Equal(["E1", "E3", "X1"], await Listed("C1"));
        Assert.Equal(["E1", "E3"], await Listed("M1"));
        Assert.Equal(["E1"], await Listed("M2"));
        Assert.Equal(["E1"], await Listed("E1"));
        Assert.Empty(await Listed("E2"));
        Assert.Empty(await Listed("A1"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/cycles/nope/nominations"));

        foreach (var who in new[] { "E1", "M2", "M1", "C1", "H1" })
            await AssertStatusAsync(HttpStatusCode.OK, await c[who].GetAsync($"/api/v1/nominations/{e1}"), who);
        foreach (var who in new[] { "E2", "X1", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/nominations/{e1}"), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/nominations/4242"));
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await app.AnonymousClient().GetAsync($"/api/v1/nominations/{e1}"));
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "nomination.read" && a.ActorEmployeeId == "H1" && a.SubjectEmployeeId == "E1")));

        var inbox = await JsonAsync(await c["E1"].GetAsync("/api/v1/notifications"));
        var note = inbox.EnumerateArray().Single().GetProperty("id").GetInt64();
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["X1"].PostAsync($"/api/v1/notifications/{note}/read", null));
        await AssertStatusAsync(HttpStatusCode.NoContent, await c["E1"].PostAsync($"/api/v1/notifications/{note}/read", null));
        Assert.True((await JsonAsync(await c["E1"].GetAsync("/api/v1/notifications"))).EnumerateArray().Single().GetProperty("read").GetBoolean());
        Assert.Equal(0, (await JsonAsync(await c["E2"].GetAsync("/api/v1/notifications"))).GetArrayLength());
    }
}
