using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Growth;

namespace Trellis.Demo;

/// <summary>
/// Published promotion stories for the demo, so that a new user finds the Promotions page populated: the most recent
/// history cycle's promotions, a few per department, drafted as Trellis drafts them and approved on the people's behalf.
/// Demo data only: each is marked <c>demo</c> (the card shows it), and no event is sent.
/// </summary>
internal static class DemoStories
{
    public const int MaxStories = 12;

    public static async Task<int> AddAsync(TrellisDb db, DemoOrganisation org, CareerFramework framework, TimeProvider clock, CancellationToken ct)
    {
        var promoted = org.Promotions.Where(p => p.Outcome == PromotionOutcomes.Promoted).ToList();
        if (promoted.Count == 0) return 0;
        var latest = promoted.Max(p => p.DecidedOn);
        var departments = org.People.ToDictionary(p => p.Id, p => DemoText.Departments[p.Department].Name);
        // Round-robin over departments, so that the department filter has something in each.
        var chosen = promoted.Where(p => p.DecidedOn == latest)
            .GroupBy(p => departments.GetValueOrDefault(p.EmployeeId, ""))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(p => p.EmployeeId, StringComparer.Ordinal).Select((p, i) => (p, i)))
            .OrderBy(x => x.i).ThenBy(x => x.p.EmployeeId, StringComparer.Ordinal)
            .Take(MaxStories).Select(x => x.p).ToList();
        var start = new DateTimeOffset(latest.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        for (var i = 0; i < chosen.Count; i++)
        {
            var record = chosen[i];
            // The readiness engine is not loaded while the demo seeds (and a fit per story would slow `trellis demo` down):
            // the demo drafts from colleagues' mean ratings (self-ratings left out), the engine's starting point.
            var means = await db.Observations.AsNoTracking().Where(o => o.SubjectId == record.EmployeeId && o.Relationship != "self")
                .GroupBy(o => o.Behavior).Select(g => new { Behavior = g.Key, Mean = g.Average(o => (double)o.Rating) }).ToListAsync(ct);
            var level = framework.FindLevel(record.FromLevel);
            var evidence = means
                .Where(m => level is not null && level.Expectations.GetValueOrDefault(m.Behavior) > 0 && framework.FindBehavior(m.Behavior) is not null)
                .Select(m => new StoryEvidence(m.Behavior, framework.FindBehavior(m.Behavior)!.Name, framework.ValueOf(m.Behavior)?.Key ?? "",
                    Math.Round(m.Mean, 2), null, level!.Expectations[m.Behavior], Math.Round(m.Mean - level.Expectations[m.Behavior], 2)))
                .OrderByDescending(e => e.Above).ThenBy(e => e.Behavior, StringComparer.Ordinal).ToList();
            var at = start.AddDays(2 + i);
            var story = await PromotionStoryService.DraftAsync(db, framework, evidence, record, at, ct);
            story.Status = StoryStatuses.Published;
            story.PublishedAt = at;
            story.Demo = true;
            story.Version = 1;
            db.Add(story);
        }
        await db.SaveChangesAsync(ct);
        return chosen.Count;
    }
}
