using Microsoft.Playwright;
using Trellis.BrowserTests.Cycles;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Growth;

public sealed class DevelopmentPlanBrowserTests(GridApp app) : IClassFixture<GridApp>
{
    [Fact]
    public async Task A_manager_starts_a_plan_from_a_reports_growth_page_and_the_person_follows_it()
    {
        var due = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14).ToString("yyyy-MM-dd");
        var milo = await app.SignedInPageAsync("M2");
        await milo.GotoAsync("/growth/E1");
        await milo.GetByTestId("start-plan").ClickAsync();
        await milo.WaitForURLAsync("**/plans/new?employee=E1");
        await milo.GetByLabel("Asks why before acting").CheckAsync();
        await milo.GetByLabel("Grows other people").CheckAsync();
        await milo.GetByLabel("Behaviour of action 1").SelectOptionAsync("asks-why");
        await milo.GetByLabel("Action 1", new() { Exact = true }).FillAsync("Ask why twice in every planning meeting");
        await milo.GetByLabel("Due date of action 1").FillAsync(due);
        // Forgetting the second behaviour's action is refused on the page, with what was typed kept.
        await milo.GetByRole(AriaRole.Button, new() { Name = "Start the plan" }).ClickAsync();
        await Expect(milo.GetByRole(AriaRole.Alert)).ToContainTextAsync("Grows other people");
        await milo.GetByLabel("Behaviour of action 2").SelectOptionAsync("grows-others");
        await milo.GetByLabel("Action 2", new() { Exact = true }).FillAsync("Pair with a junior on a design review");
        await milo.GetByLabel("Due date of action 2").FillAsync(due);
        await milo.GetByLabel("Watcher 1").FillAsync("E2");
        await milo.GetByRole(AriaRole.Button, new() { Name = "Start the plan" }).ClickAsync();
        await milo.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/plans/\d+$"));
        var planUrl = milo.Url;
        await Expect(milo.Locator("section.plan-behavior")).ToHaveCountAsync(2);
        await Expect(milo.Locator("section.plan-behavior svg.plan-chart line.plan-start")).ToHaveCountAsync(2);
        await milo.GetByLabel("Comment").FillAsync("Good start: I will watch the planning meetings.");
        await milo.GetByRole(AriaRole.Button, new() { Name = "Add comment" }).ClickAsync();
        await Expect(milo.GetByTestId("plan-comments")).ToContainTextAsync("Milo Manager");

        // Eva, the watcher, has the feedback request on exactly these behaviours.
        var eva = await app.SignedInPageAsync("E2");
        await eva.GotoAsync("/feedback/inbox");
        await Expect(eva.Locator("main")).ToContainTextAsync("Asks why before acting");

        // Eli sees his plan, marks an action done, and closes it as met.
        var eli = await app.SignedInPageAsync("E1");
        await eli.GotoAsync("/plans");
        await eli.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "Eli Engineer" }).ClickAsync();
        await eli.WaitForURLAsync(planUrl);
        await eli.Locator("section.plan-behavior[data-behavior=asks-why]").GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();
        await Expect(eli.Locator("section.plan-behavior[data-behavior=asks-why]")).ToContainTextAsync("done ");
        await eli.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "trellis-development-plan.png"), FullPage = true });
        await eli.GetByLabel("Outcome").SelectOptionAsync("met");
        await eli.GetByRole(AriaRole.Button, new() { Name = "Close the plan" }).ClickAsync();
        await Expect(eli.GetByTestId("plan-status")).ToHaveTextAsync("met");

        // Someone outside the scope is refused.
        var xavi = await app.SignedInPageAsync("X1");
        var refused = await xavi.GotoAsync(planUrl);
        Assert.Equal(403, refused!.Status);
    }
}
