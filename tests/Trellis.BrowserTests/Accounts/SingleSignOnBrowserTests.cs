using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Tests.Infrastructure;

namespace Trellis.BrowserTests.Accounts;

/// <summary>A Trellis server pointed at the in-process OpenID provider (<see cref="TestOpenIdProvider"/>).</summary>
public sealed class SingleSignOnApp : BrowserApp
{
    public TestOpenIdProvider Provider { get; private set; } = null!;

    protected override async Task<string[]> ExtraArgsAsync()
    {
        Provider = await TestOpenIdProvider.StartAsync();
        return Provider.Settings().Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

public sealed class SingleSignOnBrowserTests(SingleSignOnApp app) : IClassFixture<SingleSignOnApp>
{
    [Fact]
    public async Task The_redirect_round_trip_signs_in_through_the_provider_and_sign_out_ends_there()
    {
        var context = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseUrl });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/people");
        await page.WaitForURLAsync("**/signin?**");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Test IdP" }).ClickAsync();

        // At the provider: its own sign-in form.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test IdP" })).ToBeVisibleAsync();
        Assert.StartsWith(app.Provider.Authority, page.Url);
        await page.GetByLabel("Username").FillAsync("hana");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        // Back in Trellis, signed in as Hana, on the page first asked for.
        await page.WaitForURLAsync(app.BaseUrl.TrimEnd('/') + "/people");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        var me = await page.APIRequest.GetAsync("/api/v1/me");
        Assert.Contains("\"employee_id\":\"H1\"", await me.TextAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out of Test IdP" })).ToBeVisibleAsync();
        Assert.True(app.Provider.EndSessionRequests >= 1);
        var after = await page.APIRequest.GetAsync(app.BaseUrl.TrimEnd('/') + "/api/v1/me");
        Assert.Equal(401, after.Status);
    }
}
