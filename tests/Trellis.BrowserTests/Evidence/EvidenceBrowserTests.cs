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
        // In words: who and what, never the observation's id.
        await Assertions.Expect(page.Locator("#saved")).ToContainTextAsync("Saved your feedback for Eli Engineer");
        await Assertions.Expect(page.Locator("#saved")).Not.ToContainTextAsync("OBS-");
        await Assertions.Expect(page.Locator("#saved")).ToContainTextAsync("peer");
        await Assertions.Expect(page.Locator("#saved-warnings mark").First).ToBeVisibleAsync();

        // Second thoughts within 7 days: the comment is rewritten (the quality check runs again), then withdrawn.
        await page.Locator("#saved").GetByRole(AriaRole.Link, new() { Name = "change or withdraw it" }).ClickAsync();
        var form = page.Locator("#edit-feedback");
        await Assertions.Expect(form).ToContainTextAsync("Eli Engineer");
        await form.Locator("input[name=rating][value='3']").CheckAsync();
        await form.Locator("textarea[name=comment]").FillAsync("In the planning meeting he asked who the report was for, and we dropped two unused fields.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save the change" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("earlier version is kept");
        var row = page.Locator("#given tbody tr").Filter(new() { HasText = "Eli Engineer" });
        await Assertions.Expect(row).ToContainTextAsync("(version 2)");
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("3");
        await row.GetByRole(AriaRole.Button, new() { Name = "Withdraw feedback on Eli Engineer" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("withdrawn");
        await Assertions.Expect(page.Locator("#given tbody tr").Filter(new() { HasText = "Eli Engineer" })).ToHaveCountAsync(0);
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
