using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Growth;
using Trellis.Tests.Infrastructure;
using Trellis.Tests.Webhooks;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Growth;

/// <summary>Promotion stories (issue 17): only promotions get one, only its subject writes and approves it, nothing is listed before approval.</summary>
public sealed class PromotionStoryTests
{
    private static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    /// <summary>
    /// Eli's colleagues rate him 5 on the two care-for-people behaviours (what e2 expects at 2) and 2 elsewhere, so that the
    /// draft names care for people; two recognitions of Eli and one of Eva.
    /// </summary>
    private static Task SeedEvidenceAsync(TrellisApp app) => app.WithDbAsync(async db =>
    {
        var n = 0;
        foreach (var rater in new[] { "M1", "M2", "H1", "C1", "X1", "E2", "E3" })
            foreach (var behavior in Behaviors)
            {
                n++;
                db.Observations.Add(new Observation
                {
                    Id = $"S{n}", SubjectId = "E1", RaterId = rater, Relationship = "other", Behavior = behavior,
                    Rating = behavior is "makes-it-safe-to-speak" or "grows-others" ? 5 : 2, ObservedOn = Today.AddDays(-10 - n % 50), ReleasedAt = DateTimeOffset.UtcNow,
                });
            }
        db.Recognitions.Add(new Recognition { Id = "rec-eli-1", FromId = "E2", ToId = "E1", Value = "care-for-people", Behavior = "grows-others", Message = "Paired with me every week until I could ship alone.", GivenOn = Today.AddDays(-20) });
        db.Recognitions.Add(new Recognition { Id = "rec-eli-2", FromId = "E3", ToId = "E1", Value = "craft", Message = "The cleanest migration I have reviewed.", GivenOn = Today.AddDays(-30) });
        db.Recognitions.Add(new Recognition { Id = "rec-eva-1", FromId = "E1", ToId = "E2", Value = "curiosity", Message = "Asked the question nobody asked.", GivenOn = Today.AddDays(-5) });
        await db.SaveChangesAsync();
    });

