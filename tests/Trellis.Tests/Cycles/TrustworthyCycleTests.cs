using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>Issue 11: nobody decides their own case, publication says exactly what happened, and the candidate's pages follow it.</summary>
public sealed partial class TrustworthyCycleTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Nobody_decides_their_own_candidacy_whatever_their_role(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // C1 (committee) is at the top level; one band lower, they can be a candidate too.
        await app.WithDbAsync(async db => { (await db.Employees.SingleAsync(e => e.Id == "C1")).Level = "l5"; await db.SaveChangesAsync(); });
        var c = await ClientsAsync(app, "H1", "C1", "M1", "A1", "E2");
        // Every role sits on this committee: hr, committee, manager, admin, employee.
        string[] members = ["H1", "C1", "M1", "A1", "E2"];
        await CycleAsync(c["H1"], "c1", committee: members);
        var ids = new Dictionary<string, int>
        {
            ["H1"] = await NominatedAsync(c["H1"], "c1", "H1", "l5"),
            ["C1"] = await NominatedAsync(c["H1"], "c1", "C1", "l6"),
            ["M1"] = await NominatedAsync(c["H1"], "c1", "M1", "l6"),
            ["A1"] = await NominatedAsync(c["H1"], "c1", "A1", "e5"),
            ["E2"] = await NominatedAsync(c["H1"], "c1", "E2", "e4"),
        };
        foreach (var (who, id) in ids) await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c[who], id, "accept"), who);
        await PhaseAsync(c["H1"], "c1", "calibration");

        foreach (var (who, id) in ids)
        {
            var own = await DecideAsync(c[who], id, "promoted", "I am clearly ready.");
            await AssertStatusAsync(HttpStatusCode.Forbidden, own, who);
            Assert.Contains("own candidacy", (await JsonAsync(own)).GetProperty("detail").GetString());
        }
        // A colleague decides each of them; the candidate's board row says "recused" and shows no decision, nor its history.
        foreach (var (who, id) in ids)
            await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c[who == "H1" ? "C1" : "H1"], id, "not_yet", $"Needs a wider scope first ({who})."), who);
        foreach (var (who, id) in ids)
        {
            var board = await JsonAsync(await c[who].GetAsync("/api/v1/cycles/c1/board"));
            var mine = board.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("employee_id").GetString() == who);
            Assert.True(mine.GetProperty("recused").GetBoolean(), who);
            Assert.Equal(JsonValueKind.Null, mine.GetProperty("decision").ValueKind);
            var other = board.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("employee_id").GetString() != who);
            Assert.False(other.GetProperty("recused").GetBoolean());
            Assert.Equal("not_yet", other.GetProperty("decision").GetString());
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/nominations/{id}/decisions"), who);
            var nomination = await JsonAsync(await c[who].GetAsync($"/api/v1/nominations/{id}"));
            Assert.Equal(JsonValueKind.Null, nomination.GetProperty("decision").ValueKind);
            var page = await (await c[who].GetAsync("/cycles/c1/board")).Content.ReadAsStringAsync();
            Assert.Matches($"data-employee=\"{who}\"[\\s\\S]*?recused", page);
            Assert.DoesNotContain($"Needs a wider scope first ({who})", await (await c[who].GetAsync($"/cycles/c1/board/{ids[who]}")).Content.ReadAsStringAsync());
        }

        // The board page's decide form answers the same 403 (a crafted post: the page shows no form to the candidate).
        var review = await c["H1"].GetStringAsync($"/cycles/c1/board/{ids["H1"]}");
        Assert.Contains("data-testid=\"recused\"", review);
        Assert.DoesNotContain("Record decision", review);
        var token = AntiforgeryField().Match(review).Groups[1].Value;
        var posted = await c["H1"].PostAsync($"/cycles/c1/board/{ids["H1"]}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Outcome"] = "promoted", ["Rationale"] = "Self-serving.", ["Version"] = "1", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Contains("own candidacy", await posted.Content.ReadAsStringAsync());
        Assert.Equal("not_yet", await app.WithDbAsync(db => db.Nominations.Where(n => n.Id == ids["H1"]).Select(n => n.Decision).SingleAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_reporting_line_cycle_recuses_members_from_their_reports(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "E1", "E2", "E3");
        var bad = await CreateCycleAsync(c["H1"], "bad", committee: ["M1"], recuse: "everyone");
        await AssertStatusAsync(HttpStatusCode.BadRequest, bad);
        Assert.True((await JsonAsync(bad)).GetProperty("errors").TryGetProperty("recuse", out _));

        var line = await CreateCycleAsync(c["H1"], "line", committee: ["M1", "H1"], recuse: "reporting_line");
        await AssertStatusAsync(HttpStatusCode.Created, line);
        Assert.Equal("reporting_line", (await JsonAsync(line)).GetProperty("recuse").GetString());
        await CycleAsync(c["H1"], "plain", committee: ["M1", "H1"]);
        Assert.Equal("self", (await JsonAsync(await c["E1"].GetAsync("/api/v1/cycles/plain"))).GetProperty("recuse").GetString());
        Assert.Contains("their reporting line", await c["E1"].GetStringAsync("/cycles/line"));
        Assert.DoesNotContain("their reporting line", await c["E1"].GetStringAsync("/cycles/plain"));

        var inLine = await NominatedAsync(c["H1"], "line", "E3", "e4");     // E3 reports to M1
        var inPlain = await NominatedAsync(c["H1"], "plain", "E2", "e4");   // E2 too, through M2
        await RespondAsync(c["E3"], inLine, "accept");
        await RespondAsync(c["E2"], inPlain, "accept");
        await PhaseAsync(c["H1"], "line", "calibration");
        await PhaseAsync(c["H1"], "plain", "calibration");

        var refused = await DecideAsync(c["M1"], inLine, "promoted");
        await AssertStatusAsync(HttpStatusCode.Forbidden, refused);
        Assert.Contains("reporting line", (await JsonAsync(refused)).GetProperty("detail").GetString());
        var row = (await JsonAsync(await c["M1"].GetAsync("/api/v1/cycles/line/board"))).GetProperty("rows")[0];
        Assert.True(row.GetProperty("recused").GetBoolean());
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["H1"], inLine, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["M1"], inPlain, "promoted"));
    }

    /// <summary>One candidate for each way a nomination can end; returns the cycle's nominations by employee.</summary>
    private static async Task<Dictionary<string, int>> EveryOutcomeAsync(Dictionary<string, HttpClient> c, int budget = 5)
    {
        await CycleAsync(c["H1"], "c1", committee: ["C1"], budget: budget);
        var ids = new Dictionary<string, int>
        {
            ["E1"] = await NominatedAsync(c["M2"], "c1", "E1", "l3"),   // accepts, promoted → promoted l3
            ["E3"] = await NominatedAsync(c["M1"], "c1", "E3", "l4"),   // takes the expert track, alternative → promoted e4
            ["X1"] = await NominatedAsync(c["H1"], "c1", "X1", "e4"),   // never answers, not yet → not_promoted
            ["E2"] = await NominatedAsync(c["M2"], "c1", "E2", "e4"),   // accepts, not yet → not_promoted
            ["M2"] = await NominatedAsync(c["H1"], "c1", "M2", "l4"),   // declines → declined
            ["H1"] = await NominatedAsync(c["H1"], "c1", "H1", "l5"),   // defers, and the committee says not yet → deferred (their own choice)
        };
        await RespondAsync(c["E1"], ids["E1"], "accept");
        await RespondAsync(c["E3"], ids["E3"], "expert_track");
        await RespondAsync(c["E2"], ids["E2"], "accept");
        await RespondAsync(c["M2"], ids["M2"], "decline");
        await RespondAsync(c["H1"], ids["H1"], "defer");
        await PhaseAsync(c["H1"], "c1", "calibration");
        return ids;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Publication_maps_every_case_one_to_one_into_promotions_csv(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "E3", "X1");
        var ids = await EveryOutcomeAsync(c);
        await DecideAsync(c["C1"], ids["E1"], "promoted", "Grows others; the team asked for them.");
        await DecideAsync(c["C1"], ids["E3"], "alternative", "Deep expertise: the expert track fits.");
        await DecideAsync(c["C1"], ids["X1"], "not_yet", "Not enough evidence from peers yet.");
        await DecideAsync(c["C1"], ids["E2"], "not_yet", "Needs to lead a project end to end.");
        await DecideAsync(c["C1"], ids["H1"], "not_yet", "Wait for the new team to settle.");
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        // Both promotions, on the target's track and the alternative on the other, are asked for a story (issue 17); nobody else is.
        Assert.Equal(["E1", "E3"], await app.WithDbAsync(db => db.Notifications.Where(n => n.Link == "/promotions/story/c1").Select(n => n.EmployeeId).OrderBy(e => e).ToListAsync()));
        await AssertStatusAsync(HttpStatusCode.Created, await c["E3"].PostAsJsonAsync("/api/v1/promotion-stories", new { cycle = "c1" }));

        using var dir = new TempDir();
        var (code, _, err) = await CliRunner.RunAsync("export", "--db", app.Database.Value, "--out", dir.Path);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(System.IO.Path.Combine(dir.Path, "promotions.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(r => r[Array.IndexOf(header, "cycle")] == "c1")
            .ToDictionary(r => r[Array.IndexOf(header, "employee_id")], r => (r[Array.IndexOf(header, "to_level")], r[Array.IndexOf(header, "outcome")]));
        Assert.Equal(("l3", "promoted"), rows["E1"]);
        Assert.Equal(("e4", "promoted"), rows["E3"]);
        Assert.Equal(("e4", "not_promoted"), rows["X1"]);     // the old rule said "deferred": a committee decision relabelled as the candidate's choice
        Assert.Equal(("e4", "not_promoted"), rows["E2"]);
        Assert.Equal(("l4", "declined"), rows["M2"]);
        Assert.Equal(("l5", "deferred"), rows["H1"]);
        Assert.Equal(6, rows.Count);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Publish_is_refused_with_every_blocking_candidate_listed(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "E3", "X1");
        var ids = await EveryOutcomeAsync(c);
        await DecideAsync(c["C1"], ids["E1"], "promoted");                 // fine
        await DecideAsync(c["C1"], ids["X1"], "promoted");                 // blocks: promoted, but X1 never answered
        await DecideAsync(c["C1"], ids["M2"], "promoted");                 // blocks: promoted, but M2 declined
        // E3 (expert track) and E2 (accepted) have no decision: both block.

        var refused = await PublishAsync(c["H1"], "c1");
        await AssertStatusAsync(HttpStatusCode.Conflict, refused);
        var problem = await JsonAsync(refused);
        var blockers = problem.GetProperty("blockers").EnumerateArray()
            .ToDictionary(b => b.GetProperty("employee_id").GetString()!, b => b.GetProperty("reason").GetString()!);
        Assert.Equal(["E2", "E3", "M2", "X1"], blockers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("no committee decision", blockers["E2"]);
        Assert.Equal("promoted, but the candidate has not answered", blockers["X1"]);
        Assert.Equal("promoted, but the candidate has declined", blockers["M2"]);
        Assert.Contains("Milo Manager", problem.GetProperty("detail").GetString());
        Assert.Equal(ids["X1"], problem.GetProperty("blockers").EnumerateArray().Single(b => b.GetProperty("employee_id").GetString() == "X1").GetProperty("nomination_id").GetInt32());
        Assert.Equal("calibration", (await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1"))).GetProperty("phase").GetString());

        // The publication preview (and the page) list the same candidates.
        var preview = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/publication"));
        Assert.Equal(4, preview.GetProperty("blockers").GetArrayLength());
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["C1"].GetAsync("/api/v1/cycles/c1/publication"));
        var page = await c["H1"].GetStringAsync("/cycles/c1");
        Assert.Contains("promoted, but the candidate has declined", page);
        Assert.DoesNotContain("Publish decisions</button>", page);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Publishing_early_or_over_budget_needs_a_reason_kept_in_the_history_and_the_audit(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "E3", "X1");
        var ids = await EveryOutcomeAsync(c, budget: 1);
        await DecideAsync(c["C1"], ids["E1"], "promoted");
        await DecideAsync(c["C1"], ids["E3"], "alternative");
        foreach (var who in new[] { "X1", "E2", "H1" }) await DecideAsync(c["C1"], ids[who], "not_yet");

        // The page shows the counts per outcome and the budget before asking.
        var page = await c["H1"].GetStringAsync("/cycles/c1");
        Assert.Contains("data-outcome=\"promoted\">2 promoted", page);
        Assert.Contains("data-outcome=\"not_promoted\">2 not promoted", page);
        Assert.Contains("2 promotions against a budget of 1", page);
        Assert.Contains("Reason for publishing anyway", page);

        var refused = await PublishAsync(c["H1"], "c1", overrideReason: null);
        await AssertStatusAsync(HttpStatusCode.Conflict, refused);
        var problem = await JsonAsync(refused);
        Assert.Equal(["before_response_deadline", "over_budget"], problem.GetProperty("overrides_needed").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains("override_reason", problem.GetProperty("detail").GetString());
        await AssertStatusAsync(HttpStatusCode.Conflict, await PublishAsync(c["H1"], "c1", overrideReason: "   "));

        const string reason = "The board approved a second promotion in the engineering review of 3 March.";
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1", reason));
        var cycle = await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1"));
        var published = cycle.GetProperty("history").EnumerateArray().Single(h => h.GetProperty("kind").GetString() == "published");
        Assert.Equal(reason, published.GetProperty("override_reason").GetString());
        Assert.Contains("over_budget", published.GetProperty("detail").GetString());
        Assert.Equal(0, (await JsonAsync(await c["E1"].GetAsync("/api/v1/cycles/c1"))).GetProperty("history").GetArrayLength());
        Assert.Contains(reason, await c["H1"].GetStringAsync("/cycles/c1"));

        // The dashboard shows the last computed result (issue 13 computes it in the background): wait for the one that
        // publication started, then compute this cycle's, as the page's own check would.
        var audits = app.Services.GetRequiredService<Trellis.Audit.AuditService>();
        await audits.CheckInBackground(now: true);
        await audits.CheckInBackground("c1", now: true);
        var audit = await c["H1"].GetStringAsync("/audit?cycle=c1");
        Assert.Matches($"id=\"table-cycles\"[\\s\\S]*?{Regex.Escape(reason)}", await c["H1"].GetStringAsync("/audit/report?cycle=c1"));
        Assert.Matches($"id=\"table-cycles\"[\\s\\S]*?{Regex.Escape(reason)}", audit);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task After_publication_the_candidates_pages_say_what_was_decided_and_why_never_the_offer(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1", "E2");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var e1 = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var e2 = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        await RespondAsync(c["E2"], e2, "accept");

        // Before: the offer, with its deadline.
        var before = await c["E1"].GetStringAsync($"/nominations/{e1}");
        Assert.Contains("This is an offer", before);
        Assert.Contains("answer by", before);
        Assert.Contains("Your answer is due by", await c["E1"].GetStringAsync("/"));

        await PhaseAsync(c["H1"], "c1", "calibration");
        await DecideAsync(c["C1"], e1, "not_yet", "Two more quarters of leading the design reviews.");
        await DecideAsync(c["C1"], e2, "promoted", "Every team they worked with asked for them.");
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));

        foreach (var (who, id, words, why) in new[]
                 {
                     ("E1", e1, "Not promoted this time", "Two more quarters of leading the design reviews."),
                     ("E2", e2, "You are promoted to Staff (e4)", "Every team they worked with asked for them."),
                 })
        {
            var page = await c[who].GetStringAsync($"/nominations/{id}");
            Assert.Contains(words, page);
            Assert.Contains(why, page);
            Assert.DoesNotContain("This is an offer", page);
            Assert.DoesNotContain("answer by", page);
            Assert.DoesNotContain("Send my answer", page);

            var inbox = await c[who].GetStringAsync("/inbox");
            Assert.Contains(why, inbox);
            Assert.DoesNotContain("You are nominated", inbox);
            Assert.DoesNotContain("answer by", inbox);
            var notifications = await JsonAsync(await c[who].GetAsync("/api/v1/notifications"));
            Assert.DoesNotContain(notifications.EnumerateArray(), n => n.GetProperty("body").GetString()!.Contains("answer by"));

            var home = await c[who].GetStringAsync("/");
            Assert.Contains(why, home);
            Assert.DoesNotContain("Your answer is due", home);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("trellis-export-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
