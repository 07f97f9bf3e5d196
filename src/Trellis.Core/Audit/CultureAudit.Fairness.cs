namespace Trellis.Core.Audit;

// Fairness: promotion and readiness rates by group, with small groups suppressed.
public static partial class CultureAudit
{
    // ------------------------------------------------------------ fairness

    private static string? AttributeOf(AuditPerson? p, string attribute) => p is null ? null : attribute switch
    {
        "gender" => p.Gender,
        "department" => p.Department,
        "location" => p.Location,
        _ => null,
    };

    /// <summary>
    /// Groups below the anonymity threshold are never shown. When the hidden groups of an attribute add up to
    /// fewer than the threshold, the next-smallest group is hidden too, so that nobody can recover a small group
    /// by subtracting the shown ones from a total.
    /// </summary>
    private static HashSet<string> Suppress(Dictionary<string, int> sizes, int threshold)
    {
        var hidden = sizes.Where(s => s.Value < threshold).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        while (hidden.Count > 0 && hidden.Sum(h => sizes[h]) < threshold && hidden.Count < sizes.Count)
        {
            var next = sizes.Where(s => !hidden.Contains(s.Key)).OrderBy(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;
            hidden.Add(next);
        }
        return hidden;
    }

    private static List<GroupRate> GroupRates(IReadOnlyList<AuditCandidate> all, int[] allPerson, List<int> decided, PeopleIndex index,
        int threshold, AuditOptions options, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupRate>();
        var totalPromoted = 0;
        foreach (var i in decided)
            if (all[i].Outcome == PromotionOutcomes.Promoted) totalPromoted++;
        for (var a = 0; a < GroupAttributes.Count; a++)
        {
            var attribute = GroupAttributes[a];
            var codes = index.Codes[a];
            var recorded = index.Recorded[a];
            var notRecorded = index.NotRecordedCode(a);
            var size = new int[index.Labels[a].Count];
            var promotedIn = new int[size.Length];
            var any = false;
            foreach (var i in decided)
            {
                var person = allPerson[i];
                var code = notRecorded;
                if (person >= 0)
                {
                    code = codes[person];
                    any |= recorded[person];
                }
                size[code]++;
                if (all[i].Outcome == PromotionOutcomes.Promoted) promotedIn[code]++;
            }
            if (!any) continue; // attribute not in the data
            var groups = new Dictionary<string, (int n, int promoted)>(StringComparer.Ordinal);
            for (var code = 0; code < size.Length; code++)
                if (size[code] > 0) groups[index.Labels[a][code]] = (size[code], promotedIn[code]);
            var hidden = Suppress(groups.ToDictionary(g => g.Key, g => g.Value.n, StringComparer.Ordinal), threshold);
            if (hidden.Count > 0)
                suppressed.Add(new SuppressedGroup(attribute, "promotion", $"{hidden.Count} group(s) under the anonymity threshold of {threshold} (or hidden with them) are not shown."));
            var shown = groups.Where(g => !hidden.Contains(g.Key)).ToList();
            if (shown.Count == 0) continue;
            var best = shown.Max(g => (double)g.Value.promoted / g.Value.n);
            foreach (var (group, (n, promoted)) in shown.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var rate = (double)promoted / n;
                double? impact = best > 0 ? rate / best : null;
                // Group against everyone else: [[promoted, not], [others promoted, others not]].
                var p = FisherExact.TwoSided(promoted, n - promoted, totalPromoted - promoted, decided.Count - n - (totalPromoted - promoted));
                var significant = p < options.Alpha;
                rates.Add(new GroupRate(attribute, group, n, promoted, impact, rate, p, impact < options.FourFifths && significant, significant));
            }
        }
        return rates;
    }

    private static List<GroupReadiness> ReadinessRates(AuditInput input, PeopleIndex index, List<SuppressedGroup> suppressed)
    {
        var rates = new List<GroupReadiness>();
        if (input.Readiness.Count == 0) return rates;
        var ready = new Dictionary<string, bool>(input.Readiness.Count, StringComparer.Ordinal);
        foreach (var r in input.Readiness) ready.Add(r.EmployeeId, r.Band == Readiness.ReadinessBands.Ready);
        var people = index.People;
        var hasBand = new bool[people.Count];
        var isReady = new bool[people.Count];
        for (var i = 0; i < people.Count; i++)
            if (people[i].Active && ready.TryGetValue(people[i].Id, out var r)) (hasBand[i], isReady[i]) = (true, r);
        for (var a = 0; a < GroupAttributes.Count; a++)
        {
            var attribute = GroupAttributes[a];
            var size = new int[index.Labels[a].Count];
            var readyIn = new int[size.Length];
            var any = false;
            for (var i = 0; i < people.Count; i++)
            {
                if (!hasBand[i]) continue;
                var code = index.Codes[a][i];
                any |= index.Recorded[a][i];
                size[code]++;
                if (isReady[i]) readyIn[code]++;
            }
            if (!any) continue;
            var groups = new Dictionary<string, (int n, int ready)>(StringComparer.Ordinal);
            for (var code = 0; code < size.Length; code++)
                if (size[code] > 0) groups[index.Labels[a][code]] = (size[code], readyIn[code]);
            var hidden = Suppress(groups.ToDictionary(g => g.Key, g => g.Value.n, StringComparer.Ordinal), input.AnonymityThreshold);
            if (hidden.Count > 0)
                suppressed.Add(new SuppressedGroup(attribute, "readiness", $"{hidden.Count} group(s) under the anonymity threshold of {input.AnonymityThreshold} (or hidden with them) are not shown."));
            var shown = groups.Where(g => !hidden.Contains(g.Key)).ToList();
            if (shown.Count == 0) continue;
            var best = shown.Max(g => (double)g.Value.ready / g.Value.n);
            foreach (var (group, (n, readyCount)) in shown.OrderBy(g => g.Key, StringComparer.Ordinal))
                rates.Add(new GroupReadiness(attribute, group, n, readyCount, (double)readyCount / n, best > 0 ? (double)readyCount / n / best : null));
        }
        return rates;
    }
}
