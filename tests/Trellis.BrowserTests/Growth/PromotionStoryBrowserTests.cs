using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Data;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Growth;

/// <summary>The organisation with evidence for Eli (strong on care for people) and recognitions he may quote.</summary>
public sealed class StoryApp : BrowserApp
{
    public StoryApp() => Seed = async services =>
    {
        await SeedAsync(services);
        var db = services.GetRequiredService<TrellisDb>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var n = 0;
        foreach (var rater in new[] { "M1", "M2", "H1", "C1", "X1", "E2" })
            foreach (var behavior in Cycles.GridApp.Behaviors)
                db.Observations.Add(new Observation
                {
                    Id = $"S{++n}", SubjectId = "E1", RaterId = rater, Relationship = "other", Behavior = behavior,
                    Rating = behavior is "grows-others" or "makes-it-safe-to-speak" ? 5 : 3, ObservedOn = today.AddDays(-20 - n % 40), ReleasedAt = DateTimeOffset.UtcNow,
                });
        db.Recognitions.Add(new Recognition { Id = "rec-1", FromId = "E2", ToId = "E1", Value = "care-for-people", Behavior = "grows-others", Message = "Paired with me every week until I could ship alone.", GivenOn = today.AddDays(-12) });
        db.Recognitions.Add(new Recognition { Id = "rec-2", FromId = "E3", ToId = "E1", Value = "craft", Message = "The cleanest migration I have reviewed.", GivenOn = today.AddDays(-30) });
        await db.SaveChangesAsync();
    };
}

public sealed class PromotionStoryBrowserTests(StoryApp app) : IClassFixture<StoryApp>
{
    private async Task PostAsync(IPage page, string path, Dictionary<string, object?> body)
    {
        var r = await page.APIRequest.PostAsync(path, new() { DataObject = body, Headers = new Dictionary<string, string> { ["Origin"] = app.BaseUrl } });
        Assert.True(r.Ok, $"{path}: {r.Status} {await r.TextAsync()}");
    }

    private static string Shot(string name) => Path.Combine(Path.GetTempPath(), $"trellis-{name}.png");

    [Fact]
    public async Task A_promoted_person_approves_their_story_from_the_inbox_and_it_appears_on_the_promotions_page()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var hr = await app.SignedInPageAsync("H1");
        await PostAsync(hr, "/api/v1/cycles", new() { ["name"] = "story-1", ["opens_on"] = today.AddDays(-1).ToString("yyyy-MM-dd"), ["closes_on"] = today.AddDays(60).ToString("yyyy-MM-dd"), ["budget"] = 3, ["committee"] = new[] { "C1" } });
        var nomination = await hr.APIRequest.PostAsync("/api/v1/cycles/story-1/nominations", new()
        {
            DataObject = new Dictionary<string, object?> { ["employee_id"] = "E1", ["target_level"] = "e3", ["rationale"] = "Grows the juniors." },
            Headers = new Dictionary<string, string> { ["Origin"] = app.BaseUrl },
        });
        Assert.True(nomination.Ok, await nomination.TextAsync());
        var id = (await nomination.JsonAsync())!.Value.GetProperty("id").GetInt32();
        var eli = await app.SignedInPageAsync("E1");
        await PostAsync(eli, $"/api/v1/nominations/{id}/response", new() { ["choice"] = "accept" });
        await PostAsync(hr, "/api/v1/cycles/story-1/phase", new() { ["phase"] = "calibration" });
        var cora = await app.SignedInPageAsync("C1");
        await PostAsync(cora, $"/api/v1/nominations/{id}/decision", new() { ["outcome"] = "promoted", ["rationale"] = "Consistent evidence from several raters." });
        await PostAsync(hr, "/api/v1/cycles/story-1/publish", new() { ["override_reason"] = "Everyone has answered." });

        // Nothing is on the Promotions page before Eli approves.
        var eva = await app.SignedInPageAsync("E2");
        await eva.GotoAsync("/promotions");
        await Expect(eva.Locator("#no-stories")).ToBeVisibleAsync();

