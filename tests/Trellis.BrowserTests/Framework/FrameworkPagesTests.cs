using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Core.Framework;
using Trellis.Framework;

namespace Trellis.BrowserTests.Framework;

// Tests that save edit different behaviours (shares-credit, learns-in-the-open) from those the others read, so order does not matter.
public sealed class FrameworkPagesTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static readonly CareerFramework Sample = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;

    [Fact]
    public async Task The_framework_page_shows_values_behaviours_and_their_five_anchors()
    {
        var page = await app.SignedInPageAsync("E2");
        await page.GotoAsync("/framework");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Curiosity", Level = 2 })).ToBeVisibleAsync();
        var asksWhy = Sample.FindBehavior("asks-why")!;
        var row = page.Locator("tr#asks-why");
        await Assertions.Expect(row.Locator("th")).ToContainTextAsync(asksWhy.Name);
        await Assertions.Expect(row.Locator("td.anchor")).ToHaveCountAsync(5);
        foreach (var rating in new[] { "1", "3", "5" })
            await Assertions.Expect(row.Locator($"td[data-rating='{rating}']")).ToHaveTextAsync(asksWhy.Anchors[rating]);
        // Every behaviour of the sample has its row, and an employee sees no edit links.
        await Assertions.Expect(page.Locator("table.bars tbody tr")).ToHaveCountAsync(Sample.Behaviors.Count());
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit Asks why before acting" })).ToHaveCountAsync(0);

        await page.GotoAsync("/framework/behaviors/asks-why/edit");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_tracks_page_shows_both_tracks_side_by_side_by_band()
    {
        var page = await app.SignedInPageAsync("M2");
        await page.GotoAsync("/framework/tracks");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Levels by band" });
        await Assertions.Expect(table.Locator("thead th")).ToHaveTextAsync(["Band", "Expert", "People leader"]);

        // Band 4: the expert level and the people-leader level on one row, marked as a lateral move.
        var band4 = table.Locator("tr[data-band='4']");
        await Assertions.Expect(band4.Locator("td.level")).ToHaveCountAsync(2);
        await Assertions.Expect(band4.Locator("td.level").Nth(0)).ToHaveAttributeAsync("data-level", "e4");
        await Assertions.Expect(band4.Locator("td.level").Nth(1)).ToHaveAttributeAsync("data-level", "l4");
        await Assertions.Expect(band4).ToContainTextAsync("lateral move");
        var l4 = Sample.FindLevel("l4")!;
        await Assertions.Expect(band4.Locator("td[data-level='l4'] .direct-reports")).ToHaveTextAsync($"{l4.Scope.MinDirectReports}–{l4.Scope.MaxDirectReports} direct reports");
        await Assertions.Expect(band4.Locator("td[data-level='e4'] .direct-reports")).ToHaveTextAsync("No direct reports");
        await Assertions.Expect(band4.Locator("td[data-level='l4'] .time-split")).ToHaveTextAsync(l4.Scope.TimeSplit);
        // Band 1 exists only on the expert track.
        await Assertions.Expect(table.Locator("tr[data-band='1'] td.level")).ToHaveCountAsync(1);

        // The matrix highlights behaviours where the two tracks expect different ratings at the same band.
        var e4 = Sample.FindLevel("e4")!;
        var differing = Sample.Behaviors.First(b => e4.Expectations.GetValueOrDefault(b.Key) != l4.Expectations.GetValueOrDefault(b.Key));
        var matrixRow = page.Locator($"table.matrix tr[data-behavior='{differing.Key}']");
        await Assertions.Expect(matrixRow.Locator("td.differs")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(matrixRow.Locator("td.differs").First).ToHaveTextAsync(
            new Regex("^[1-5]$"));
    }

    [Fact]
    public async Task HR_edits_a_behaviours_anchor_and_sees_the_new_version_and_the_diff()
    {
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/framework");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Shares credit" }).ClickAsync();
        await page.WaitForURLAsync("**/framework/behaviors/shares-credit/edit");

        const string newAnchor = "Names the people behind a result in every update, including the quiet contributors.";
        await page.GetByLabel("Anchor 4").FillAsync(newAnchor);
        await page.GetByLabel("Note for this version").FillAsync("Anchor 4 made observable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex(@"Saved as version \d+"));
        await Assertions.Expect(page.Locator("tr#shares-credit td[data-rating='4']")).ToHaveTextAsync(newAnchor);

        await page.GetByRole(AriaRole.Link, new() { Name = "See what changed" }).ClickAsync();
        await page.WaitForURLAsync("**/framework/diff**");
        var changes = page.GetByRole(AriaRole.Table, new() { Name = "Structural changes" });
        await Assertions.Expect(changes.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(changes).ToContainTextAsync($"Anchor 4 of '{Sample.FindBehavior("shares-credit")!.Name}'");
        await Assertions.Expect(changes.Locator("td.before")).ToHaveTextAsync(Sample.FindBehavior("shares-credit")!.Anchors["4"]);
        await Assertions.Expect(changes.Locator("td.after")).ToHaveTextAsync(newAnchor);
        await page.GetByText("Line diff of the JSON documents").ClickAsync();
        await Assertions.Expect(page.Locator("table.json-diff tr.ins")).ToContainTextAsync(newAnchor);

        await page.GotoAsync("/framework/versions");
        var newest = page.Locator("table.versions tbody tr").First;
        await Assertions.Expect(newest).ToContainTextAsync("Anchor 4 made observable");
        await Assertions.Expect(newest).ToContainTextAsync("Hana Hr (H1)");
        await Assertions.Expect(newest).ToContainTextAsync("current");

        // The old version stays readable with the old text.
        await page.Locator("table.versions tbody tr").Nth(1).Locator("td").First.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("older version");
        await Assertions.Expect(page.Locator("tr#shares-credit td[data-rating='4']")).ToHaveTextAsync(Sample.FindBehavior("shares-credit")!.Anchors["4"]);
    }

    [Fact]
    public async Task A_validation_error_shows_next_to_its_field_and_nothing_is_saved()
    {
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/framework/tracks");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Team lead (l3)" }).ClickAsync();
        await page.WaitForURLAsync("**/framework/levels/l3/edit");
        await page.GetByLabel("Direct reports, maximum").FillAsync("40");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        await Assertions.Expect(page.Locator(".field-error")).ToHaveTextAsync("maximum 40 exceeds rules.max_direct_reports (12)");
        await Assertions.Expect(page.GetByLabel("Direct reports, maximum")).ToHaveValueAsync("40");

        await page.GotoAsync("/framework/behaviors/asks-why/edit");
        await page.GetByLabel("Anchor 2").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        await Assertions.Expect(page.Locator("label", new() { HasText = "Anchor 2" }).Locator(".field-error")).ToHaveTextAsync("missing anchor for rating 2");
        await page.GotoAsync("/framework");
        await Assertions.Expect(page.Locator("tr#asks-why td[data-rating='2']")).ToHaveTextAsync(Sample.FindBehavior("asks-why")!.Anchors["2"]);
    }

    [Fact]
    public async Task A_save_on_top_of_a_newer_version_warns_first_and_then_applies_on_top()
    {
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/framework/behaviors/learns-in-the-open/edit");

        // Someone else saves a new description while the form is open.
        var original = Sample.FindBehavior("learns-in-the-open")!;
        using (var scope = app.Services.CreateScope())
        {
            var history = scope.ServiceProvider.GetRequiredService<FrameworkHistory>();
            var write = await history.EditBehaviorAsync(original.Key,
                new BehaviorChange(original.Name, "Shares what they learn while learning it.", original.Anchors), "A1", "from elsewhere", null);
            Assert.IsType<FrameworkWrite.Saved>(write);
        }

        await page.GetByLabel("Anchor 1").FillAsync("Keeps what they learn to themselves.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        await Assertions.Expect(page.Locator(".warning[role='alert']")).ToContainTextAsync("Someone saved version");
        await Assertions.Expect(page.GetByLabel("Anchor 1")).ToHaveValueAsync("Keeps what they learn to themselves.");

        // Saving again applies the edit on top of the newer version; the form still carries the description it was opened with.
        await page.GetByLabel("Description").FillAsync("Shares what they learn while learning it.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as new version" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex(@"Saved as version \d+"));
        var row = page.Locator("tr#learns-in-the-open");
        await Assertions.Expect(row.Locator("td[data-rating='1']")).ToHaveTextAsync("Keeps what they learn to themselves.");
        await Assertions.Expect(row.Locator("th")).ToContainTextAsync("Shares what they learn while learning it.");
    }
}
