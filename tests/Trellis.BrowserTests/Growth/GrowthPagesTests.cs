using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Data;

namespace Trellis.BrowserTests.Growth;

public sealed class GrowthPagesTests(BrowserApp app) : IClassFixture<BrowserApp>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        if (db.Observations.Any()) return;
        // Two peers on E2's asks-why (one below the threshold of 3), a manager rating, and a self-rating.
        db.Observations.AddRange(
            new Observation { Id = "G1", SubjectId = "E2", RaterId = "E1", Relationship = "peer", Behavior = "asks-why", Rating = 4, ObservedOn = new(2026, 2, 1), Comment = "Peer comment one" },
            new Observation { Id = "G2", SubjectId = "E2", RaterId = "E3", Relationship = "peer", Behavior = "asks-why", Rating = 3, ObservedOn = new(2026, 2, 2), Comment = "Peer comment two" },
            new Observation { Id = "G3", SubjectId = "E2", RaterId = "M2", Relationship = "manager", Behavior = "asks-why", Rating = 4, ObservedOn = new(2026, 2, 3), Comment = "Asked why before the migration." },
            new Observation { Id = "G4", SubjectId = "E2", RaterId = "E2", Relationship = "self", Behavior = "asks-why", Rating = 5, ObservedOn = new(2026, 2, 4) });
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task My_growth_shows_the_profile_chart_and_its_table_for_every_behaviour()
    {
        var page = await app.SignedInPageAsync("E2");
        await page.GotoAsync("/growth");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My growth" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg.profile-chart")).ToBeVisibleAsync();
        var rows = page.Locator("#profile-table tbody tr");
        Assert.Equal(10, await rows.CountAsync()); // the sample framework has ten behaviours
        // The chart compares against the current level and the next level on both tracks.
        var header = await page.Locator("#profile-table thead").InnerTextAsync();
        Assert.Contains("Staff", header);       // e4, next on the expert track
        Assert.Contains("Manager", header);     // l4, the same step on the people-leader track
    }

    [Fact]
    public async Task The_evidence_under_a_behaviour_attributes_managers_and_holds_back_thin_peer_feedback()
    {
        var page = await app.SignedInPageAsync("E2");
        await page.GotoAsync("/growth/E2/evidence/asks-why");
        await Assertions.Expect(page.GetByText("Milo Manager")).ToBeVisibleAsync();
        // The subject sees nothing of the held-back group, not even how much is waiting; only how release works.
        await Assertions.Expect(page.GetByText("reaches you in batches")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator(".held-back").CountAsync());
        Assert.Equal(0, await page.GetByText("Peer comment one").CountAsync());
        Assert.Equal(0, await page.GetByText("Eli Engineer").CountAsync());
        // Their manager sees that it is held back, still without ratings, comments or names.
        var manager = await app.SignedInPageAsync("M2");
        await manager.GotoAsync("/growth/E2/evidence/asks-why");
        await Assertions.Expect(manager.Locator(".held-back")).ToContainTextAsync("fewer than 3 peers");
        Assert.Equal(0, await manager.GetByText("Peer comment one").CountAsync());
    }

    [Fact]
    public async Task A_manager_sees_their_line_on_my_team_and_an_outsider_is_refused_a_growth_page()
    {
        var manager = await app.SignedInPageAsync("M1");
        await manager.GotoAsync("/team");
        var names = await manager.Locator("#team-table tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(4, names.Count);
        await Assertions.Expect(manager.Locator("#team-table")).ToContainTextAsync("Eva Engineer");
        await Assertions.Expect(manager.Locator("tr[data-employee=E2] a", new() { HasText = "Request feedback" })).ToHaveAttributeAsync("href", "/feedback/request?subject=E2");

        var outsider = await app.SignedInPageAsync("X1");
        var response = await outsider.GotoAsync("/growth/E2");
        Assert.Equal(403, response!.Status);
    }
}
