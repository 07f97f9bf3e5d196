using Microsoft.EntityFrameworkCore;
using Trellis.Core.Cycles;
using Trellis.Core.Framework;
using Trellis.Data;

namespace Trellis.Demo;

/// <summary>
/// The demo's current promotion cycle, open for nominations, so that a newcomer can walk the candidate's step and the
/// calibration board at once: the demo employee is nominated by the demo manager, and a few more people by theirs.
/// </summary>
internal static class DemoOpenCycle
{
    public static async Task<Cycle> AddAsync(TrellisDb db, DemoOrganisation org, CareerFramework framework, TimeProvider clock, CancellationToken ct)
    {
        var today = org.Today;
        var name = $"{today.Year}-H{(today.Month <= 6 ? 1 : 2)}";
        if (org.Promotions.Any(p => p.Cycle == name)) name += "-open";
        var hr = org.SignIns.First(s => s.Role == "hr").EmployeeId;
        var now = clock.GetUtcNow();
        var active = org.People.Where(p => p.Active).ToList();
        var cycle = new Cycle
        {
            Name = name, OpensOn = today.AddDays(-14), ClosesOn = today.AddDays(45), ResponseDeadline = today.AddDays(21),
            Budget = Math.Max(2, active.Count / 40), Phase = CyclePhases.Nominations, CreatedAt = now, CreatedBy = hr,
        };
        db.Cycles.Add(cycle);
        await db.SaveChangesAsync(ct);

        var committee = await db.Accounts.AsNoTracking().Where(a => a.Roles.Contains("committee")).Select(a => a.EmployeeId).ToListAsync(ct);
        db.CycleCommittee.AddRange(committee.Select(id => new CycleCommitteeMember { CycleId = cycle.Id, EmployeeId = id }));

        // The demo employee first, then the first direct report with a next level of a handful of other team leads.
        var employee = org.People.First(p => p.Id == org.SignIns.First(s => s.Role == "employee").EmployeeId);
        var candidates = new List<DemoPerson> { employee };
        candidates.AddRange(active
            .Where(m => m.Reports.Count > 0 && m != org.People[employee.Manager])
            .Select(m => m.Reports.Select(i => org.People[i]).FirstOrDefault(r => r.Active && framework.NextLevel(r.Level) is not null))
            .OfType<DemoPerson>()
            .Take(5));
        foreach (var candidate in candidates.Where(c => c.Manager >= 0 && framework.NextLevel(c.Level) is not null))
        {
            var target = framework.NextLevel(candidate.Level)!;
            var manager = org.People[candidate.Manager];
            var nomination = new Nomination
            {
                CycleId = cycle.Id, EmployeeId = candidate.Id, FromLevel = candidate.Level, TargetLevel = target.Key,
                Rationale = await RationaleAsync(db, framework, candidate, target, ct),
                NominatedBy = manager.Id, NominatedAs = "manager", CreatedAt = now,
            };
            db.Nominations.Add(nomination);
            await db.SaveChangesAsync(ct);
            db.Notifications.Add(new Notification
            {
                EmployeeId = candidate.Id, CreatedAt = now, Link = $"/nominations/{nomination.Id}",
                Title = $"You are nominated for {target.Name} ({target.Key})",
                Body = $"{manager.Name} nominated you for {target.Name} in the {name} promotion cycle. It is your choice: see what the role asks, " +
                       $"reflect privately, and answer by {cycle.ResponseDeadline:yyyy-MM-dd} — accept, take the expert-track level instead, defer or decline.",
            });
        }
        await db.SaveChangesAsync(ct);
        return cycle;
    }

    /// <summary>
    /// The nominating manager's rationale, written from the candidate's evidence as it is in the database: on how many of
    /// the target level's behaviours colleagues' ratings (self-ratings left out) reach its expectation, the strongest, and
    /// the furthest below. Issue 11: the demo tells the truth, so a candidate with thin or weak evidence is not praised.
    /// </summary>
    internal static async Task<string> RationaleAsync(TrellisDb db, CareerFramework framework, DemoPerson candidate, Level target, CancellationToken ct)
    {
        var means = (await db.Observations.AsNoTracking().Where(o => o.SubjectId == candidate.Id && o.Relationship != "self")
                .GroupBy(o => o.Behavior).Select(g => new { Behavior = g.Key, Mean = g.Average(o => (double)o.Rating), Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => x.Behavior);
        var observations = means.Values.Sum(x => x.Count);
        string Name(string key) => framework.FindBehavior(key)?.Name ?? key;
        var rated = target.Expectations
            .Where(e => means.ContainsKey(e.Key))
            .Select(e => (Behavior: e.Key, Gap: means[e.Key].Mean - e.Value, Mean: means[e.Key].Mean, Expected: e.Value))
            .ToList();
        if (observations < 10 || rated.Count == 0)
            return $"Evidence is thin: {candidate.First} has {observations} observation(s) from colleagues, not enough to judge " +
                   $"{target.Name}. Nominated so that {candidate.Possessive} step is looked at; feedback on it is needed first.";
        var met = rated.Where(r => r.Gap >= 0).OrderByDescending(r => r.Gap).ThenBy(r => r.Behavior, StringComparer.Ordinal).ToList();
        var below = rated.Where(r => r.Gap < 0).OrderBy(r => r.Gap).ThenBy(r => r.Behavior, StringComparer.Ordinal).ToList();
        var text = $"From {observations} observations by colleagues, {candidate.First} meets what {target.Name} expects on {met.Count} of " +
                   $"{target.Expectations.Count} behaviours";
        text += met.Count > 0 ? $" (strongest: {string.Join(", ", met.Take(2).Select(r => Name(r.Behavior)))})" : "";
        text += below.Count > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; furthest below: {Name(below[0].Behavior)}, rated {below[0].Mean:0.0} against {below[0].Expected} expected.")
            : ".";
        if (target.Expectations.Count > rated.Count) text += $" {target.Expectations.Count - rated.Count} behaviour(s) have no evidence yet.";
        return text;
    }
}
