using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;

namespace Trellis.BrowserTests.Evidence;

public sealed class EvidenceBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Giving_feedback_shows_a_quality_warning_while_typing_and_saves()
    {
        var page = await app.SignedInPageAsync("E2");
        await page.GotoAsync("/feedback/give?subject=E1&behavior=asks-why");
        await Assertions.Expect(page.GetByLabel("Colleague")).ToHaveValueAsync("Eli Engineer (E1)");

        // Changing the behaviour swaps the five anchors shown next to the rating.
        await page.Locator("#behavior").SelectOptionAsync("raises-the-quality-bar");
        await Assertions.Expect(page.Locator(".anchor[data-rating='1']")).ToContainTextAsync("known defects");
        await page.Locator("#behavior").SelectOptionAsync("asks-why");
        await Assertions.Expect(page.Locator(".anchor[data-rating='3']")).ToContainTextAsync("asks who it is for");

        await page.Locator("input[name=rating][value='4']").CheckAsync();
        await page.Locator("#comment").PressSequentiallyAsync("Great job, he is so smart.", new() { Delay = 10 });
        await Assertions.Expect(page.Locator("#quality li[data-code='personality']")).ToContainTextAsync("judges the person");
        await Assertions.Expect(page.Locator("#quality li[data-code='vague_generic_praise']")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Save feedback" }).ClickAsync();
        await Assertions.Expect(page.Locator("#saved")).ToContainTextAsync("Saved feedback OBS-");
        await Assertions.Expect(page.Locator("#saved")).ToContainTextAsync("peer");
        await Assertions.Expect(page.Locator("#saved-warnings mark").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_specific_comment_gets_no_warning_and_a_missing_rating_is_reported_on_the_page()
    {
        var page = await app.SignedInPageAsync("M2");
        await page.GotoAsync("/feedback/give?subject=E2&behavior=asks-why");
        await page.Locator("#comment").FillAsync("In Tuesday's planning she asked who the report was for, and we dropped two unused fields.");
        await Assertions.Expect(page.Locator("#quality")).ToContainTextAsync("Specific and about behaviour");
        // Skip the browser's own required check to see the server's message.
        await page.Locator("#give-feedback").EvaluateAsync("f => f.noValidate = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save feedback" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rating-error")).ToContainTextAsync("Choose a rating");
    }

    [Fact]
    public async Task Giving_recognition_shows_it_in_the_feed()
    {
        var page = await app.SignedInPageAsync("E1");
        await page.GotoAsync("/recognition");
        await page.GetByLabel("Colleague").FillAsync("Ezra Engineer (E3)");
        await page.Locator("#give-recognition select[name=value]").SelectOptionAsync("craft");
        await page.GetByLabel("Message — what did they do?").FillAsync("Wrote the migration guide that let three teams upgrade without help.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Give recognition" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in the feed");
        var first = page.Locator("#recognition-feed li").First;
        await Assertions.Expect(first).ToContainTextAsync("Eli Engineer recognised Ezra Engineer");
        await Assertions.Expect(first).ToContainTextAsync("Wrote the migration guide");
    }
}
