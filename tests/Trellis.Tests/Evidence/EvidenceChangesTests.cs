using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Data;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

/// <summary>Evidence written on one server reaches readiness on another server over the same database.</summary>
public sealed class EvidenceChangesTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_concern_written_through_the_api_of_one_server_blocks_the_band_on_another(Provider provider)
    {
        await using var first = await TrellisApp.StartAsync(provider);
        await first.WithDbAsync(async db =>
        {
            // E1 (e2): strong evidence from four raters on every behaviour and a passing result, so not blocked.
            var n = 0;
            foreach (var (rater, relationship) in new[] { ("M2", "manager"), ("E2", "peer"), ("E3", "peer"), ("M1", "skip_level") })
                foreach (var behavior in Behaviors)
                    db.Observations.Add(new Observation
                    {
                        Id = $"O{++n}", SubjectId = "E1", RaterId = rater, Relationship = relationship, Behavior = behavior,
                        Rating = 4 + (n % 3 == 0 ? 1 : 0), ObservedOn = Today.AddDays(-30 - n),
                    });
            db.Results.Add(new ResultRecord { EmployeeId = "E1", Period = "2025-H2", PeriodEnd = Today.AddDays(-60), Score = 3.4 });
            await db.SaveChangesAsync();
        });
        await using var second = TrellisApp.StartAnother(first);
        var onSecond = await second.ClientForAsync("H1");
        Assert.NotEqual("blocked", await BandAsync(onSecond));

        var created = await (await first.ClientForAsync("H1")).PostAsJsonAsync("/api/v1/concerns",
            new { employee_id = "E1", category = "conduct", substantiated = true, recorded_on = Today.AddDays(-1) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The second server checks the evidence revision every RevisionCheckInterval and then refits in the background.
        var clock = Stopwatch.StartNew();
        var band = await BandAsync(onSecond);
        while (band != "blocked" && clock.Elapsed < ReadinessService.RevisionCheckInterval + TimeSpan.FromSeconds(15))
        {
            await Task.Delay(250);
            band = await BandAsync(onSecond);
        }
        Assert.Equal("blocked", band);
    }

    private static async Task<string?> BandAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/employees/E1/readiness")).GetProperty("band").GetString();
}
