using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Data;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Cycles;

/// <summary>The test organisation with evidence and results for four candidates, so that each has a point on the grid.</summary>
public sealed class GridApp : BrowserApp
{
    public static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    public GridApp() => Seed = async services =>
    {
        await SeedAsync(services);
        var db = services.GetRequiredService<TrellisDb>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var n = 0;
        // A few raters only for X1, so that their interval is wide and may cross the target line.
        foreach (var (subject, rating, results, raters) in new (string, int, double, string[])[]
                 { ("E1", 4, 3.4, ["M1", "M2", "H1", "C1"]), ("E2", 5, 2.5, ["M1", "M2", "H1", "C1"]), ("E3", 3, 4.2, ["M1", "M2", "H1", "C1"]), ("X1", 3, 3.6, ["H1"]) })
        {
            foreach (var rater in raters)
                foreach (var behavior in Behaviors)
                    db.Observations.Add(new Observation
                    {
                        Id = $"G{++n}", SubjectId = subject, RaterId = rater, Relationship = "other", Behavior = behavior,
                        Rating = Math.Clamp(rating + (n % 3 == 0 ? 1 : 0) - (n % 5 == 0 ? 1 : 0), 1, 5), ObservedOn = today.AddDays(-20 - n % 40),
                        ReleasedAt = DateTimeOffset.UtcNow,
                    });
            db.Results.Add(new ResultRecord { EmployeeId = subject, Period = "2025-H2", PeriodEnd = today.AddDays(-40), Score = results });
        }
        await db.SaveChangesAsync();
    };
}

public sealed class TalentGridBrowserTests(GridApp app) : IClassFixture<GridApp>
{
    private async Task PostAsync(IPage page, string path, Dictionary<string, object?> body)
    {
        var r = await page.APIRequest.PostAsync(path, new() { DataObject = body, Headers = new Dictionary<string, string> { ["Origin"] = app.BaseUrl } });
        Assert.True(r.Ok, $"{path}: {r.Status} {await r.TextAsync()}");
    }

    [Fact]
    public async Task The_board_opens_a_grid_whose_points_name_the_candidate_and_open_their_review()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var hr = await app.SignedInPageAsync("H1");
        await PostAsync(hr, "/api/v1/cycles", new() { ["name"] = "grid-1", ["opens_on"] = today.AddDays(-1).ToString("yyyy-MM-dd"), ["closes_on"] = today.AddDays(60).ToString("yyyy-MM-dd"), ["budget"] = 3, ["committee"] = new[] { "C1" } });
        foreach (var (who, target) in new[] { ("E1", "e3"), ("E2", "e4"), ("E3", "l4"), ("X1", "e4") })
            await PostAsync(hr, "/api/v1/cycles/grid-1/nominations", new() { ["employee_id"] = who, ["target_level"] = target, ["rationale"] = "Leads the design reviews." });

        var cora = await app.SignedInPageAsync("C1");
        await cora.GotoAsync("/cycles/grid-1/board");
        await cora.GetByTestId("grid-view").ClickAsync();
        await cora.WaitForURLAsync("**/cycles/grid-1/grid");
        var grid = cora.GetByTestId("talent-grid");
        await Expect(grid.Locator(".grid-point")).ToHaveCountAsync(4);
        await Expect(grid).ToContainTextAsync("ready on how they work, results below the gate");
        await Expect(grid).ToContainTextAsync("results gate 3");
        // Hovering names the candidate (the point's title), and the label shows their answer.
        var eva = grid.Locator(".grid-point[data-employee=E2]");
        await Expect(eva.Locator("title")).ToContainTextAsync("Eva Engineer (E2)");
        await Expect(eva).ToContainTextAsync("no answer yet");
        await eva.Locator("circle.point").HoverAsync();
        await cora.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "trellis-talent-grid.png"), FullPage = true });

        // Filters carry over; the printed page hides them and keeps the grid.
        await cora.GetByLabel("Band").SelectOptionAsync("blocked");
        await cora.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(cora.GetByTestId("talent-grid").Locator(".grid-point[data-employee=E2]")).ToHaveCountAsync(1);
        await Expect(cora.GetByTestId("talent-grid").Locator(".grid-point")).ToHaveCountAsync(1);
        await cora.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(cora.Locator("form.filters")).ToBeHiddenAsync();
        await Expect(cora.GetByTestId("talent-grid")).ToBeVisibleAsync();
        await cora.EmulateMediaAsync(new() { Media = Media.Screen });

        // Clicking a point opens the candidate's review.
        await cora.GetByTestId("talent-grid").Locator(".grid-point[data-employee=E2] circle.point").ClickAsync();
        await cora.WaitForURLAsync("**/cycles/grid-1/board/*");
        await Expect(cora.Locator("h1")).ToContainTextAsync("Eva Engineer");
    }
}
