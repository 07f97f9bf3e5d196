namespace Trellis.Core.Audit;

// Span of control: managers above the limit and the distribution of direct reports.
public static partial class CultureAudit
{
    // ------------------------------------------------------------ span of control

    private static (List<SpanOutlier>, List<SpanBucket>) SpanOfControl(AuditInput input, PeopleIndex index, Dictionary<string, AuditLevel> levels)
    {
        // Direct reports among the active people, per active manager (a manager id that is not an active person is not counted).
        var people = index.People;
        var counts = new int[people.Count];
        for (var i = 0; i < people.Count; i++)
            if (people[i].Active && index.Manager[i] is var m and >= 0 && people[m].Active) counts[m]++;
        var outliers = new List<SpanOutlier>();
        var buckets = new SortedDictionary<int, int>();
        for (var m = 0; m < counts.Length; m++)
        {
            var count = counts[m];
            if (count == 0) continue;
            buckets[count] = buckets.GetValueOrDefault(count) + 1;
            var person = people[m];
            int? levelLimit = levels.TryGetValue(person.Level, out var level) && level.MaxDirectReports > 0 ? level.MaxDirectReports : null;
            if (count > input.MaxDirectReports || count > (levelLimit ?? int.MaxValue))
                outliers.Add(new SpanOutlier(person.Id, count, input.MaxDirectReports, levelLimit, person.Level));
        }
        var distribution = buckets.Select(b => new SpanBucket(b.Key, b.Value, b.Key > input.MaxDirectReports)).ToList();
        return (outliers.OrderByDescending(o => o.DirectReports).ThenBy(o => o.ManagerId, StringComparer.Ordinal).ToList(), distribution);
    }
}
