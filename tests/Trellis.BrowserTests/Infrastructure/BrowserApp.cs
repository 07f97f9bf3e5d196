using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.BrowserTests.Infrastructure;

/// <summary>
/// A real Trellis server on a free loopback port over a fresh SQLite database, and Debian's Chromium driven
/// by Playwright. Shared by the tests of one class (<c>IClassFixture&lt;BrowserApp&gt;</c>); each test opens its own page.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public const string Password = "password-123";
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
        _app = TrellisWeb.Build(["--db", _dbPath, "--urls", "http://127.0.0.1:0", "--contentRoot", AppContentRoot(), "--environment", "Testing"]);
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
        using (var scope = _app.Services.CreateScope())
            await (Seed ?? SeedAsync)(scope.ServiceProvider);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new browser page signed in as <paramref name="employeeId"/> through the sign-in form.</summary>
    public async Task<IPage> SignedInPageAsync(string employeeId)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Employee id or email").FillAsync(employeeId);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin"));
        return page;
    }

    public async Task DisposeAsync()
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

    /// <summary>The same small organisation as the integration tests: H1 hr, A1 admin, C1 committee, M1→M2→E1/E2, M1→E3, X1.</summary>
    public static async Task SeedAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<TrellisDb>();
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        await services.GetRequiredService<FrameworkStore>().SaveVersionAsync(db, framework, "test", "sample", default);
        var hired = new DateOnly(2020, 1, 6);
        Employee P(string id, string name, string? manager, string track, string level, string dept = "Engineering") => new()
        {
            Id = id, Name = name, Email = $"{id.ToLowerInvariant()}@example.test", ManagerId = manager, Department = dept,
            Location = "Lisbon", Title = name.Split(' ')[0], Track = track, Level = level, HireDate = hired, LevelSince = hired,
        };
        db.Employees.AddRange(
            P("H1", "Hana Hr", null, "leader", "l4", "People"), P("A1", "Arno Admin", null, "expert", "e4", "IT"),
            P("C1", "Cora Committee", null, "leader", "l6"), P("M1", "Mira Manager", "C1", "leader", "l5"),
            P("M2", "Milo Manager", "M1", "leader", "l3"), P("E1", "Eli Engineer", "M2", "expert", "e2"),
            P("E2", "Eva Engineer", "M2", "expert", "e3"), P("E3", "Ezra Engineer", "M1", "expert", "e3"),
            P("X1", "Xavi Sales", null, "expert", "e3", "Sales"));
        await db.SaveChangesAsync();
        var accounts = new AccountService(db, TimeProvider.System);
        await accounts.AddUserAsync("H1", [Roles.Hr], Password);
        await accounts.AddUserAsync("A1", [Roles.Admin], Password);
        await accounts.AddUserAsync("C1", [Roles.Committee, Roles.Manager], Password);
        await accounts.AddUserAsync("M1", [Roles.Manager], Password);
        await accounts.AddUserAsync("M2", [Roles.Manager], Password);
        foreach (var id in new[] { "E1", "E2", "E3", "X1" }) await accounts.AddUserAsync(id, [Roles.Employee], Password);
    }

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
