using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Operations;

/// <summary>
/// Issue 12: <c>trellis serve</c> sends a few requests through its own pipeline before it listens (the first page after
/// "Now listening" is then answered within a second at 100,000 people). Those requests are no one's: they must not
/// write anything a person's visit writes, nor appear in the request log as a visit.
/// </summary>
public sealed class WarmStartTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Warming_before_listening_writes_nothing_and_logs_no_visit(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        var capture = new LogCapture();
        await using var app = TrellisWeb.Build(
            ["--db", database.Value, "--urls", "http://127.0.0.1:0", "--environment", "Production"],
            new ServeOptions(WarmUp: true),
            builder => builder.Logging.AddProvider(capture));
        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<TrellisDb>().MigrateAsync();
            await TestOrganisation.SeedAsync(scope.ServiceProvider);
            var accounts = new Trellis.Accounts.AccountService(scope.ServiceProvider.GetRequiredService<TrellisDb>(), TimeProvider.System);
            await accounts.CreateTokenAsync("E1", "before");
        }
        var before = await PersonalStateAsync(app.Services);

        await app.StartAsync();
        try
        {
            // The home page was rendered signed in (as no one), not redirected to sign in.
            var warmed = Assert.Single(capture.Entries, e => e.Category == "Trellis.WarmStart").Message;
            Assert.EndsWith("(/signin 200, / 302, / as no one 200, /api/v1/me as no one 200, token update changed no row)", warmed);
            // Its requests (the signed-in home page among them, as no one) went through without an error.
            Assert.DoesNotContain(capture.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal)
                || e.Message.StartsWith("Warming the request path failed", StringComparison.Ordinal));
            // Nor a failed sign-in or token in the log.
            Assert.DoesNotContain(capture.Entries, e => e.Category.StartsWith("Trellis.Accounts", StringComparison.Ordinal));
            // Nothing a visit writes: no audit-log entry, no token used, no sign-in, lockout or session change, no notification read.
            Assert.Equal(before, await PersonalStateAsync(app.Services));
            Assert.DoesNotContain(capture.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal));

            // The request log is on: a real request after start is logged.
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/signin")).StatusCode);
            Assert.Single(capture.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Every row a person's visit could write, as one string.</summary>
    private static async Task<string> PersonalStateAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var state = new
        {
            accounts = await db.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync(),
            tokens = await db.ApiTokens.AsNoTracking().OrderBy(t => t.Id).ToListAsync(),
            lockouts = await db.SignInLockouts.AsNoTracking().CountAsync(),
            audit = await db.AuditLog.AsNoTracking().OrderBy(a => a.Id).ToListAsync(),
            notifications = await db.Notifications.AsNoTracking().OrderBy(n => n.Id).ToListAsync(),
        };
        return JsonSerializer.Serialize(state);
    }
}
