using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.Audit;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Core;
using Trellis.Data;

namespace Trellis.BrowserTests.Audit;

/// <summary>The small test organisation plus a synthetic promotion history.</summary>
public sealed class AuditBrowserApp() : IAsyncLifetime
{
    public BrowserApp App { get; } = new()
    {
        Seed = async services =>
        {
            await BrowserApp.SeedAsync(services);
            await SyntheticHistory.SeedAsync(services.GetRequiredService<TrellisDb>(), new SyntheticHistory.Shape(People: 400, Cycles: 2, Observations: 2000));
        },
    };

    public Task InitializeAsync() => App.InitializeAsync();
    public Task DisposeAsync() => App.DisposeAsync();
}

public sealed class AuditDashboardTests(AuditBrowserApp fixture) : IClassFixture<AuditBrowserApp>
{
    private BrowserApp App => fixture.App;

    [Fact]
    public async Task The_dashboard_shows_the_span_chart_and_its_table_with_the_same_numbers()
    {
        var page = await App.SignedInPageAsync("H1");
        await page.GotoAsync("/audit");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Culture audit");
        var chart = page.Locator("svg#chart-span");
        await Assertions.Expect(chart).ToBeVisibleAsync();
        var over = chart.Locator("rect.bar.over");
        Assert.True(await over.CountAsync() >= 1);
        // The outlier bar's tooltip and the table beside it name the same number of direct reports.
        var title = await over.Last.Locator("title").TextContentAsync();
        var reports = title!.Split(' ')[0];
        await Assertions.Expect(page.Locator("#table-span_of_control td[data-col=direct_reports]").First).ToHaveTextAsync(reports);
        await Assertions.Expect(page.Locator("svg#chart-say-do")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg#chart-recognition")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#table-cycles tbody tr")).ToHaveCountAsync(2);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#span a", new() { HasText = "CSV" }).ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);

        // Every table fits its section: its last column (impact ratio, Fisher p, adverse; the reason a segment was skipped)
        // is not cut off by the chart beside it.
        var clipped = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.audit-section table')].filter(t => {
                const last = t.querySelector('thead th:last-child');
                return last && last.getBoundingClientRect().right > t.closest('.audit-section').getBoundingClientRect().right + 1;
            }).map(t => t.id)
            """);
        Assert.Empty(clipped);
    }

    [Fact]
    public async Task The_printable_report_renders_the_charts_and_tables_for_print()
    {
        var page = await App.SignedInPageAsync("A1");
        await page.GotoAsync("/audit");
        await page.GetByRole(AriaRole.Link, new() { Name = "Printable report" }).ClickAsync();
        await page.WaitForURLAsync("**/audit/report");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(page.Locator(".topbar")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".downloads").First).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("svg#chart-tracks")).ToBeVisibleAsync();
        var expertE2 = page.Locator("#table-tracks tr", new() { HasText = "e2" }).Locator("td[data-col=people]");
        var people = await expertE2.TextContentAsync();
        // The chart names the level ("Professional (e2)"), like the table beside it.
        await Assertions.Expect(page.Locator("svg#chart-tracks title", new() { HasText = "(e2):" })).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^\S.* \(e2\): {people}$"));
        var pdf = await page.PdfAsync();
        Assert.True(pdf.Length > 10_000);
    }

    [Fact]
    public async Task Employees_are_turned_away_from_the_audit()
    {
        var page = await App.SignedInPageAsync("E1");
        await page.GotoAsync("/audit");
        Assert.Contains("/denied", page.Url);
    }
}

/// <summary>The audit recomputed in the background after a change: its own server, since it changes the history.</summary>
public sealed class AuditUpdatingTests(AuditBrowserApp fixture) : IClassFixture<AuditBrowserApp>
{
    private BrowserApp App => fixture.App;

    [Fact]
    public async Task The_dashboard_shows_updating_while_the_audit_is_recomputed_then_the_new_figures_without_a_reload()
    {
        var audit = App.Services.GetRequiredService<AuditService>();
        var page = await App.SignedInPageAsync("H1");
        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#table-cycles tbody tr")).ToHaveCountAsync(2);
        // Marks this document: a reload would lose it.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var hold = new TaskCompletionSource();
        audit.BeforeBackgroundCompute = () => hold.Task;
        try
        {
            // A third cycle is decided (as a publication or an import would record it): the audit is now behind the data.
            using (var scope = App.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
                db.Promotions.AddRange(Enumerable.Range(0, 40).Select(i => new PromotionRecord
                {
                    Cycle = "C03-2026-H1", EmployeeId = SyntheticHistory.Id(i * 7), DecidedOn = new DateOnly(2026, 7, 31),
                    FromLevel = "e2", ToLevel = "e3", Outcome = i % 3 == 0 ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted,
                }));
                await db.SaveChangesAsync();
            }

            // The dashboard notices by itself, says it is updating, and keeps showing the last figures meanwhile.
            var updating = page.Locator("#audit-updating");
            await Assertions.Expect(updating).ToBeVisibleAsync();
            await Assertions.Expect(updating).ToContainTextAsync("updating… (started ");
            await Assertions.Expect(page.Locator("#table-cycles tbody tr")).ToHaveCountAsync(2);

            hold.SetResult();
            await Assertions.Expect(page.Locator("#table-cycles tbody tr")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("#table-cycles")).ToContainTextAsync("C03-2026-H1");
            await Assertions.Expect(updating).ToBeHiddenAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded");
        }
        finally
        {
            audit.BeforeBackgroundCompute = null;
            hold.TrySetResult();
        }
    }
}
