using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core;
using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Growth;

/// <summary>One person in a manager's line with their readiness and how well-founded it is.</summary>
public sealed record TeamMember(
    string EmployeeId,
    string Name,
    string? ManagerId,
    bool Direct,
    string? Department,
    string Level,
    string? TargetLevel,
    string Band,
    double? ValuesScore,
    double[]? ValuesCi,
    int EvidenceCount,
    int RaterCount,
    string ResultsGate,
    bool ThinEvidence,
    string? OneSided,
    IReadOnlyList<string> Gaps);

public static class TeamReadiness
{
    /// <summary>Below this many non-self observations or raters, evidence is thin enough to say so.</summary>
    public const int ThinObservations = 6;
    public const int ThinRaters = 3;

    /// <summary>Everyone in the viewer's reporting line (direct and indirect) with readiness and evidence flags.</summary>
    public static async Task<IReadOnlyList<TeamMember>> ForLineAsync(TrellisDb db, ReadinessService readiness, string managerId, CancellationToken ct)
    {
        var ids = await ReportingLine.ReportsOfAsync(db, managerId, ct);
        if (ids.Count == 0) return [];
        var people = new List<(string Id, string Name, string? ManagerId, string? Department, string Level)>();
        var mix = new Dictionary<string, Dictionary<string, int>>();
        foreach (var chunk in ids.Chunk(500))
        {
            people.AddRange((await db.Employees.AsNoTracking().Where(e => chunk.Contains(e.Id) && e.Status == EmployeeStatus.Active)
                .Select(e => new { e.Id, e.Name, e.ManagerId, e.Department, e.Level }).ToListAsync(ct))
                .Select(e => (e.Id, e.Name, e.ManagerId, e.Department, e.Level)));
            var counts = await db.Observations.AsNoTracking()
                .Where(o => chunk.Contains(o.SubjectId) && o.Relationship != Relationships.Self)
                .GroupBy(o => new { o.SubjectId, o.Relationship })
                .Select(g => new { g.Key.SubjectId, g.Key.Relationship, Count = g.Count() })
                .ToListAsync(ct);
            foreach (var c in counts)
            {
                if (!mix.TryGetValue(c.SubjectId, out var byRelationship)) mix[c.SubjectId] = byRelationship = [];
                byRelationship[c.Relationship] = c.Count;
            }
        }
        var reports = (await readiness.GetAllAsync(null, null, ct)).ToDictionary(r => r.EmployeeId);
        return people.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(p =>
        {
            var r = reports.GetValueOrDefault(p.Id);
            var relationships = mix.GetValueOrDefault(p.Id) ?? [];
            var total = relationships.Values.Sum();
            // One-sided: all the evidence that counts comes from a single kind of rater (e.g. only the manager).
            var oneSided = total > 0 && relationships.Count == 1 ? relationships.Keys.Single() : null;
            var raters = r?.RaterCount ?? 0;
            return new TeamMember(p.Id, p.Name, p.ManagerId, p.ManagerId == managerId, p.Department, p.Level, r?.TargetLevel,
                r?.Band ?? Core.Readiness.ReadinessBands.InsufficientEvidence, r?.ValuesScore, r?.ValuesCi, r?.EvidenceCount ?? total, raters,
                r?.ResultsGate ?? Core.Readiness.ResultsGates.Unknown, total < ThinObservations || raters < ThinRaters, oneSided, r?.Gaps ?? []);
        }).ToList();
    }
}
