using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Operations;

public sealed class OperationsTests
{
    [Fact]
    public async Task A_database_that_cannot_be_reached_is_one_error_line_and_exit_code_1_for_every_verb()
    {
        // A closed port: nothing listens on port 1.
        const string unreachable = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=3";
        foreach (var args in new[] { new[] { "readiness", "--db", unreachable }, ["audit", "--db", unreachable], ["export", "--db", unreachable, "--out", Path.GetTempPath()],
                     ["migrate", "--db", unreachable], ["serve", "--db", unreachable, "--urls", "http://127.0.0.1:0"] })
        {
            // serve used to abort the process with the host's stack trace; that it ends at all is part of the test.
            var (code, _, error) = await CliRunner.RunAsync(args).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(code == 1, $"{args[0]}: exit {code}\n{error}");
            // One line: no EF Core "fail:" log lines before it.
            Assert.StartsWith("error: the database refused or could not be reached", Assert.Single(error.Trim().Split('\n')));
            Assert.DoesNotContain("Unhandled exception", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Health_live_and_ready_answer_without_signing_in(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var anonymous = app.AnonymousClient();
        var live = await anonymous.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var json = await JsonAsync(ready);
        Assert.Equal("healthy", json.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        // Tests turn the warm-up off: readiness fits on first use, reported as degraded (still 200).
        Assert.Equal("degraded", json.GetProperty("checks").GetProperty("readiness").GetProperty("status").GetString());
        await (await app.ClientForAsync("E1")).GetAsync("/api/v1/employees/E1/readiness");
        var fitted = await JsonAsync(await anonymous.GetAsync("/health/ready"));
        Assert.Equal("healthy", fitted.GetProperty("status").GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Requests_are_logged_with_status_and_duration_never_bodies_and_sql_only_at_warning(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var capture = new LogCapture();
        await using var logged = app.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture)));
        var token = await app.WithDbAsync(db => new Trellis.Accounts.AccountService(db, TimeProvider.System).CreateTokenAsync("E2", "logs"));
        var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        const string secretText = "Quietly-unique-feedback-words";
        await AssertStatusAsync(HttpStatusCode.Created, await client.PostAsJsonAsync("/api/v1/observations?why=querytext", new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = secretText }));

        var entries = capture.Entries.ToList();
        var request = Assert.Single(entries, e => e.Category.StartsWith("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal) && e.Message.Contains("/api/v1/observations"));
        Assert.Contains("POST", request.Message);
        Assert.Contains("StatusCode: 201", request.Message);
        Assert.Contains("Duration:", request.Message);
        Assert.DoesNotContain(entries, e => e.Message.Contains(secretText) || e.Message.Contains(token) || e.Message.Contains("querytext"));
        Assert.DoesNotContain(entries, e => e.Category == "Microsoft.EntityFrameworkCore.Database.Command" && e.Level < LogLevel.Warning);
    }
}
