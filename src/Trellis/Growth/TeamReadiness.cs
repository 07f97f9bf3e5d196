using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.People;
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

    /// <summary>
    /// Everyone in the viewer's reporting line (direct and indirect), by name, with readiness and evidence flags. Read
    /// from the organisation snapshot and the readiness engine's loaded evidence, both in memory, so that a line of
    /// 100,000 people costs no query per person (it took 200 queries of 500 ids each and a GROUP BY over the observations).
    /// </summary>
    public static async Task<IReadOnlyList<TeamMember>> ForLineAsync(TrellisDb db, OrgSnapshots orgs, ReadinessService readiness, string managerId, CancellationToken ct)
    {
        var org = await orgs.GetAsync(db, ct);
        if (org.IndexOf(managerId) is not { } me) return [];
        var line = org.Structure.ReportsOf(me);
        if (line.Length == 0) return [];
        var all = await readiness.GetAllAsync(null, null, ct);
        var reports = new Dictionary<string, ReadinessReport>(all.Count, StringComparer.Ordinal);
        foreach (var r in all) reports[r.EmployeeId] = r;
        var mix = await readiness.EvidenceMixAsync(ct);
        var members = new TeamMember[line.Length];
        for (var k = 0; k < line.Length; k++)
        {
            var i = line[k];
            var id = org.Ids[i];
            var manager = org.Structure.ManagerOf(i);
            var r = reports.GetValueOrDefault(id);
            var relationships = mix?.Of(id) ?? [];
            var total = relationships.Values.Sum();
            // One-sided: all the evidence that counts comes from a single kind of rater (e.g. only the manager).
            var oneSided = total > 0 && relationships.Count == 1 ? relationships.Keys.Single() : null;
            var raters = r?.RaterCount ?? 0;
            members[k] = new TeamMember(id, org.Names[i], manager < 0 ? null : org.Ids[manager], manager == me, org.Departments[i], org.Levels[i], r?.TargetLevel,
                r?.Band ?? Core.Readiness.ReadinessBands.InsufficientEvidence, r?.ValuesScore, r?.ValuesCi, r?.EvidenceCount ?? total, raters,
                r?.ResultsGate ?? Core.Readiness.ResultsGates.Unknown, total < ThinObservations || raters < ThinRaters, oneSided, r?.Gaps ?? []);
        }
        Array.Sort(members, static (a, b) =>
        {
            var c = string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
            return c != 0 ? c : string.CompareOrdinal(a.EmployeeId, b.EmployeeId);
        });
        return members;
    }
}
