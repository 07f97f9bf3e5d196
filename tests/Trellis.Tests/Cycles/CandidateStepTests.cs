using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>Issue 11: the candidate's step keeps what they write, shows the deadline, lets them ask for a conversation, and says where they already lead.</summary>
public sealed partial class CandidateStepTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Notes_and_the_answer_are_saved_together_by_the_one_form(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M2", "E1");
        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");

        var page = await c["E1"].GetStringAsync($"/nominations/{id}");
        Assert.Contains("data-testid=\"deadline-box\"", page);
        Assert.Contains("60 days left", page);
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        // The answer button of the one form: the notes travel with it (before, they were a separate form and were lost).
        var posted = await c["E1"].PostAsync($"/nominations/{id}?handler=Respond", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Notes[afraid_change]"] = "Less time for the code I love.", ["Notes[why_you]"] = "The juniors already come to me.",
            ["Choice"] = "accept", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var notes = await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/notes"));
        Assert.Equal("Less time for the code I love.", notes.EnumerateArray().Single(n => n.GetProperty("question").GetString() == "afraid_change").GetProperty("answer").GetString());
        Assert.Equal("accept", (await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}"))).GetProperty("response").GetString());

        // A refused answer (no choice) still keeps the notes.
        page = await c["E1"].GetStringAsync($"/nominations/{id}");
        token = AntiforgeryField().Match(page).Groups[1].Value;
        var refused = await c["E1"].PostAsync($"/nominations/{id}?handler=Respond", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Notes[afraid_change]"] = "Changed my mind about the fear.", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Changed my mind about the fear.", await refused.Content.ReadAsStringAsync());
        Assert.Equal("Changed my mind about the fear.", await app.WithDbAsync(db => db.ReflectionNotes.Where(r => r.NominationId == id && r.Question == "afraid_change").Select(r => r.Text).SingleAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_refused_post_of_any_button_redraws_what_was_typed_and_chosen_with_the_reason_in_words(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M2", "E1");
        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");
        // Something saved before: a refused post must show what was typed over it, not this.
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PutAsJsonAsync($"/api/v1/nominations/{id}/notes", new { notes = new Dictionary<string, string> { ["why_you"] = "Saved earlier." } }));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], id, "accept", "Saved committee note."));

        async Task<string> Post(string handler, Dictionary<string, string> fields)
        {
            var token = AntiforgeryField().Match(await c["E1"].GetStringAsync($"/nominations/{id}")).Groups[1].Value;
            fields["__RequestVerificationToken"] = token;
            var r = await c["E1"].PostAsync($"/nominations/{id}?handler={handler}", new FormUrlEncodedContent(fields));
            var html = System.Net.WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{handler}: {(int)r.StatusCode}");
            return html;
        }
        void AssertRedrawn(string html, string why, string choice, string note)
        {
            Assert.Contains($"<textarea name=\"Notes[why_you]\">{why}</textarea>", html);
            Assert.Contains($"value=\"{choice}\" checked=\"checked\"", html);
            Assert.Equal(1, html.Split("checked=\"checked\"").Length - 1);
            Assert.Contains($"<textarea name=\"Note\">{note}</textarea>", html);
            Assert.DoesNotContain("Saved earlier.", html);
            Assert.DoesNotContain("Saved committee note.", html);
        }

        // A note over 8,000 characters, from each button: everything posted comes back, and the message names the question.
        var tooLong = new string('x', 8001);
        foreach (var handler in new[] { "Notes", "Respond", "Conversation" })
        {
            var html = await Post(handler, new Dictionary<string, string>
            {
                ["Notes[love_now]"] = tooLong, ["Notes[why_you]"] = "Typed, not saved: " + handler, ["Choice"] = "defer",
                ["Note"] = "Typed committee note " + handler, ["WithId"] = "H1", ["ConversationMessage"] = "Can we talk first?",
            });
            AssertRedrawn(html, "Typed, not saved: " + handler, "defer", "Typed committee note " + handler);
            Assert.Contains($"<textarea name=\"Notes[love_now]\">{tooLong}</textarea>", html);
            Assert.Contains("Your note on “What do you most love about your work now?” is longer than 8,000 characters.", html);
            Assert.DoesNotContain("love_now'", html);
            Assert.Contains("<option value=\"H1\" selected=\"selected\">", html);
            Assert.Contains("Can we talk first?</textarea>", html);
        }
        Assert.Equal("Saved earlier.", await app.WithDbAsync(db => db.ReflectionNotes.Where(r => r.NominationId == id && r.Question == "why_you").Select(r => r.Text).SingleAsync()));

        // No answer chosen: the notes and the committee note stay (the notes are saved), no radio is checked, and the reason is in words.
        var noChoice = await Post("Respond", new Dictionary<string, string> { ["Notes[why_you]"] = "Typed with no answer", ["Note"] = "Please read this first." });
        Assert.Contains("Choose an answer: accept, the expert track, defer or decline.", noChoice);
        Assert.DoesNotContain("choice must be one of", noChoice);
        Assert.Contains("<textarea name=\"Note\">Please read this first.</textarea>", noChoice);
        Assert.Contains("<textarea name=\"Notes[why_you]\">Typed with no answer</textarea>", noChoice);
        Assert.DoesNotContain("checked=\"checked\"", noChoice);

        // A conversation with nobody chosen keeps the chosen answer and the message.
        var nobody = await Post("Conversation", new Dictionary<string, string>
        {
            ["Notes[why_you]"] = "Typed with nobody to ask", ["Choice"] = "decline", ["Note"] = "Not now.", ["ConversationMessage"] = "Ten minutes?",
        });
        Assert.Contains("Choose whom to ask: your manager, someone in HR, or someone now at the target level.", nobody);
        Assert.DoesNotContain("with_id", nobody);
        Assert.Contains("value=\"decline\" checked=\"checked\"", nobody);
        Assert.Contains("Ten minutes?</textarea>", nobody);
        Assert.Contains("<textarea name=\"Note\">Not now.</textarea>", nobody);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_candidate_asks_for_a_conversation_seen_only_by_them_and_the_person_asked(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E2", "X1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");   // E1 (e2) → l3; M2 is l3 today and E1's manager

        var partners = await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/conversation-partners"));
        Assert.Equal("M2", partners.GetProperty("manager").GetProperty("employee_id").GetString());
        Assert.Equal(["H1"], partners.GetProperty("hr").EnumerateArray().Select(p => p.GetProperty("employee_id").GetString()));
        Assert.Equal(["M2"], partners.GetProperty("at_target_level").EnumerateArray().Select(p => p.GetProperty("employee_id").GetString()));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["M2"].GetAsync($"/api/v1/nominations/{id}/conversation-partners"));

        Task<HttpResponseMessage> Ask(HttpClient client, string with, string? message = null) =>
            client.PostAsJsonAsync($"/api/v1/nominations/{id}/conversations", new { with_id = with, message });
        var wrong = await Ask(c["E1"], "X1");
        await AssertStatusAsync(HttpStatusCode.BadRequest, wrong);
        Assert.True((await JsonAsync(wrong)).GetProperty("errors").TryGetProperty("with_id", out _));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await Ask(c["M2"], "H1"));
        var asked = await Ask(c["E1"], "H1", "What would change in my week?");
        await AssertStatusAsync(HttpStatusCode.Created, asked);
        Assert.Equal("hr", (await JsonAsync(asked)).GetProperty("kind").GetString());
        await AssertStatusAsync(HttpStatusCode.Created, await Ask(c["E1"], "M2"));

        var inbox = await JsonAsync(await c["H1"].GetAsync("/api/v1/notifications"));
        Assert.Contains(inbox.EnumerateArray(), n => n.GetProperty("title").GetString() == "Eli Engineer asks to talk with you"
                                                     && n.GetProperty("body").GetString()!.Contains("What would change in my week?"));
        Assert.Equal(2, (await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/conversations"))).GetArrayLength());
        var mine = await JsonAsync(await c["H1"].GetAsync($"/api/v1/nominations/{id}/conversations"));
        Assert.Equal(["H1"], mine.EnumerateArray().Select(v => v.GetProperty("with").GetProperty("employee_id").GetString()));
        foreach (var who in new[] { "C1", "M1", "E2" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/nominations/{id}/conversations"), who);
        // The committee never sees it on the nomination either.
        Assert.DoesNotContain("What would change in my week?", await c["C1"].GetStringAsync($"/nominations/{id}"));
        Assert.Contains("What would change in my week?", await c["E1"].GetStringAsync($"/nominations/{id}"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Where_you_already_lead_lists_the_target_behaviours_met_with_evidence_and_recognitions(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M2", "E1");
        // Evidence is written before anything reads readiness (it loads on first use).
        await app.WithDbAsync(async db =>
        {
            // Strong, consistent evidence on one behaviour from five raters; nothing on the others.
            var on = new DateOnly(2026, 1, 5);
            foreach (var (rater, i) in new[] { "H1", "M2", "E2", "E3", "X1" }.Select((r, i) => (r, i)))
                for (var k = 0; k < 3; k++)
                    db.Observations.Add(new Observation
                    {
                        Id = $"o-{rater}-{k}", SubjectId = "E1", RaterId = rater, Behavior = "simplifies-the-complex", Rating = 5,
                        Relationship = rater == "M2" ? "manager" : "peer", ObservedOn = on.AddDays(i * 3 + k), Visibility = "shared",
                        // Four peers: a whole batch, released to the candidate (as storing them through the API would).
                        ReleasedAt = new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero),
                    });
            db.Recognitions.Add(new Recognition { Id = "r-1", FromId = "E2", ToId = "E1", Value = "craft", Behavior = "simplifies-the-complex", GivenOn = on });
            await db.SaveChangesAsync();
        });
        await CycleAsync(c["H1"], "c1");
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");

        var lead = await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/where-you-lead"));
        var row = Assert.Single(lead.EnumerateArray());
        Assert.Equal("simplifies-the-complex", row.GetProperty("behavior").GetString());
        Assert.Equal("Makes the complex simple", row.GetProperty("name").GetString());
        Assert.Equal(15, row.GetProperty("evidence_count").GetInt32());
        Assert.Equal(1, row.GetProperty("recognitions").GetInt32());
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["M2"].GetAsync($"/api/v1/nominations/{id}/where-you-lead"));
        Assert.Contains("Makes the complex simple", await c["E1"].GetStringAsync($"/nominations/{id}"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Nominating_by_name_offers_only_whom_you_may_nominate_with_their_levels(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "M2", "E1");
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        async Task<List<string>> Names(string who, string q = "") =>
            (await JsonAsync(await c[who].GetAsync($"/api/v1/cycles/c1/nominees?q={q}"))).EnumerateArray().Select(p => p.GetProperty("employee_id").GetString()!).ToList();
        Assert.Equal(["E1", "E2", "M2"], (await Names("M2")).Order(StringComparer.Ordinal));
        Assert.Equal(["E1"], await Names("E1"));
        Assert.Equal(["E1", "E2", "E3"], (await Names("H1", "engineer")).Order(StringComparer.Ordinal));
        var eli = (await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/nominees?q=Eli"))).EnumerateArray().Single();
        Assert.Equal(["e3:Senior", "l3:Team lead"], eli.GetProperty("targets").EnumerateArray().Select(t => $"{t.GetProperty("key").GetString()}:{t.GetProperty("name").GetString()}"));

        // The form takes the name; a wrong target is refused in words.
        var page = await c["M2"].GetStringAsync("/cycles/c1");
        Assert.Contains("Team lead (l3) — People leader", System.Net.WebUtility.HtmlDecode(page));
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        var wrong = await c["M2"].PostAsync("/cycles/c1?handler=Nominate", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Person"] = "Eli Engineer", ["TargetLevel"] = "l5", ["Rationale"] = "Runs the design reviews.", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("Eli Engineer is at Professional (e2), so Senior manager (l5) is not the next band: nominate for Senior (e3) or Team lead (l3)",
            System.Net.WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        var ok = await c["M2"].PostAsync("/cycles/c1?handler=Nominate", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Person"] = "Eli Engineer", ["TargetLevel"] = "l3", ["Rationale"] = "Runs the design reviews.", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.Nominations.AnyAsync(n => n.EmployeeId == "E1" && n.TargetLevel == "l3")));

        // The home page's to-do list: the candidate's answer, the committee's decisions.
        Assert.Contains("Answer your nomination in c1", await c["E1"].GetStringAsync("/"));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await RespondAsync(c["E1"], (await JsonAsync(await c["E1"].GetAsync("/api/v1/cycles/c1/nominations")))[0].GetProperty("id").GetInt32(), "accept");
        Assert.Contains("1 decision(s) pending in c1", await c["C1"].GetStringAsync("/"));
        Assert.DoesNotContain("decision(s) pending", await c["M2"].GetStringAsync("/"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
