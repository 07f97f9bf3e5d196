using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;

namespace Trellis.BrowserTests.Framework;

/// <summary>
/// The complete framework editor in a browser (issue 11): HR adds a behaviour with its five anchors and retires another.
/// Its own fixture (a database of its own), because adding and retiring change what the other framework tests count.
/// Screenshots go to trellis-framework-editor-*.png in the temp folder.
/// </summary>
public sealed class FrameworkEditorBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Shot(string name) => Path.Combine(Path.GetTempPath(), $"trellis-framework-editor-{name}.png");

    [Fact]
    public async Task HR_adds_a_behaviour_with_its_anchors_and_retires_another_and_both_show_in_the_diff()
    {
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/framework");
        await page.Locator("section#value-curiosity").GetByRole(AriaRole.Link, new() { Name = "Add a behaviour" }).ClickAsync();
        await page.WaitForURLAsync("**/framework/values/curiosity/behaviors/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Add a behaviour to “Curiosity”");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Shares what they learn");
        await page.GetByLabel("Key").FillAsync("shares-learning");
        await page.GetByLabel("Description").FillAsync("Tells the team what they learned while they learn it.");
        string[] anchors =
        [
            "Keeps what they learn to themselves.",
            "Shares a lesson when asked.",
            "Writes up what they learned after each piece of work.",
            "Shares while learning, so others avoid the same dead ends.",
            "Sets up the way the whole team learns in the open.",
        ];
        for (var r = 0; r < 5; r++) await page.GetByLabel($"Anchor {r + 1}").FillAsync(anchors[r]);
        await page.GetByLabel("Note for this version").FillAsync("A behaviour for learning in public");
        await page.ScreenshotAsync(new() { Path = Shot("1-add-form"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add as new version" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version 2");
        var row = page.Locator("tr#shares-learning");
        await Assertions.Expect(row.Locator("th")).ToContainTextAsync("Shares what they learn");
        for (var r = 0; r < 5; r++) await Assertions.Expect(row.Locator($"td[data-rating='{r + 1}']")).ToHaveTextAsync(anchors[r]);

        // Retire "Asks why before acting": it stays on the page, dated and dimmed, with its anchors.
        await page.GetByRole(AriaRole.Button, new() { Name = "Retire Asks why before acting" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version 3");
        var retired = page.Locator("tr#asks-why");
        await Assertions.Expect(retired).ToHaveClassAsync(new Regex("retired"));
        await Assertions.Expect(retired.Locator(".badge.retired")).ToContainTextAsync("retired");
        await Assertions.Expect(retired.GetByRole(AriaRole.Button, new() { Name = "Put Asks why before acting back in use" })).ToBeVisibleAsync();
        await page.Locator("section#value-curiosity").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Shot("2-framework-after"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "See what changed" }).ClickAsync();
        var changes = page.GetByRole(AriaRole.Table, new() { Name = "Structural changes" });
        await Assertions.Expect(changes).ToContainTextAsync("Behaviour 'Asks why before acting' retired");
        await page.ScreenshotAsync(new() { Path = Shot("3-diff-retired"), FullPage = true });
        await page.GotoAsync("/framework/diff?from=1&to=2");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Structural changes" })).ToContainTextAsync("Behaviour 'Shares what they learn' added under 'Curiosity'");

        // Feedback is offered on the new behaviour, no longer on the retired one.
        await page.GotoAsync("/feedback/give");
        await Assertions.Expect(page.Locator("select#behavior option[value='shares-learning']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("select#behavior option[value='asks-why']")).ToHaveCountAsync(0);
    }
}
