using System.Net;
using System.Text.Json;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>
/// A committee member who is also a candidate sees nothing of their own decision before publication, by any route: the
/// nominations list, the cycle page, the board (its rows and its budget used), the grid.
/// </summary>
public sealed class OwnDecisionTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_member_who_is_a_candidate_sees_nothing_of_their_own_decision_before_publication(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "C1", "E1", "E2");
        // C1 and E2 sit on the committee; E2 is also a candidate, and so is E1.
        await CycleAsync(c["H1"], "c1", committee: ["C1", "E2"]);
        var own = await NominatedAsync(c["H1"], "c1", "E2", "e4");
        var other = await NominatedAsync(c["H1"], "c1", "E1", "e3");
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E2"], own, "accept"));
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], other, "accept"));
        await PhaseAsync(c["H1"], "c1", "responses");
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["E2"], other, "promoted", "Leads the team's reviews."));

        // Everything E2 can read about the cycle, as text.
        async Task<(string List, string Board, string Grid, string CyclePage, string BoardPage, string GridPage)> ViewsAsync() => (
            await c["E2"].GetStringAsync("/api/v1/cycles/c1/nominations"),
            await c["E2"].GetStringAsync("/api/v1/cycles/c1/board"),
            await c["E2"].GetStringAsync("/api/v1/cycles/c1/grid"),
            await c["E2"].GetStringAsync("/cycles/c1"),
            await c["E2"].GetStringAsync("/cycles/c1/board"),
            await c["E2"].GetStringAsync("/cycles/c1/grid"));
        var undecided = await ViewsAsync();

        // C1 decides E2's candidacy, then changes the decision: E2's views do not move, whatever the outcome.
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], own, "promoted", "Secret rationale one."));
        var promoted = await ViewsAsync();
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], own, "not_yet", "Secret rationale two.", version: 1));
        var notYet = await ViewsAsync();

        foreach (var views in new[] { promoted, notYet })
        {
            Assert.Equal(undecided.List, views.List);
            Assert.Equal(undecided.Board, views.Board);
            Assert.Equal(undecided.Grid, views.Grid);
            foreach (var text in new[] { views.List, views.Board, views.Grid, views.CyclePage, views.BoardPage, views.GridPage })
                Assert.DoesNotContain("Secret rationale", text);
        }
        var mine = JsonDocument.Parse(notYet.List).RootElement.EnumerateArray().Single(n => n.GetProperty("id").GetInt32() == own);
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("decision").ValueKind);
        Assert.Equal(0, mine.GetProperty("version").GetInt32());
        var ownRow = JsonDocument.Parse(notYet.Board).RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("nomination_id").GetInt32() == own);
        Assert.Equal(JsonValueKind.Null, ownRow.GetProperty("decision").ValueKind);
        Assert.Equal(0, ownRow.GetProperty("version").GetInt32());
        // The budget used is counted without E2's own candidacy, and says so: E1's promotion only.
        var board = JsonDocument.Parse(notYet.Board).RootElement;
        Assert.Equal(1, board.GetProperty("budget_used").GetInt32());
        Assert.True(board.GetProperty("budget_used_without_own").GetBoolean());
        Assert.Contains("budget used 1 of 5 (without your own candidacy", System.Net.WebUtility.HtmlDecode(notYet.BoardPage));
        // The cycle page's own row shows no outcome before publication.
        Assert.Matches($"<a href=\"/nominations/{own}\">[^<]*</a> \\(E2\\)(?:(?!</tr>)[\\s\\S])*<td>accept</td><td>—</td>", System.Net.WebUtility.HtmlDecode(notYet.CyclePage));

        // The other member, not a candidate, still sees the decision and the whole budget.
        var asMember = await JsonAsync(await c["C1"].GetAsync("/api/v1/cycles/c1/nominations"));
        var seen = asMember.EnumerateArray().Single(n => n.GetProperty("id").GetInt32() == own);
        Assert.Equal("not_yet", seen.GetProperty("decision").GetProperty("outcome").GetString());
        Assert.Equal(2, seen.GetProperty("version").GetInt32());
        var memberBoard = await JsonAsync(await c["C1"].GetAsync("/api/v1/cycles/c1/board"));
        Assert.False(memberBoard.GetProperty("budget_used_without_own").GetBoolean());
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], own, "promoted", "Secret rationale three.", version: 2));
        Assert.Equal(2, (await JsonAsync(await c["C1"].GetAsync("/api/v1/cycles/c1/board"))).GetProperty("budget_used").GetInt32());
        Assert.Equal(1, (await JsonAsync(await c["E2"].GetAsync("/api/v1/cycles/c1/board"))).GetProperty("budget_used").GetInt32());

        // After publication the candidate reads their decision like any other candidate.
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1"));
        var published = await JsonAsync(await c["E2"].GetAsync("/api/v1/cycles/c1/nominations"));
        var outcome = published.EnumerateArray().Single(n => n.GetProperty("id").GetInt32() == own);
        Assert.Equal("promoted", outcome.GetProperty("decision").GetProperty("outcome").GetString());
        Assert.Equal("Secret rationale three.", outcome.GetProperty("decision").GetProperty("rationale").GetString());
    }
}
