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

/// <summary>One page of a manager's line (<c>GET /api/v1/team/readiness</c>), the same shape as the other paged lists.</summary>
public sealed record TeamReadinessPage(IReadOnlyList<TeamMember> Items, int Total, int Page, int PageSize);

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
        var all = await readiness.GetAllAsync(null, null, ct);
        var mix = await readiness.EvidenceMixAsync(ct);
        // The same line from the same organisation and readiness is the same list: a senior manager paging through tens of
        // thousands of people does not rebuild and sort it per page. The objects themselves are the key (a new snapshot,
        // a refit or an incremental update makes new ones), so a hit is never stale.
        if (Lines.TryGetValue(managerId, out var hit) && ReferenceEquals(hit.Org, org) && ReferenceEquals(hit.Reports, all) && ReferenceEquals(hit.Mix, mix))
            return hit.Members;
        var members = Build(org, me, all, mix);
        if (Lines.Count >= MaxCachedLines) Lines.Clear();
        Lines[managerId] = new CachedLine(org, all, mix, members);
        return members;
    }

    /// <summary>
    /// The audit log entries for a page of the line shown: one per person on it (their readiness was read), in one batch
    /// insert; the people of the line not shown on the page were not read.
    /// </summary>
    public static Task RecordReadsAsync(Accounts.SensitiveReads reads, string managerId, IEnumerable<TeamMember> shown, CancellationToken ct) =>
        reads.RecordManyAsync("read_team_readiness", shown.Select(m => ((string?)m.EmployeeId, (string?)$"team readiness of {managerId}")), ct);

    private sealed record CachedLine(OrgSnapshot Org, IReadOnlyList<ReadinessReport> Reports, EvidenceMix? Mix, IReadOnlyList<TeamMember> Members);
    private const int MaxCachedLines = 64;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedLine> Lines = new(StringComparer.Ordinal);

    private static TeamMember[] Build(OrgSnapshot org, int me, IReadOnlyList<ReadinessReport> all, EvidenceMix? mix)
    {
        var line = org.Structure.ReportsOf(me);
        if (line.Length == 0) return [];
        var reports = new Dictionary<string, ReadinessReport>(all.Count, StringComparer.Ordinal);
        foreach (var r in all) reports[r.EmployeeId] = r;
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
