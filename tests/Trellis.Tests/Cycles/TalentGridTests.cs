using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class TalentGridTests
{
    private static readonly string[] Behaviors =
        ["asks-why", "learns-in-the-open", "raises-the-quality-bar", "simplifies-the-complex", "follows-through",
         "speaks-up-candidly", "makes-it-safe-to-speak", "grows-others", "shares-credit", "works-across-boundaries"];

    /// <summary>Evidence on every behaviour from four raters, at a level of its own per candidate, and a results score each.</summary>
    private static Task SeedEvidenceAsync(TrellisApp app) => app.WithDbAsync(async db =>
    {
        var n = 0;
        var candidates = new (string Id, int Rating, double Results)[] { ("E1", 4, 3.4), ("E2", 5, 2.5), ("E3", 3, 4.2), ("X1", 2, 3.0) };
        foreach (var (subject, rating, results) in candidates)
        {
            foreach (var rater in new[] { "M1", "M2", "H1", "C1" })
                foreach (var behavior in Behaviors)
                    db.Observations.Add(new Observation
                    {
                        Id = $"G{++n}", SubjectId = subject, RaterId = rater, Relationship = "other", Behavior = behavior,
                        Rating = Math.Clamp(rating + (n % 3 == 0 ? 1 : 0) - (n % 5 == 0 ? 1 : 0), 1, 5), ObservedOn = Today.AddDays(-20 - n % 40),
                        ReleasedAt = DateTimeOffset.UtcNow,
                    });
            db.Results.Add(new ResultRecord { EmployeeId = subject, Period = "2025-H2", PeriodEnd = Today.AddDays(-40), Score = results });
        }
        await db.SaveChangesAsync();
    });

    private static async Task<Dictionary<string, JsonElement>> RowsAsync(HttpClient c, string url)
    {
        var r = await c.GetAsync(url);
        await AssertStatusAsync(HttpStatusCode.OK, r);
        var json = await JsonAsync(r);
        var key = json.TryGetProperty("rows", out var rows) ? rows : json.GetProperty("candidates");
        return key.EnumerateArray().ToDictionary(x => x.GetProperty("employee_id").GetString()!);
    }

    private static double? Num(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_candidate_is_placed_with_the_boards_numbers_on_the_api_and_the_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E2", "E3");
        await CycleAsync(c["H1"], "g1", committee: ["C1"]);
        await NominatedAsync(c["M2"], "g1", "E1", "e3");
        var e2 = await NominatedAsync(c["E2"], "g1", "E2", "e4");
        await NominatedAsync(c["M1"], "g1", "E3", "l4");
        await NominatedAsync(c["H1"], "g1", "X1", "l4");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], e2, "accept"));

        var framework = (await app.Services.CreateScope().ServiceProvider.GetRequiredService<FrameworkStore>().GetAsync())!.Framework;
        double MeanExpectation(string level) => framework.FindLevel(level)!.Expectations.Values.Average();

        foreach (var viewer in new[] { "H1", "C1" })
        {
            var board = await RowsAsync(c[viewer], "/api/v1/cycles/g1/board");
            var grid = await RowsAsync(c[viewer], "/api/v1/cycles/g1/grid");
            Assert.Equal(board.Keys.Order(), grid.Keys.Order());
            Assert.Equal(4, grid.Count);
            foreach (var (id, row) in board)
            {
                var point = grid[id];
                var mean = MeanExpectation(row.GetProperty("target_level").GetString()!);
                Assert.Equal(row.GetProperty("name").GetString(), point.GetProperty("name").GetString());
                Assert.Equal(row.GetProperty("band").GetString(), point.GetProperty("band").GetString());
                Assert.Equal(row.GetProperty("nomination_id").GetInt32(), point.GetProperty("nomination_id").GetInt32());
                // The board's numbers: every candidate here has an estimate and a result, so every one is placed.
                var values = Num(row, "values_score");
                Assert.NotNull(values);
                // Rounded to 2 decimals, as the board's scores are.
                Assert.Equal(Math.Round(values!.Value - mean, 2, MidpointRounding.AwayFromZero), Num(point, "values_gap")!.Value, 9);
                var ci = row.GetProperty("values_ci").EnumerateArray().Select(x => x.GetDouble()).ToArray();
                var gapCi = point.GetProperty("values_gap_ci").EnumerateArray().Select(x => x.GetDouble()).ToArray();
                Assert.Equal(Math.Round(ci[0] - mean, 2, MidpointRounding.AwayFromZero), gapCi[0], 9);
                Assert.Equal(Math.Round(ci[1] - mean, 2, MidpointRounding.AwayFromZero), gapCi[1], 9);
                Assert.Equal(Num(row, "latest_results"), Num(point, "results_score"));
                Assert.Equal(framework.Rules.ResultsGate, point.GetProperty("results_gate").GetDouble());
                Assert.Equal(row.GetProperty("response").ToString(), point.GetProperty("response").ToString());
                Assert.Equal(gapCi[0] < 0 && gapCi[1] > 0, point.GetProperty("crosses_border").GetBoolean());
                var gap = Num(point, "values_gap")!.Value;
                var results = Num(point, "results_score")!.Value;
                var expected = (gap >= 0, results >= framework.Rules.ResultsGate) switch
                {
                    (true, true) => "values_met_results_met", (true, false) => "values_met_results_below",
                    (false, true) => "values_below_results_met", _ => "values_below_results_below",
                };
                Assert.Equal(expected, point.GetProperty("region").GetString());
                Assert.False(point.GetProperty("recused").GetBoolean());
            }
            Assert.Equal("accept", grid["E2"].GetProperty("response").GetString());

            // The page draws one point per candidate, at the same numbers, linking to the review.
            var page = await c[viewer].GetAsync("/cycles/g1/grid");
            await AssertStatusAsync(HttpStatusCode.OK, page);
            var html = await page.Content.ReadAsStringAsync();
            foreach (var (id, point) in grid)
            {
                var m = Regex.Match(html, $"<a href=\"/cycles/g1/board/(\\d+)\" class=\"grid-point\" data-employee=\"{id}\" data-values-gap=\"([^\"]+)\" data-results=\"([^\"]+)\"");
                Assert.True(m.Success, $"no point for {id}");
                Assert.Equal(point.GetProperty("nomination_id").GetInt32().ToString(CultureInfo.InvariantCulture), m.Groups[1].Value);
                Assert.Equal(Num(point, "values_gap")!.Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
                Assert.Equal(Num(point, "results_score")!.Value, double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
            }
            Assert.Contains("ready on how they work, results below the gate", html);
            Assert.Contains("results gate 3", html);
        }

        // The same filters as the board.
        var accepted = await RowsAsync(c["H1"], "/api/v1/cycles/g1/grid?response=accept");
        Assert.Equal(["E2"], accepted.Keys);
        var searched = await RowsAsync(c["H1"], "/api/v1/cycles/g1/grid?q=sales");
        Assert.Equal(["X1"], searched.Keys);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "cycle.board" && a.ActorEmployeeId == "C1")));

        // The board page offers the grid view with its filters.
        var boardHtml = await (await c["H1"].GetAsync("/cycles/g1/board?band=ready")).Content.ReadAsStringAsync();
        Assert.Contains("href=\"/cycles/g1/grid?band=ready\"", boardHtml);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_hr_and_the_cycles_committee_see_the_grid_and_a_members_own_candidacy_is_recused(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedEvidenceAsync(app);
        var c = await ClientsAsync(app, "H1", "C1", "M1", "M2", "E1", "E3", "X1", "A1");
        // E3 sits on this cycle's committee and is also a candidate in it.
        await CycleAsync(c["H1"], "g2", committee: ["C1", "E3"]);
        await NominatedAsync(c["M2"], "g2", "E1", "e3");
        var e3 = await NominatedAsync(c["M1"], "g2", "E3", "l4");
        await CycleAsync(c["H1"], "other", committee: ["X1"]);

        foreach (var who in new[] { "M1", "M2", "E1", "A1", "X1" })
        {
            await AssertStatusAsync(HttpStatusCode.Forbidden, await c[who].GetAsync("/api/v1/cycles/g2/grid"), who);
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync("/cycles/g2/grid")).StatusCode);
        }
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await app.AnonymousClient().GetAsync("/api/v1/cycles/g2/grid"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await c["H1"].GetAsync("/api/v1/cycles/nope/grid"));

        var forHr = await RowsAsync(c["H1"], "/api/v1/cycles/g2/grid");
        Assert.All(forHr.Values, p => Assert.False(p.GetProperty("recused").GetBoolean()));
        var forCora = await RowsAsync(c["C1"], "/api/v1/cycles/g2/grid");
        Assert.All(forCora.Values, p => Assert.False(p.GetProperty("recused").GetBoolean()));

        var forEzra = await RowsAsync(c["E3"], "/api/v1/cycles/g2/grid");
        Assert.True(forEzra["E3"].GetProperty("recused").GetBoolean());
        Assert.False(forEzra["E1"].GetProperty("recused").GetBoolean());
        // On the page, Ezra's own point opens no review: it is drawn, marked recused, without a link.
        var html = await (await c["E3"].GetAsync("/cycles/g2/grid")).Content.ReadAsStringAsync();
        Assert.Contains("<g class=\"grid-point recused\" data-employee=\"E3\"", html);
        Assert.DoesNotContain($"/cycles/g2/board/{e3}\"", html);
        Assert.Contains("class=\"grid-point\" data-employee=\"E1\"", html);
    }
}
