using Microsoft.EntityFrameworkCore;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Growth;

/// <summary>A person's behaviour profile against what their level and the next level on both tracks expect.</summary>
public sealed record GrowthProfile(
    string EmployeeId,
    string Name,
    string Track,
    string Level,
    string LevelName,
    ReadinessReport? Readiness,
    IReadOnlyList<LevelMark> Marks,
    IReadOnlyList<ProfileRow> Rows,
    int RecognitionsReceived,
    IReadOnlyList<RecognitionReceived> RecentRecognitions);

/// <summary>A level whose expectations are drawn on the profile chart.</summary>
public sealed record LevelMark(string Key, string Name, string TrackName, string Role);

public sealed record ProfileRow(string Behavior, string Name, string Value, BehaviorReadiness? Estimate, IReadOnlyDictionary<string, int> ExpectedByLevel);

public sealed record RecognitionReceived(string FromName, string Value, string? Behavior, string? Message, DateOnly GivenOn);

public static class GrowthProfiles
{
    /// <summary>The profile of <paramref name="employeeId"/> as <paramref name="viewerId"/> may see it (their own view when it is themselves).</summary>
    public static async Task<GrowthProfile?> BuildAsync(TrellisDb db, CareerFramework framework, ReadinessService readiness, string employeeId, string viewerId, CancellationToken ct)
    {
        var person = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId)
            .Select(e => new { e.Id, e.Name, e.Track, e.Level }).FirstOrDefaultAsync(ct);
        if (person is null) return null;

        var marks = MarksFor(framework, person.Level);
        var report = await readiness.GetForViewerAsync(employeeId, viewerId, null, null, ct);
        var estimates = report?.Behaviors.ToDictionary(b => b.Behavior) ?? [];
        var rows = framework.Values.SelectMany(v => v.Behaviors.Select(b => new ProfileRow(
            b.Key, b.Name, v.Name, estimates.GetValueOrDefault(b.Key),
            marks.Select(m => (m.Key, Expected: framework.FindLevel(m.Key)?.Expectations.GetValueOrDefault(b.Key) ?? 0))
                 .Where(x => x.Expected > 0).ToDictionary(x => x.Key, x => x.Expected)))).ToList();

        var received = db.Recognitions.AsNoTracking().Where(r => r.ToId == employeeId);
        var count = await received.CountAsync(ct);
        var recent = await received.OrderByDescending(r => r.GivenOn).Take(10)
            .GroupJoin(db.Employees, r => r.FromId, e => e.Id, (r, es) => new { r, es })
            .SelectMany(x => x.es.DefaultIfEmpty(), (x, e) => new RecognitionReceived(e != null ? e.Name : x.r.FromId, x.r.Value, x.r.Behavior, x.r.Message, x.r.GivenOn))
            .ToListAsync(ct);
        var levelName = framework.FindLevel(person.Level)?.Name ?? person.Level;
        return new(person.Id, person.Name, person.Track, person.Level, levelName, report, marks, rows, count, recent);
    }

    /// <summary>The current level, the next band on the same track, and the next band on the other track(s).</summary>
    public static IReadOnlyList<LevelMark> MarksFor(CareerFramework framework, string levelKey)
    {
        var marks = new List<LevelMark>();
        var level = framework.FindLevel(levelKey);
        var track = framework.TrackOf(levelKey);
        if (level is null || track is null) return marks;
        marks.Add(new(level.Key, level.Name, track.Name, "current"));
        if (framework.NextLevel(levelKey) is { } next) marks.Add(new(next.Key, next.Name, track.Name, "next"));
        foreach (var other in framework.Tracks.Where(t => t.Key != track.Key))
        {
            // The first level on the other track above the current band: the same step up, on the other path.
            var step = other.Levels.Where(l => l.Band > level.Band).OrderBy(l => l.Band).FirstOrDefault();
            if (step is not null) marks.Add(new(step.Key, step.Name, other.Name, "next-other"));
        }
        return marks;
    }
}