        // The inbox asks Eli; the link opens his draft, made from his evidence.
        await eli.GotoAsync("/inbox");
        await eli.Locator("ul.inbox").GetByRole(AriaRole.Link, new() { Name = "Share the story of your promotion?" }).ClickAsync();
        await eli.WaitForURLAsync("**/promotions/story/story-1");
        await Expect(eli.GetByTestId("story-status")).ToHaveTextAsync("draft");
        await Expect(eli.Locator(".inbox-banner")).Not.ToContainTextAsync("Share the story");
        await Expect(eli.Locator("#story-evidence")).ToContainTextAsync("Grows other people");
        await Expect(eli.GetByLabel("Care for people", new() { Exact = true })).ToBeCheckedAsync();
        await eli.ScreenshotAsync(new() { Path = Shot("story-draft"), FullPage = true });

        // Too long a headline is refused on the page, with the story kept.
        await eli.GetByLabel("Headline").EvaluateAsync("e => e.removeAttribute('maxlength')");
        await eli.GetByLabel("Headline").FillAsync(new string('x', 130));
        await eli.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(eli.GetByRole(AriaRole.Alert)).ToContainTextAsync("At most 120 characters");

        await eli.GetByLabel("Headline").FillAsync("Eli grows the people around him");
        await eli.GetByLabel("Story").FillAsync("Teaching taught me the most. Thank you to everyone who paired with me.");
        await eli.GetByLabel("The cleanest migration I have reviewed.", new() { Exact = false }).CheckAsync();
        // The values are Eli's to choose: care for people and craft only.
        foreach (var value in new[] { "Curiosity", "Ownership and candour", "We over me" })
            await eli.GetByLabel(value, new() { Exact = true }).SetCheckedAsync(false);
        await eli.GetByLabel("Craft", new() { Exact = true }).SetCheckedAsync(true);
        await eli.GetByRole(AriaRole.Button, new() { Name = "Approve and publish" }).ClickAsync();
        await Expect(eli.GetByTestId("story-notice")).ToContainTextAsync("Published");
        await Expect(eli.GetByTestId("story-status")).ToHaveTextAsync("published");

        // Everyone sees it on the Promotions page (from the menu) and on Eli's person page; the value filter keeps it.
        await eva.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Promotions" }).ClickAsync();
        await eva.WaitForURLAsync("**/promotions");
        var story = eva.Locator("#stories article.story");
        await Expect(story).ToHaveCountAsync(1);
        await Expect(eva.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Expect(story.Locator("h3")).ToHaveTextAsync("Eli grows the people around him");
        await Expect(story).ToContainTextAsync("The cleanest migration I have reviewed.");
        await Expect(story.Locator(".story-values a.value")).ToHaveTextAsync(["Craft", "Care for people"]);
        await eva.ScreenshotAsync(new() { Path = Shot("promotions"), FullPage = true });
        await eva.GetByLabel("Value").SelectOptionAsync("curiosity");
        await eva.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(eva.Locator("#no-stories")).ToBeVisibleAsync();
        await eva.GotoAsync("/people/E1");
        await Expect(eva.Locator("#promotion-stories")).ToContainTextAsync("Eli grows the people around him");
        await eva.ScreenshotAsync(new() { Path = Shot("person-story"), FullPage = true });

        // HR's culture audit counts the values the published story names, beside what predicts promotion.
        await hr.GotoAsync("/audit");
        await Expect(hr.Locator("#stories-reading")).ToContainTextAsync("1 published story names", new() { Timeout = 90_000 });
        await Expect(hr.Locator("#table-stories td[data-col=value]").First).ToHaveTextAsync("craft");
        await hr.Locator("#stories").ScreenshotAsync(new() { Path = Shot("audit-stories") });

        // Someone else opening Eli's story address gets no story of theirs.
        var refused = await eva.GotoAsync("/promotions/story/story-1");
        Assert.Equal(404, refused!.Status);
    }
}
