using System.Net;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>
/// Two nominations of one person in one cycle sent at the same moment: both pass the "already nominated?" check before
/// either is written, so the unique index on (cycle, employee) decides, and the loser gets the same 409 as a nomination
/// sent after the first.
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
}
