using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Security;

/// <summary>
/// Subject first in lists: HR (or a committee member) who is also in a list they read — the cycle's suggestions, the
/// cycle page, the calibration board and grid, the development-plan summary — sees their own row as its subject does,
/// without the anonymous feedback about them still held back. Hana (HR, l4) has strong released feedback from three
/// colleagues; then Xavi, outside her line, gives one "other" answer about her, which is held back (threshold 3).
/// </summary>
public sealed partial class SubjectFirstListTests
{
    private const string Behavior = "asks-why";

    private static readonly IReadOnlyList<string> Behaviors = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.Select(b => b.Key).ToList();

    /// <summary>Ratings of 5 on every behaviour from E1, E2 and E3, released (their feedback about Hana is "other").</summary>
    private static async Task SeedStrongEvidenceAsync(TrellisApp app, string subject)
    {
        await app.WithDbAsync(async db =>
        {
            var k = 0;
            foreach (var b in Behaviors)
                foreach (var rater in new[] { "E1", "E2", "E3" })
                    db.Observations.Add(new Observation
                    {
                        Id = $"{subject}-{k++}", SubjectId = subject, RaterId = rater, Relationship = "other", Behavior = b, Rating = 5,
                        ObservedOn = Today.AddDays(-30), ReleasedAt = DateTimeOffset.UtcNow,
                    });
            await db.SaveChangesAsync();
        });
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();
    }

    /// <summary>One anonymous answer about <paramref name="subject"/>, held back (one rater of three); returns the full estimate's explanation before and after.</summary>
    private static async Task<(string Before, string After)> HeldBackAnswerAsync(TrellisApp app, string subject)
    {
        var readiness = app.Services.GetRequiredService<ReadinessService>();
        var before = (await readiness.GetAsync(subject))!.Explanation;
        var xavi = await app.ClientForAsync("X1");
        await AssertStatusAsync(HttpStatusCode.Created, await xavi.PostAsJsonAsync("/api/v1/observations",
            new { subject_id = subject, behavior = Behavior, rating = 1, comment = "In the planning review she cut the question short and moved on." }));
        Assert.Null(await app.WithDbAsync(db => db.Observations.Where(o => o.RaterId == "X1" && o.SubjectId == subject).Select(o => o.ReleasedAt).SingleAsync()));
        await readiness.RefreshAsync();
        var after = (await readiness.GetAsync(subject))!.Explanation;
        return (before, after);
    }

    [GeneratedRegex("<table id=\"suggestions-table\">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex SuggestionsTable();

    [GeneratedRegex("<input name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex AntiForgery();

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hrs_own_suggestion_and_the_suggestion_count_move_with_no_held_back_answer_about_them(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedStrongEvidenceAsync(app, "H1");
        var hr = await app.ClientForAsync("H1");
        await CycleAsync(hr, "c1");

        async Task<(string Row, int Total, string Page)> HanaSeesAsync()
        {
            var suggestions = await JsonAsync(await hr.GetAsync("/api/v1/cycles/c1/suggestions"));
            var own = suggestions.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("employee_id").GetString() == "H1");
            // The rows' forms carry a fresh anti-forgery token per view: left out.
            var page = AntiForgery().Replace(SuggestionsTable().Match(await hr.GetStringAsync("/cycles/c1")).Value, "");
            return (own.GetRawText(), suggestions.GetProperty("total").GetInt32(), page);
        }
        var before = await HanaSeesAsync();
        Assert.Contains("Hana Hr (H1)", before.Page);

        var full = await HeldBackAnswerAsync(app, "H1");
        Assert.NotEqual(full.Before, full.After); // the full estimate (her managers', other HR's) counts the answer

        var after = await HanaSeesAsync();
        Assert.Equal(before.Row, after.Row);
        Assert.Equal(before.Total, after.Total);
        Assert.Equal(before.Page, after.Page);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_candidates_own_row_on_the_board_and_grid_moves_with_no_held_back_answer_about_them(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedStrongEvidenceAsync(app, "H1");
        var hr = await app.ClientForAsync("H1");
        await CycleAsync(hr, "c1");
        await NominatedAsync(hr, "c1", "H1", "l5");

        async Task<(string Row, string Bands, string Grid)> HanaSeesAsync()
        {
            var board = await JsonAsync(await hr.GetAsync("/api/v1/cycles/c1/board"));
            var row = board.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("employee_id").GetString() == "H1");
            var grid = (await JsonAsync(await hr.GetAsync("/api/v1/cycles/c1/grid"))).GetProperty("candidates").EnumerateArray()
                .Single(r => r.GetProperty("employee_id").GetString() == "H1");
            // Scores compared rounded: two fits of the same evidence may differ in the last digit (parallel sums).
            static string Rounded(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble().ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : e.GetRawText();
            return ($"{row.GetProperty("band")} {row.GetProperty("evidence_count")} {row.GetProperty("rater_count")} {row.GetProperty("flags")} {Rounded(row.GetProperty("values_score"))}",
                board.GetProperty("bands").GetRawText(),
                $"{grid.GetProperty("band")} {grid.GetProperty("region")} {Rounded(grid.GetProperty("values_gap"))}");
        }
        var before = await HanaSeesAsync();

        var full = await HeldBackAnswerAsync(app, "H1");
        Assert.NotEqual(full.Before, full.After);

        Assert.Equal(before, await HanaSeesAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hrs_own_plan_counts_in_the_plan_summary_with_their_own_view(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var subject in new[] { "H1", "M1", "M2" }) await SeedStrongEvidenceAsync(app, subject);
        var c = await ClientsAsync(app, "H1", "M1", "M2");
        foreach (var who in new[] { "H1", "M1", "M2" })
            await AssertStatusAsync(HttpStatusCode.Created, await c[who].PostAsJsonAsync("/api/v1/development-plans", new
            {
                employee_id = who, behaviors = new[] { Behavior },
                actions = new[] { new { behavior = Behavior, text = "Ask who a change is for before starting it", due_on = Iso(Today.AddDays(14)) } },
            }), who);
        await HeldBackAnswerAsync(app, "H1");

        var readiness = app.Services.GetRequiredService<ReadinessService>();
        async Task<double> ScoreAsync(Task<Core.Readiness.ReadinessReport?> report) => (await report)!.Behaviors.Single(b => b.Behavior == Behavior).Score!.Value;
        var own = await ScoreAsync(readiness.GetOwnAsync("H1"));
        var others = await ScoreAsync(readiness.GetAsync("M1")) + await ScoreAsync(readiness.GetAsync("M2"));
        Assert.True(Math.Abs(own - await ScoreAsync(readiness.GetAsync("H1"))) > 0.05, "the held-back answer moves Hana's full estimate");

        var summary = await JsonAsync(await c["H1"].GetAsync("/api/v1/development-plans/summary"));
        var row = summary.GetProperty("behaviors").EnumerateArray().Single(b => b.GetProperty("behavior").GetString() == Behavior);
        // Hana's plan counts with her own view (the others' with the full estimate, which she may read).
        Assert.Equal(Math.Round((own + others) / 3, 3), row.GetProperty("after").GetProperty("mean").GetDouble(), 3);
    }
}
