using Microsoft.Extensions.DependencyInjection;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>
/// The suggestions are selected once per organisation snapshot and readiness result (issue 12), not per view: a cached
/// selection must never outlive the readiness it was made from.
/// </summary>
public sealed class SuggestionsCacheTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_cached_selection_follows_a_readiness_refit(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // A new engineer in M2's line, with no evidence yet: not suggested.
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Employee { Id = "R1", Name = "Rui Ready", Email = "r1@example.test", ManagerId = "M2", Department = "Engineering",
                Track = "expert", Level = "e2", HireDate = new(2020, 1, 6), LevelSince = new(2020, 1, 6) });
            await db.SaveChangesAsync();
        });
        var c = await ClientsAsync(app, "H1", "M2", "M1");
        await CycleAsync(c["H1"], "c1");
        async Task<string[]> Suggested(string who) =>
            (await JsonAsync(await c[who].GetAsync("/api/v1/cycles/c1/suggestions"))).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("employee_id").GetString()!).ToArray();
        Assert.DoesNotContain("R1", await Suggested("H1"));
        Assert.DoesNotContain("R1", await Suggested("M2"));

        // Strong evidence from three colleagues, then a refit: the same cycle, the same organisation, a new readiness result.
        var behaviors = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.Select(b => b.Key).ToList();
        await app.WithDbAsync(async db =>
        {
            var k = 0;
            foreach (var b in behaviors)
                foreach (var rater in new[] { "E1", "E2", "E3" })
                    db.Observations.Add(new Observation { Id = $"r1-{k++}", SubjectId = "R1", RaterId = rater, Relationship = "peer", Behavior = b, Rating = 5,
                        ObservedOn = Today.AddDays(-30), ReleasedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });
        await app.Services.GetRequiredService<ReadinessService>().RefreshAsync();

        Assert.Contains("R1", await Suggested("H1"));
        Assert.Contains("R1", await Suggested("M2"));
        Assert.Contains("R1", await Suggested("M1")); // M2's manager
        var row = (await JsonAsync(await c["H1"].GetAsync("/api/v1/cycles/c1/suggestions"))).GetProperty("items").EnumerateArray().Single(s => s.GetProperty("employee_id").GetString() == "R1");
        Assert.Equal(("Rui Ready", "M2"), (row.GetProperty("name").GetString(), row.GetProperty("manager_id").GetString()));

        // Nominated in the cycle: no longer suggested there, without any refit.
        await NominatedAsync(c["M2"], "c1", "R1", "e3");
        Assert.DoesNotContain("R1", await Suggested("H1"));
        Assert.DoesNotContain("R1", await Suggested("M2"));
    }
}
