using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;

namespace Trellis.BrowserTests.Accounts;

public sealed class SignInTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Signing_in_shows_the_home_page_and_signing_out_returns_to_sign_in()
    {
        var page = await app.SignedInPageAsync("E2");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Eva Engineer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/signin");
    }

    [Fact]
    public async Task A_wrong_password_shows_a_message_on_the_page()
    {
        var context = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Employee id or email").FillAsync("E1");
        await page.GetByLabel("Password").FillAsync("wrong-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not right");
    }
}
