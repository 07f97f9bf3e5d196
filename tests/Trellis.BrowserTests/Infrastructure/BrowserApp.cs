using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Trellis.BrowserTests.Infrastructure;

/// <summary>
/// A real Trellis server on a free loopback port over a fresh SQLite database, and Debian's Chromium driven
/// by Playwright. Shared by the tests of one class (<c>IClassFixture&lt;BrowserApp&gt;</c>); each test opens its own page.
/// </summary>
public class BrowserApp : IAsyncLifetime
{
    public const string Password = Trellis.Tests.Infrastructure.TestOrganisation.Password;
    public const string ChromiumPath = "/usr/bin/chromium";

    private WebApplication? _app;
    private IPlaywright? _playwright;
    private string _dbPath = "";
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => _app!.Services;

    /// <summary>Override to load data before the browser starts; the default seeds <see cref="SeedAsync"/>.</summary>
    public Func<IServiceProvider, Task>? Seed { get; init; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Browser tests need Debian's Chromium at {ChromiumPath} (apt-get install chromium); ./test.sh installs it.");

        _dbPath = Path.Combine(Path.GetTempPath(), "trellis-browser-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(_dbPath)!);
        _app = TrellisWeb.Build(["--db", _dbPath, "--urls", "http://127.0.0.1:0", "--contentRoot", AppContentRoot(), "--environment", "Testing", .. await ExtraArgsAsync()]);
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
        using (var scope = _app.Services.CreateScope())
            await (Seed ?? SeedAsync)(scope.ServiceProvider);

        _playwright = await Playwright.CreateAsync();
        // CI shares two cores between several servers and browsers: a slow step should wait, not fail the test.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new browser page signed in as <paramref name="employeeId"/> through the sign-in form.</summary>
    public Task<IPage> SignedInPageAsync(string employeeId) => SignedInPageAsync(employeeId, Password);

    /// <summary>The same with another password (the demo's sign-ins each have their own).</summary>
    public async Task<IPage> SignedInPageAsync(string employeeId, string password)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseUrl });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Employee id or email").FillAsync(employeeId);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin"));
        return page;
    }

    /// <summary>More command-line settings for the server (a fixture that needs, say, single sign-on adds them).</summary>
    protected virtual Task<string[]> ExtraArgsAsync() => Task.FromResult<string[]>([]);

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _dbPath, _dbPath + "-wal", _dbPath + "-shm" }) if (File.Exists(f)) File.Delete(f);
    }

    /// <summary>The same small organisation as the integration tests (tests/Trellis.Tests/Infrastructure/TestOrganisation.cs).</summary>
    public static Task SeedAsync(IServiceProvider services) => Trellis.Tests.Infrastructure.TestOrganisation.SeedAsync(services);

    private static string AppContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Trellis");
            if (File.Exists(Path.Combine(candidate, "Trellis.csproj"))) return candidate;
        }
        throw new InvalidOperationException("cannot find src/Trellis above " + AppContext.BaseDirectory);
    }
}