    /// <summary>Cycle c1, published: Eli promoted (e2→e3), Eva declined, Ezra not promoted, Xavi deferred.</summary>
    private static async Task PublishedCycleAsync(Dictionary<string, HttpClient> c)
    {
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var eli = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var eva = await NominatedAsync(c["M2"], "c1", "E2", "e4");
        var ezra = await NominatedAsync(c["M1"], "c1", "E3", "e4");
        var xavi = await NominatedAsync(c["H1"], "c1", "X1", "e4");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], eli, "accept"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], eva, "decline"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E3"], ezra, "accept"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["X1"], xavi, "defer"));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], eli, "promoted"));
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], ezra, "not_yet"));
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
    }

    private static async Task<JsonElement> StoryAsync(HttpClient c, string cycle, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var r = await c.PostAsJsonAsync("/api/v1/promotion-stories", new { cycle });
        await AssertStatusAsync(expected, r);
        return await JsonAsync(r);
    }

    private static async Task<int> TotalAsync(HttpClient c, string query = "") =>
        (await JsonAsync(await c.GetAsync("/api/v1/promotion-stories" + query))).GetProperty("total").GetInt32();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hrs_story_summary_is_kept_until_promotions_or_stories_change_whoever_writes_them(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, Everyone);
        await PublishedCycleAsync(c);
        var log = new SqlLog();
        var (host, hr) = await app.LoggedClientAsync(log, "H1");
        await using (host)
        {
            async Task<(int Promoted, int Published, int NotPublished)> SummaryAsync()
            {
                var row = (await JsonAsync(await hr.GetAsync("/api/v1/promotion-stories/summary")))[0];
                return (row.GetProperty("promoted").GetInt32(), row.GetProperty("published").GetInt32(), row.GetProperty("not_published").GetInt32());
            }
            Assert.Equal((1, 0, 1), await SummaryAsync());
            log.Clear();
            Assert.Equal((1, 0, 1), await SummaryAsync());
            // Nothing changed: the promotions are not grouped again (the two change counters are read instead).
            Assert.Empty(log.On("promotions"));
            Assert.Empty(log.On("promotion_stories"));

            // A draft through the API (counted with the rest as not published), then an outcome and a story corrected by plain
            // SQL: each shows at once.
            await StoryAsync(c["E1"], "c1");
            Assert.Equal((1, 0, 1), await SummaryAsync());
            await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE promotions SET outcome = 'promoted' WHERE employee_id = 'E3' AND cycle = 'c1'"));
            Assert.Equal((2, 0, 2), await SummaryAsync());
            await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE promotion_stories SET status = 'published' WHERE employee_id = 'E1'"));
            Assert.Equal((2, 1, 1), await SummaryAsync());
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_promotions_get_a_story_and_nothing_is_listed_before_its_subject_approves(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, Everyone);
        await PublishedCycleAsync(c);

        // The inbox asks the promoted person, and nobody else.
        var asked = await app.WithDbAsync(db => db.Notifications.Where(n => n.Link == "/promotions/story/c1").Select(n => n.EmployeeId).ToListAsync());
        Assert.Equal(["E1"], asked);

        // Declined, not promoted and deferred: no story, with a reason; nobody creates one for someone else.
        foreach (var (who, outcome) in new[] { ("E2", "declined"), ("E3", "not-promoted"), ("X1", "deferred") })
        {
            var refused = await c[who].PostAsJsonAsync("/api/v1/promotion-stories", new { cycle = "c1" });
            await AssertStatusAsync(HttpStatusCode.Conflict, refused, who);
            Assert.Contains($"is {outcome}: only a promotion gets a story", (await JsonAsync(refused)).GetProperty("detail").GetString());
            Assert.Equal(0, (await JsonAsync(await c[who].GetAsync("/api/v1/promotion-stories/mine"))).GetArrayLength());
        }
        foreach (var who in new[] { "E2", "M2", "M1", "H1", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PostAsJsonAsync("/api/v1/promotion-stories", new { cycle = "c1", employee_id = "E1" }), who);
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["E1"].PostAsJsonAsync("/api/v1/promotion-stories", new { cycle = "nope" }));
        var missing = await c["E1"].PostAsJsonAsync("/api/v1/promotion-stories", new { });
        await AssertStatusAsync(HttpStatusCode.BadRequest, missing);
        Assert.True((await JsonAsync(missing)).GetProperty("errors").TryGetProperty("cycle", out _));

        // Eli's draft, from his evidence: the care-for-people behaviours are where he most exceeds e2; a recognition in that value is pre-quoted.
        var draft = await StoryAsync(c["E1"], "c1");
        var id = draft.GetProperty("id").GetInt32();
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        var evidence = draft.GetProperty("evidence").EnumerateArray().ToList();
        Assert.Equal(["grows-others", "makes-it-safe-to-speak"], evidence.Take(2).Select(e => e.GetProperty("behavior").GetString()).Order());
        Assert.All(evidence.Take(2), e => Assert.True(e.GetProperty("above").GetDouble() > 1, e.ToString()));
        Assert.Contains("care-for-people", draft.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("key").GetString()));
        var named = draft.GetProperty("behaviors").EnumerateArray().Select(b => b.GetProperty("key").GetString()).ToList();
        Assert.Equal(["grows-others", "makes-it-safe-to-speak"], named.Take(2).Order());
        Assert.Contains("rec-eli-1", draft.GetProperty("quotes").EnumerateArray().Select(q => q.GetProperty("recognition_id").GetString()));
        Assert.Contains("grows other people", draft.GetProperty("text").GetString());
        Assert.Equal(2, draft.GetProperty("recognitions").GetArrayLength());
        Assert.Equal(id, (await StoryAsync(c["E1"], "c1", HttpStatusCode.OK)).GetProperty("id").GetInt32());

        // Not listed, not on his person page, not readable by anyone but him; HR sees only that it is not published.
        foreach (var who in new[] { "E1", "E2", "H1" }) Assert.Equal(0, await TotalAsync(c[who]));
        Assert.DoesNotContain(draft.GetProperty("headline").GetString()!, await (await c["E2"].GetAsync("/people/E1")).Content.ReadAsStringAsync());
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].GetAsync($"/api/v1/promotion-stories/{id}"));
        foreach (var who in new[] { "E2", "X1", "M2", "M1", "H1", "A1", "C1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync($"/api/v1/promotion-stories/{id}"), who);
        var summary = (await JsonAsync(await c["H1"].GetAsync("/api/v1/promotion-stories/summary")))[0];
        Assert.Equal((1, 0, 1), (summary.GetProperty("promoted").GetInt32(), summary.GetProperty("published").GetInt32(), summary.GetProperty("not_published").GetInt32()));
        Assert.False(summary.TryGetProperty("drafts", out _));
        Assert.DoesNotContain("Eli", await (await c["H1"].GetAsync("/api/v1/promotion-stories/summary")).Content.ReadAsStringAsync());
        foreach (var who in new[] { "E1", "M2", "A1" })
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/promotion-stories/summary"), who);

        // Only Eli edits, approves or declines: not a colleague, his managers, HR, the committee or the admin; anonymous is 401.
        foreach (var who in new[] { "E2", "X1", "M2", "M1", "H1", "A1", "C1" })
        {
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new { headline = "Not mine to write" }), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PostAsync($"/api/v1/promotion-stories/{id}/approve", null), who);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].PostAsync($"/api/v1/promotion-stories/{id}/decline", null), who);
        }
        var anonymous = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/promotion-stories")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/v1/promotion-stories/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new { headline = "x" })).StatusCode);

        // Bad input: field errors, nothing changed. A story quotes only recognition about its subject.
        var bad = await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new
        {
            headline = new string('h', PromotionStoryService.MaxHeadlineLength + 1), text = " ", values = new[] { "kindness" },
            quoted_recognition_ids = new[] { "rec-eva-1" },
        });
        await AssertStatusAsync(HttpStatusCode.BadRequest, bad);
        var errors = (await JsonAsync(bad)).GetProperty("errors");
        foreach (var field in new[] { "headline", "text", "values", "quoted_recognition_ids" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Contains("not one about you", errors.GetProperty("quoted_recognition_ids")[0].GetString());

        // Two tabs: the second save with the old version is refused.
        var version = draft.GetProperty("version").GetInt32();
        var edited = await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new
        {
            headline = "Eli grows the people around him", text = "I learnt most by teaching.", values = new[] { "care-for-people", "craft" },
            quoted_recognition_ids = new[] { "rec-eli-2", "rec-eli-1" }, version,
        });
        await AssertStatusAsync(HttpStatusCode.OK, edited);
        var stale = await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new { headline = "From the other tab", version });
        await AssertStatusAsync(HttpStatusCode.Conflict, stale);
        Assert.Equal(0, await TotalAsync(c["E2"]));

        // Approved: listed for everyone, filterable, on his person page, without the estimates; the approval is audit-logged.
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsJsonAsync($"/api/v1/promotion-stories/{id}/approve", new { version = version + 1 }));
        foreach (var who in new[] { "E2", "X1", "M2", "H1", "A1" }) Assert.Equal(1, await TotalAsync(c[who]));
        Assert.Equal(1, await TotalAsync(c["X1"], "?value=craft"));
        Assert.Equal(0, await TotalAsync(c["X1"], "?value=curiosity"));
        Assert.Equal(1, await TotalAsync(c["X1"], "?department=Engineering"));
        Assert.Equal(0, await TotalAsync(c["X1"], "?department=Sales"));
        var listed = (await JsonAsync(await c["X1"].GetAsync("/api/v1/promotion-stories"))).GetProperty("items")[0];
        Assert.Equal("Eli grows the people around him", listed.GetProperty("headline").GetString());
        Assert.Equal(["rec-eli-2", "rec-eli-1"], listed.GetProperty("quotes").EnumerateArray().Select(q => q.GetProperty("recognition_id").GetString()));
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("evidence").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(await c["X1"].GetAsync($"/api/v1/promotion-stories/{id}"))).GetProperty("evidence").ValueKind);
        Assert.Contains("Eli grows the people around him", await (await c["X1"].GetAsync("/people/E1")).Content.ReadAsStringAsync());
        foreach (var query in new[] { "", "?page=1", "?value=craft&department=Engineering" })
        {
            var promotions = await (await c["X1"].GetAsync("/promotions" + query)).Content.ReadAsStringAsync();
            Assert.Contains("Eli grows the people around him", promotions);
            Assert.DoesNotContain("role=\"alert\"", promotions);
        }
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "promotion_story.published" && a.ActorEmployeeId == "E1" && a.SubjectEmployeeId == "E1")));
        await AssertStatusAsync(HttpStatusCode.Conflict, await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new { headline = "Changed after publishing" }));

        // Withdrawn: gone from the list. If the promotion no longer stands, it cannot be approved again.
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/decline", null));
        Assert.Equal(0, await TotalAsync(c["X1"]));
        await app.WithDbAsync(async db =>
        {
            var record = await db.Promotions.SingleAsync(p => p.Cycle == "c1" && p.EmployeeId == "E1");
            record.Outcome = "not_promoted";
            await db.SaveChangesAsync();
        });
        var again = await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/approve", null);
        await AssertStatusAsync(HttpStatusCode.Conflict, again);
        Assert.Contains("only a promotion gets a story", (await JsonAsync(again)).GetProperty("detail").GetString());
        Assert.Equal(0, await TotalAsync(c["X1"]));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_decline_tells_no_one_neither_the_audit_log_nor_hrs_summary(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, Everyone);
        await PublishedCycleAsync(c);
        var id = (await StoryAsync(c["E1"], "c1")).GetProperty("id").GetInt32();
        async Task<(string Summary, string Page)> HrSeesAsync() => (
            await (await c["H1"].GetAsync("/api/v1/promotion-stories/summary")).Content.ReadAsStringAsync(),
            System.Text.RegularExpressions.Regex.Match(await (await c["H1"].GetAsync("/promotions")).Content.ReadAsStringAsync(),
                "<details[^>]*id=\"story-summary\".*?</details>", System.Text.RegularExpressions.RegexOptions.Singleline).Value);
        var before = await HrSeesAsync();
        Assert.Contains("Not published", before.Page);
        var lastEntry = await app.WithDbAsync(db => db.AuditLog.MaxAsync(e => e.Id));

        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/decline", null));

        // Nothing HR or an admin reads changed: the summary and the page count a draft and a decline alike as not published,
        // and no audit entry says that Eli, or anyone, declined.
        Assert.Equal(before, await HrSeesAsync());
        var written = await app.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Id > lastEntry)
            .Select(e => new { e.Action, e.ActorEmployeeId, e.SubjectEmployeeId }).ToListAsync());
        Assert.DoesNotContain(written, e => e.ActorEmployeeId == "E1" || e.SubjectEmployeeId == "E1" || e.Action.Contains("declin", StringComparison.Ordinal));
        foreach (var who in new[] { "H1", "A1" })
        {
            var log = await (await c[who].GetAsync("/api/v1/audit-log?page_size=200")).Content.ReadAsStringAsync();
            Assert.DoesNotContain("promotion_story.declined", log);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Approving_raises_promotion_story_published_and_withdrawing_raises_promotion_story_withdrawn_with_their_allowed_fields_only(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, Everyone);
        var created = await c["A1"].PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { EventTypes.PromotionStoryPublished, EventTypes.PromotionStoryWithdrawn } });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;
        await PublishedCycleAsync(c);

        var draft = await StoryAsync(c["E1"], "c1");
        var id = draft.GetProperty("id").GetInt32();
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new
        {
            headline = "Eli is now Senior Engineer", text = "Story-text-that-stays-inside", values = new[] { "craft", "care-for-people" },
            behaviors = new[] { "grows-others" }, quoted_recognition_ids = new[] { "rec-eli-2" },
        }));
        // Drafting and declining send nothing; approving sends one event.
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/decline", null));
        await Task.Delay(500);
        Assert.Empty(receiver.Accepted);
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{id}", new { headline = "Eli is now Senior Engineer" }));
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/approve", null));

        var got = await receiver.WaitForAsync(r => r.Count >= 1);
        await Task.Delay(500);
        got = receiver.Accepted;
        var single = Assert.Single(got);
        Assert.Equal(EventTypes.PromotionStoryPublished, single.Type);
        Assert.Equal(["current"], single.VerifiedBy);
        var data = single.Data;
        Assert.Equal(
            ["behaviors", "cycle", "employee_id", "employee_name", "from_level", "headline", "published_at", "story_id", "to_level", "values"],
            data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal((id, "c1", "E1", "Eli Engineer", "e2", "e3"), (data.GetProperty("story_id").GetInt32(), data.GetProperty("cycle").GetString(),
            data.GetProperty("employee_id").GetString(), data.GetProperty("employee_name").GetString(), data.GetProperty("from_level").GetString(), data.GetProperty("to_level").GetString()));
        Assert.Equal(["care-for-people", "craft"], data.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["grows-others"], data.GetProperty("behaviors").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Eli is now Senior Engineer", data.GetProperty("headline").GetString());
        // The story's text and quotes, and the recognition behind them, stay inside.
        Assert.DoesNotContain("Story-text-that-stays-inside", single.Body);
        Assert.DoesNotContain("cleanest migration", single.Body);

        // Withdrawing the published story tells the receiver to take it down: which story and when, nothing of it.
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{id}/decline", null));
        var withdrawn = (await receiver.WaitForAsync(r => r.Count >= 2)).Single(r => r.Type == EventTypes.PromotionStoryWithdrawn);
        Assert.Equal(["current"], withdrawn.VerifiedBy);
        Assert.Equal(["cycle", "employee_id", "story_id", "withdrawn_at"], withdrawn.Data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal((id, "c1", "E1"), (withdrawn.Data.GetProperty("story_id").GetInt32(), withdrawn.Data.GetProperty("cycle").GetString(),
            withdrawn.Data.GetProperty("employee_id").GetString()));
        Assert.DoesNotContain("Eli is now Senior Engineer", withdrawn.Body);
        // A draft declined again sends nothing more.
        await Task.Delay(500);
        Assert.Equal(2, receiver.Accepted.Count);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_culture_audit_counts_the_values_published_stories_name_next_to_the_drivers(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "A1", "E1");
        // Three promotions with stories: two published (one naming craft and curiosity, one craft), one still a draft; a fourth declined.
        await app.WithDbAsync(async db =>
        {
            var on = Today.AddDays(-40);
            foreach (var (who, outcome) in new[] { ("E1", "promoted"), ("E2", "promoted"), ("E3", "promoted"), ("X1", "declined") })
                db.Promotions.Add(new PromotionRecord { Cycle = "h1", EmployeeId = who, DecidedOn = on, FromLevel = "e2", ToLevel = "e3", Outcome = outcome });
            PromotionStory Story(string who, string status, params string[] values) => new()
            {
                Cycle = "h1", EmployeeId = who, FromLevel = "e2", ToLevel = "e3", Status = status, Headline = $"{who} story", Text = "Text",
                PublishedAt = status == "published" ? DateTimeOffset.UtcNow : null, Values = values.Select(v => new PromotionStoryValue { Value = v }).ToList(),
            };
            db.AddRange(Story("E1", "published", "craft", "curiosity"), Story("E2", "published", "craft"), Story("E3", "draft", "we-over-me"));
            await db.SaveChangesAsync();
        });

        var audit = await JsonAsync(await c["H1"].GetAsync("/api/v1/audit?recompute=true"));
        var section = audit.GetProperty("promotion_stories");
        Assert.Equal(2, section.GetProperty("stories").GetInt32());
        var values = section.GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("value").GetString()!, v => (v.GetProperty("stories").GetInt32(), v.GetProperty("share").GetDouble()));
        Assert.Equal((2, 1.0), values["craft"]);
        Assert.Equal((1, 0.5), values["curiosity"]);
        Assert.Equal((0, 0.0), values["we-over-me"]); // a draft is not celebrated
        Assert.Equal("craft", section.GetProperty("values")[0].GetProperty("value").GetString());
        Assert.Contains("2 published stories name most often craft (2 of 2)", section.GetProperty("reading").GetString());
        // The contract's fields are still there, unchanged in name.
        foreach (var field in new[] { "as_of", "cycles", "drivers", "say_do_index", "flags", "span_of_control", "groups" }) Assert.True(audit.TryGetProperty(field, out _), field);

        // On the dashboard, and as a download.
        var page = await (await c["H1"].GetAsync("/audit")).Content.ReadAsStringAsync();
        Assert.Contains("Celebrated and rewarded", page);
        var csv = await (await c["H1"].GetAsync("/audit/download/stories.csv")).Content.ReadAsStringAsync();
        Assert.Contains("craft,2,100.0%", csv);
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["E1"].GetAsync("/api/v1/audit"));
    }
}
