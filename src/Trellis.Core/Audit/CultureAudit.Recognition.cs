using System.Buffers;

namespace Trellis.Core.Audit;

// Recognition: which values are recognised, by whom and where.
public static partial class CultureAudit
{
    // ------------------------------------------------------------ recognition

    /// <summary>Running counts of one recognised value; givers and recipients are counted once each, by position.</summary>
    private sealed class ValueCounts(int people, int departments)
    {
        public int Count, Givers, Recipients, Manager, Report, Peer;
        /// <summary>Who gave and who received it, by position (pooled: returned by <see cref="Release"/>).</summary>
        public readonly bool[] Gave = Cleared(people), Received = Cleared(people);
        /// <summary>Ids that are not among the people, counted by name.</summary>
        public readonly HashSet<string> OtherGivers = new(StringComparer.Ordinal), OtherRecipients = new(StringComparer.Ordinal);
        public readonly int[] ByDepartment = new int[departments];
        public readonly Dictionary<int, int> ByHalfYear = [];

        private static bool[] Cleared(int length)
        {
            var array = ArrayPool<bool>.Shared.Rent(length);
            Array.Clear(array, 0, length);
            return array;
        }

        public void Release()
        {
            ArrayPool<bool>.Shared.Return(Gave);
            ArrayPool<bool>.Shared.Return(Received);
        }
    }

    private static RecognitionMap Recognition(AuditInput input, PeopleIndex index)
    {
        var people = index.People;
        var departmentCodes = index.Codes[DepartmentAttribute];
        var departmentLabels = index.Labels[DepartmentAttribute];
        var unknownDepartment = index.NotRecordedCode(DepartmentAttribute);
        var valueOf = new Dictionary<string, ValueCounts>(StringComparer.Ordinal);
        string? lastValue = null;
        ValueCounts? agg = null;
        foreach (var r in input.Recognitions)
        {
            if (!ReferenceEquals(r.Value, lastValue) && r.Value != lastValue || agg is null)
            {
                if (!valueOf.TryGetValue(r.Value, out agg)) valueOf.Add(r.Value, agg = new ValueCounts(people.Count, departmentLabels.Count));
                lastValue = r.Value;
            }
            agg.Count++;
            var from = index.Of(r.FromId);
            var to = index.Of(r.ToId);
            if (from >= 0) { if (!agg.Gave[from]) { agg.Gave[from] = true; agg.Givers++; } }
            else if (agg.OtherGivers.Add(r.FromId)) agg.Givers++;
            if (to >= 0) { if (!agg.Received[to]) { agg.Received[to] = true; agg.Recipients++; } }
            else if (agg.OtherRecipients.Add(r.ToId)) agg.Recipients++;
            if (to >= 0 && people[to].ManagerId == r.FromId) agg.Manager++;
            else if (from >= 0 && people[from].ManagerId == r.ToId) agg.Report++;
            else agg.Peer++;
            agg.ByDepartment[to >= 0 ? departmentCodes[to] : unknownDepartment]++;
            // Half-years as integers while counting: formatting a string per recognition costs more than the count.
            var half = r.GivenOn.Year * 2 + (r.GivenOn.Month <= 6 ? 0 : 1);
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(agg.ByHalfYear, half, out _)++;
        }
        foreach (var counts in valueOf.Values) counts.Release();
        var valueKeys = input.ValueKeys.Concat(valueOf.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var values = valueKeys.Select(v => valueOf.TryGetValue(v, out var a)
            ? new RecognitionValue(v, a.Count, a.Givers, a.Recipients, a.Manager, a.Report, a.Peer)
            : new RecognitionValue(v, 0, 0, 0, 0, 0, 0)).ToList();
        static string Half(int h) => $"{h / 2}-H{h % 2 + 1}";
        var byDepartment = new List<RecognitionCell>();
        var byPeriod = new List<RecognitionCell>();
        foreach (var (value, a) in valueOf.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            for (var d = 0; d < a.ByDepartment.Length; d++)
                if (a.ByDepartment[d] > 0) byDepartment.Add(new RecognitionCell(value, departmentLabels[d], a.ByDepartment[d]));
            foreach (var (half, count) in a.ByHalfYear) byPeriod.Add(new RecognitionCell(value, Half(half), count));
        }
        byDepartment = [.. byDepartment.OrderBy(c => c.Value, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal)];
        byPeriod = [.. byPeriod.OrderBy(c => c.Value, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal)];
        return new RecognitionMap(
            input.Recognitions.Count, values,
            values.Where(v => v.Count == 0).Select(v => v.Value).ToList(),
            byDepartment.Select(c => c.Key).Distinct().Order(StringComparer.Ordinal).ToList(),
            byDepartment,
            byPeriod.Select(c => c.Key).Distinct().Order(StringComparer.Ordinal).ToList(),
            byPeriod);
    }
}
