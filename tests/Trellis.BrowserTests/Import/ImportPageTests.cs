using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;

namespace Trellis.BrowserTests.Import;

public sealed class ImportPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Hr_uploads_a_bad_file_sees_the_problems_then_a_good_file_and_sees_the_summary()
    {
        var page = await app.SignedInPageAsync("H1");
        await page.GotoAsync("/import");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Import");

        await page.GetByLabel("observations.csv").SetInputFilesAsync(new FilePayload
        {
            Name = "observations.csv",
            MimeType = "text/csv",
            Buffer = "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on\nO1,E1,M2,manager,asks-why,7,2025-01-10\nO2,E1,NOBODY,peer,asks-why,3,2025-02-30\n"u8.ToArray(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and import" }).ClickAsync();
        var problems = page.Locator(".import-problems");
        await Assertions.Expect(problems).ToContainTextAsync("Nothing was imported: 3 problems");
        await Assertions.Expect(problems).ToContainTextAsync("observations.csv:2: rating: must be a whole number from 1 to 5 (got '7')");
        await Assertions.Expect(problems).ToContainTextAsync("observations.csv:3: observed_on: '2025-02-30' is not a date that exists");
        await Assertions.Expect(problems).ToContainTextAsync("observations.csv:3: rater_id: unknown employee 'NOBODY' (not in the database)");

        await page.GetByLabel("observations.csv").SetInputFilesAsync(new FilePayload
        {
            Name = "observations.csv",
            MimeType = "text/csv",
            Buffer = "observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on\nO1,E1,M2,manager,asks-why,4,2025-01-10\nO2,E1,E2,peer,asks-why,3,2025-02-28\n"u8.ToArray(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and import" }).ClickAsync();
        var summary = page.Locator(".import-summary");
        await Assertions.Expect(summary).ToContainTextAsync("Import complete");
        await Assertions.Expect(summary.GetByRole(AriaRole.Row, new() { Name = "observations.csv" }))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*observations\.csv\s*2\s*0\s*0\s*$"));
        await Assertions.Expect(page.Locator(".import-problems")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_employee_cannot_open_the_import_page()
    {
        var page = await app.SignedInPageAsync("E1");
        var response = await page.GotoAsync("/import");
        Assert.DoesNotContain("/import", page.Url);
        Assert.NotNull(response);
        await Assertions.Expect(page.Locator("form.import-form")).ToHaveCountAsync(0);
    }
}
