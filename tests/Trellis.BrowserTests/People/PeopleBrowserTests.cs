using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Data;

namespace Trellis.BrowserTests.People;

public sealed class PeopleBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_directory_searches_and_filters_and_links_to_a_person()
    {
        var page = await app.SignedInPageAsync("X1");
        await page.GotoAsync("/people");
        await page.GetByLabel("Search").FillAsync("engineer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var rows = page.Locator("#directory tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);

        await page.GetByLabel("Level").SelectOptionAsync("e3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("1–2 of 2 people");
        await Assertions.Expect(page.GetByLabel("Search")).ToHaveValueAsync("engineer");

        await page.GetByRole(AriaRole.Link, new() { Name = "Eva Engineer" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Eva Engineer");
    }

    [Fact]
    public async Task A_person_page_shows_level_since_when_the_chain_and_direct_reports()
    {
        var page = await app.SignedInPageAsync("E1");
        await page.GotoAsync("/people/E1");
        await Assertions.Expect(page.Locator("#facts")).ToContainTextAsync("2020-01-06");
        await Assertions.Expect(page.Locator("#facts")).ToContainTextAsync("e2");
        var chain = page.Locator("#manager-chain li");
        await Assertions.Expect(chain).ToHaveCountAsync(3);
        await Assertions.Expect(chain.First).ToContainTextAsync("Milo Manager");

        await chain.First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Milo Manager");
        await Assertions.Expect(page.Locator("#direct-reports")).ToContainTextAsync("Eli Engineer");
        await Assertions.Expect(page.Locator("#direct-reports")).ToContainTextAsync("Eva Engineer");
    }

    [Fact]
    public async Task The_org_chart_expands_on_click_and_finds_a_person_along_their_chain()
    {
        var page = await app.SignedInPageAsync("E2");
        await page.GotoAsync("/org");
        var cora = page.Locator("#org-tree > li[data-id='C1']");
        await Assertions.Expect(cora).ToContainTextAsync("Cora Committee");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the direct reports of Cora Committee" }).ClickAsync();
        await Assertions.Expect(cora.Locator("li[data-id='M1']")).ToContainTextAsync("Mira Manager");
        await Assertions.Expect(cora).ToHaveAttributeAsync("aria-expanded", "true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the direct reports of Mira Manager" }).ClickAsync();
        await Assertions.Expect(cora.Locator("li[data-id='E3']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("li[data-id='E1']")).ToHaveCountAsync(0);

        await page.GetByLabel("Find person").FillAsync("Eli");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Eli Engineer (E1) — Eli" }).ClickAsync();
        var eli = page.Locator("li[data-id='E1'] > .org-node");
        await Assertions.Expect(eli).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("focused"));
        await Assertions.Expect(page.Locator("li[data-id='M2']")).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(page.Locator("#org-error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Span_of_control_highlights_an_over_limit_manager_sorts_and_downloads_csv()
    {
        using (var scope = app.Services.CreateScope())
        {
            // Thirteen people under Arno (A1, an expert with no team): over the limit of 12, whatever the order of the tests.
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            if (!await db.Employees.AnyAsync(e => e.Id == "N01"))
            {
                for (var i = 1; i <= 13; i++)
                    db.Employees.Add(new Employee { Id = $"N{i:00}", Name = $"Newcomer {i:00}", Email = $"n{i}@example.test", ManagerId = "A1", Department = "IT", Track = "expert", Level = "e1", HireDate = new(2024, 1, 1) });
                await db.SaveChangesAsync();
            }
        }
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/span");
        var arno = page.Locator("#span tbody tr[data-manager='A1']");
        await Assertions.Expect(arno).ToHaveClassAsync("over");
        await Assertions.Expect(arno).ToContainTextAsync("over the organisation's limit");
        // The most serious finding comes first.
        await Assertions.Expect(page.Locator("#span tbody tr").First).ToHaveAttributeAsync("data-manager", "A1");
        await Assertions.Expect(page.Locator("#span-summary")).ToContainTextAsync("1 over the limit of 12");

        await page.GetByRole(AriaRole.Link, new() { Name = "Manager", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**sort=name**");
        await Assertions.Expect(page.Locator("#span tbody tr").First).ToHaveAttributeAsync("data-manager", "A1"); // Arno sorts first by name
        await page.GetByRole(AriaRole.Link, new() { Name = "Manager", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**dir=desc**");
        await Assertions.Expect(page.Locator("#span tbody tr").Last).ToHaveAttributeAsync("data-manager", "A1");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        Assert.Equal("span-of-control.csv", download.SuggestedFilename);
        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal("manager_id,name,title,department,track,level,direct_reports,total_reports,range_min,range_max,limit,status", lines[0]);
        Assert.Contains("A1,Arno Admin,Arno,IT,expert,e4,13,13,0,0,12,over_limit", lines);
    }
}
