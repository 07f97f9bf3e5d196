using System.Net;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>
/// Two nominations of one person sent at the same moment: the checks and the insert run under one lock per person (the
/// unique index on (cycle, employee) stands behind it for one cycle), and the loser gets the same 409 as a nomination
/// sent after the first: in one cycle, and in two open cycles (a person is nominated in one open cycle at a time).
/// </summary>
public sealed class ConcurrentNominationTests
{
    private static readonly (string Employee, string Target)[] People = [("E1", "e3"), ("E2", "e4"), ("E3", "l4"), ("X1", "l4"), ("M2", "l4")];

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Two_nominations_at_the_same_moment_make_one_and_a_409(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var again = await app.ClientForAsync("H1");
        await CycleAsync(hr, "c1");

        for (var pass = 0; pass < 4; pass++)
        {
            foreach (var (employee, target) in People)
            {
                var responses = await Task.WhenAll(NominateAsync(hr, "c1", employee, target), NominateAsync(again, "c1", employee, target));
                var statuses = responses.Select(r => r.StatusCode).Order().ToList();
                Assert.True(statuses.SequenceEqual([HttpStatusCode.Created, HttpStatusCode.Conflict]),
                    $"pass {pass}, {employee}: {string.Join(", ", statuses)}: {string.Join(" | ", await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())))}");
                var refused = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
                await AssertStatusAsync(HttpStatusCode.Conflict, refused);
                Assert.Equal($"{employee} is already nominated in cycle 'c1'.", (await JsonAsync(refused)).GetProperty("detail").GetString());
                Assert.Equal(1, await app.WithDbAsync(db => db.Nominations.CountAsync(n => n.EmployeeId == employee)));
            }
            // Again from the start: the race is won at random, so each person is raced for several times.
            await app.WithDbAsync(db => db.Nominations.ExecuteDeleteAsync());
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Two_nominations_in_two_open_cycles_at_the_same_moment_make_one_and_a_409(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var again = await app.ClientForAsync("H1");
        await CycleAsync(hr, "c1");
        await CycleAsync(hr, "c2");

        for (var round = 0; round < 10; round++)
        {
            var responses = await Task.WhenAll(NominateAsync(hr, "c1", "E1", "e3"), NominateAsync(again, "c2", "E1", "e3"));
            var statuses = responses.Select(r => r.StatusCode).Order().ToList();
            Assert.True(statuses.SequenceEqual([HttpStatusCode.Created, HttpStatusCode.Conflict]),
                $"round {round}: {string.Join(", ", statuses)}: {string.Join(" | ", await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())))}");
            var winner = responses[0].StatusCode == HttpStatusCode.Created ? "c1" : "c2";
            var refused = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
            await AssertStatusAsync(HttpStatusCode.Conflict, refused);
            Assert.Equal($"E1 is already nominated in cycle '{winner}', which is not published yet: a person is nominated in one open cycle at a time.",
                (await JsonAsync(refused)).GetProperty("detail").GetString());
            Assert.Equal(1, await app.WithDbAsync(db => db.Nominations.CountAsync(n => n.EmployeeId == "E1")));
            await app.WithDbAsync(db => db.Nominations.ExecuteDeleteAsync());
        }
    }
}
