using System.Text.Json;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Cycles;

/// <summary>Issue 11: growth, nomination and board pages on a 390 px wide phone: tables scroll inside their box, the page never sideways; the menu collapses.</summary>
public sealed class PhoneLayoutTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<IPage> PhoneAsync(string employeeId)
    {
        var context = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseUrl, ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Employee id or email").FillAsync(employeeId);
        await page.GetByLabel("Password").FillAsync(BrowserApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin"));
        return page;
    }

    private static async Task<JsonElement> PostAsync(IPage page, string path, object body)
    {
        // A signed-in request must look like the browser's own (same-origin check, Accounts/RequestProtection.cs).
        var response = await page.APIRequest.PostAsync(path, new() { DataObject = body, Headers = new Dictionary<string, string> { ["Sec-Fetch-Site"] = "same-origin" } });
        Assert.True(response.Ok, $"{path}: {response.Status} {await response.TextAsync()}");
        return JsonDocument.Parse(await response.TextAsync()).RootElement.Clone();
    }

    /// <summary>Saves the screenshot where <c>TRELLIS_SHOTS</c> says (the closing note lists them), and checks the page does not scroll sideways.</summary>
    private static async Task AssertNoSidewaysScrollAsync(IPage page, string name)
    {
        var dir = Environment.GetEnvironmentVariable("TRELLIS_SHOTS") ?? Path.Combine(Path.GetTempPath(), "trellis-shots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"phone-390-{name}.png"), FullPage = true });
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{name}: the page scrolls sideways by {overflow} px at 390 px");
    }

    [Fact]
    public async Task Growth_nomination_and_board_fit_a_390px_phone()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var hr = await app.SignedInPageAsync("H1");
        await PostAsync(hr, "/api/v1/cycles", new { name = "phone", opens_on = today.AddDays(-1).ToString("yyyy-MM-dd"), closes_on = today.AddDays(60).ToString("yyyy-MM-dd"), budget = 2 });
        var manager = await app.SignedInPageAsync("M2");
        var nomination = await PostAsync(manager, "/api/v1/cycles/phone/nominations", new { employee_id = "E1", target_level = "l3", rationale = "Runs the design reviews and grows the juniors." });
        var id = nomination.GetProperty("id").GetInt32();
        await PostAsync(hr, "/api/v1/cycles/phone/phase", new { phase = "calibration" });

        var eli = await PhoneAsync("E1");
        await eli.GotoAsync("/growth");
        await AssertNoSidewaysScrollAsync(eli, "growth");
        await eli.GotoAsync($"/nominations/{id}");
        await AssertNoSidewaysScrollAsync(eli, "nomination");
        // The menu collapses behind a button and opens on a tap.
        await Expect(eli.Locator("#main-nav")).ToBeHiddenAsync();
        await eli.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Expect(eli.GetByRole(AriaRole.Link, new() { Name = "My growth" })).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(eli, "menu");

        var committee = await PhoneAsync("C1");
        await committee.GotoAsync("/cycles/phone/board");
        await Expect(committee.Locator("table.board tbody tr")).ToHaveCountAsync(1);
        await AssertNoSidewaysScrollAsync(committee, "board");
        // The board's table scrolls inside its own box.
        var boxScrolls = await committee.EvaluateAsync<bool>("() => { const b = document.querySelector('.table-scroll'); return b.scrollWidth > b.clientWidth; }");
        Assert.True(boxScrolls, "the board's table should scroll inside its box at 390 px");
    }
}
