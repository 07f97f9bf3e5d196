using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;
using Trellis.Tests.Webhooks;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Operations;

/// <summary>The published folder, run as a real process: styled pages from any directory, and events that survive a kill.</summary>
public sealed partial class PublishedBuildTests(PublishedTrellis published) : IClassFixture<PublishedTrellis>
{
    [GeneratedRegex("""<link rel="stylesheet" href="([^"]+)"\s*/?>""")]
    private static partial Regex Stylesheet();

    [Fact]
    public async Task The_published_folder_serves_styled_pages_from_another_working_directory()
    {
        var elsewhere = Directory.CreateTempSubdirectory("trellis-cwd").FullName;
        try
        {
            await using var trellis = await published.ServeAsync(elsewhere, Path.Combine(elsewhere, "trellis.db"));
            var page = await (await trellis.Client.GetAsync("/signin")).Content.ReadAsStringAsync();
            var href = Stylesheet().Match(page);
            Assert.True(href.Success, page);
            Assert.StartsWith("/css/app.css?v=", WebUtility.HtmlDecode(href.Groups[1].Value));
            var css = await trellis.Client.GetAsync(WebUtility.HtmlDecode(href.Groups[1].Value));
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.Contains(".topbar", await css.Content.ReadAsStringAsync());
            // The database went where --db said, relative to nothing else.
            Assert.True(File.Exists(Path.Combine(elsewhere, "trellis.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Log_format_json_writes_one_json_object_per_line_with_the_request_line()
    {
        var elsewhere = Directory.CreateTempSubdirectory("trellis-json").FullName;
        try
        {
            string output;
            await using (var trellis = await published.ServeAsync(elsewhere, Path.Combine(elsewhere, "trellis.db"), new Dictionary<string, string> { ["log-format"] = "json" }))
            {
                Assert.Equal(HttpStatusCode.OK, (await trellis.Client.GetAsync("/health/live")).StatusCode);
                var until = DateTime.UtcNow.AddSeconds(10);
                while (!trellis.Output.Contains("/health/live", StringComparison.Ordinal) && DateTime.UtcNow < until) await Task.Delay(100);
                output = trellis.Output;
            }
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            // Every line is a JSON object (the simple formatter writes "info: Category[0]" lines instead).
            var entries = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            Assert.All(entries, e => Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _), e.ToString()));
            var request = entries.Last(e => e.GetProperty("Category").GetString() == "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"
                                              && e.GetProperty("Message").GetString()!.Contains("/health/live", StringComparison.Ordinal));
            Assert.Contains("StatusCode: 200", request.GetProperty("Message").GetString());
            Assert.Contains("Duration", request.GetProperty("Message").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_event_committed_before_a_kill_is_delivered_after_the_restart(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = TestDatabase.Create(provider);
        string hrToken;
        // Migrate, seed and add the endpoint in-process; the nodes below are real processes.
        await using (var setup = await TrellisApp.StartOverAsync(database, seed: true))
        {
            var created = await (await setup.ClientForAsync("A1")).PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { EventTypes.CyclePhaseChanged } });
            await AssertStatusAsync(HttpStatusCode.Created, created);
            receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;
            hrToken = await setup.WithDbAsync(db => new AccountService(db, TimeProvider.System).CreateTokenAsync("H1", "kill test"));
        }
        var cwd = Directory.CreateTempSubdirectory("trellis-kill").FullName;
        var allow = new Dictionary<string, string> { ["Webhooks:AllowHttp"] = "true", ["Webhooks:AllowPrivateNetworks"] = "true", ["Webhooks:PollSeconds"] = "0.2" };
        try
        {
            // Node 1 commits the change and dies before delivering: its worker is off, so nothing can go out first.
            await using (var first = await published.ServeAsync(cwd, database.Value, new Dictionary<string, string>(allow) { ["Webhooks:Deliver"] = "false" }))
            {
                first.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hrToken);
                await AssertStatusAsync(HttpStatusCode.Created, await CreateCycleAsync(first.Client, "later", opens: Today.AddDays(5), closes: Today.AddDays(50)));
                await PhaseAsync(first.Client, "later", "nominations");
                first.Kill();
            }
            Assert.Empty(receiver.Seen);
            await using (var check = await TrellisApp.StartOverAsync(database, seed: false, settings: new Dictionary<string, string?> { ["Webhooks:Deliver"] = "false" }))
                Assert.Equal(1, await check.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Pending)));

            // Node 2 starts on the same database and delivers it.
            await using var second = await published.ServeAsync(cwd, database.Value, allow);
            var got = await receiver.WaitForAsync(r => r.Count >= 1);
            Assert.Equal("cycle.phase_changed", got[0].Type);
            Assert.Equal(["current"], got[0].VerifiedBy);
            Assert.Equal("nominations", got[0].Data.GetProperty("to_phase").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(cwd, recursive: true);
        }
    }
}
