using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// The app over a fresh database of the given provider. Every integration test runs once per provider:
/// <c>[Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]</c>.
/// </summary>
public sealed class TrellisApp : WebApplicationFactory<Program>
{
    public static TheoryData<Provider> Providers => new(Provider.Sqlite, Provider.Postgres);

    public TestDatabase Database { get; }

    /// <summary>False for a second app over another app's database (<see cref="StartAnother"/>): the first one drops it.</summary>
    private readonly bool _ownsDatabase;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private TrellisApp(TestDatabase database, IReadOnlyDictionary<string, string?>? settings, bool ownsDatabase = true)
    {
        Database = database;
        _settings = settings ?? new Dictionary<string, string?>();
        _ownsDatabase = ownsDatabase;
    }

    /// <summary>
    /// Starts the app on a fresh database; with <paramref name="seed"/>, the small test organisation is loaded;
    /// <paramref name="settings"/> are configuration keys such as <c>Oidc:Authority</c>.
    /// </summary>
    public static async Task<TrellisApp> StartAsync(Provider provider, bool seed = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new TrellisApp(TestDatabase.Create(provider), settings);
        _ = app.Server; // starts the host, which applies migrations
        if (seed)
        {
            using var scope = app.Services.CreateScope();
            await TestOrganisation.SeedAsync(scope.ServiceProvider);
        }
        return app;
    }

    /// <summary>The app over an existing database that the caller owns (it outlives this host).</summary>
    public static async Task<TrellisApp> StartOverAsync(TestDatabase database, bool seed, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new TrellisApp(database, settings, ownsDatabase: false);
        _ = app.Server;
        if (seed)
        {
            using var scope = app.Services.CreateScope();
            await TestOrganisation.SeedAsync(scope.ServiceProvider);
        }
        return app;
    }

    /// <summary>
    /// A second app over the same database as <paramref name="first"/>: another node, or another process, with its own
    /// readiness, caches, clock and workers. Dispose it before the first.
    /// </summary>
    public static TrellisApp StartAnother(TrellisApp first, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new TrellisApp(first.Database, settings ?? first._settings, ownsDatabase: false);
        _ = app.Server;
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("db", Database.Value);
        // Tests write evidence straight into the database after start: readiness must load on first use, not at start.
        builder.UseSetting("warmup", "false");
        // Webhook receivers of the tests listen on loopback over http; the worker looks for work often.
        builder.UseSetting("Webhooks:AllowHttp", "true");
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
        builder.UseSetting("Webhooks:PollSeconds", "0.2");
        builder.UseEnvironment("Testing");
        // Hosts log nowhere by default: the console is process-wide, and a host logging to it while a CLI test has
        // captured it (CliRunner) would put "info: …" lines into that command's JSON output.
        builder.ConfigureLogging(l => l.ClearProviders());
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public async Task<T> WithDbAsync<T>(Func<TrellisDb, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<TrellisDb>());
    }

    public async Task WithDbAsync(Func<TrellisDb, Task> work)
    {
        using var scope = Services.CreateScope();
        await work(scope.ServiceProvider.GetRequiredService<TrellisDb>());
    }

    /// <summary>An API client signed in as the given employee through a personal bearer token.</summary>
    public async Task<HttpClient> ClientForAsync(string employeeId)
    {
        var token = await WithDbAsync(db => new AccountService(db, TimeProvider.System).CreateTokenAsync(employeeId, "test"));
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// A SCIM provisioning token created by an admin the only way the API allows: signed in with the cookie and the
    /// password entered again. The answer: id, name and the token.
    /// </summary>
    public async Task<System.Text.Json.Nodes.JsonNode> CreateScimTokenAsync(string adminId, string name)
    {
        var session = await CookieSession.SignedInAsync(this, adminId);
        var response = await session.PostJsonAsync("/api/v1/admin/scim-tokens", new { name, current_password = TestOrganisation.Password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"creating a provisioning token as {adminId}: {(int)response.StatusCode} {text}");
        return System.Text.Json.Nodes.JsonNode.Parse(text)!;
    }

    public HttpClient AnonymousClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}
