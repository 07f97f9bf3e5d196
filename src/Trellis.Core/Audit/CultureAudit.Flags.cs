using System.Globalization;

namespace Trellis.Core.Audit;

// Flags: promotions that contradict the stated values (low values, results only).
public static partial class CultureAudit
{
    // ------------------------------------------------------------ flags

    private static List<AuditFlag> Flags(IReadOnlyList<AuditCandidate> all, List<List<int>> cycleMembers, IReadOnlyList<AuditConcern> concerns,
        Dictionary<string, AuditLevel> levels, AuditOptions options)
    {
        var concernsByPerson = concerns.Where(c => c.Substantiated).GroupBy(c => c.EmployeeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.RecordedOn).ToList(), StringComparer.Ordinal);
        var flags = new List<AuditFlag>();
        foreach (var members in cycleMembers)
        {
            var withValues = new List<double>(members.Count);
            var withResults = new List<double>(members.Count);
            foreach (var i in members)
            {
                if (all[i].ValuesScore is { } v) withValues.Add(v);
                if (all[i].ResultsScore is { } r) withResults.Add(r);
            }
            withValues.Sort();
            withResults.Sort();
            double? bottomValues = withValues.Count >= 10 ? Quantile(withValues, options.LowValuesBottomShare) : null;
            double? medianValues = withValues.Count >= 2 ? Quantile(withValues, 0.5) : null;
            double? topResults = withResults.Count >= 4 ? Quantile(withResults, 1 - options.TopResultsShare) : null;

            foreach (var i in members)
            {
                var c = all[i];
                if (c.Outcome != PromotionOutcomes.Promoted) continue;
                if (c.ValuesScore is { } v)
                {
                    var expected = levels.TryGetValue(c.ToLevel, out var level) ? level.ExpectedValuesScore : null;
                    if (expected is { } e && v < e - options.LowValuesMargin)
                        flags.Add(Flag(c, "low_values", $"Values score {F(v)} is more than {F(options.LowValuesMargin)} below what {c.ToLevel} expects ({F(e)})."));
                    else if (bottomValues is { } b && v <= b)
                        flags.Add(Flag(c, "low_values", $"Values score {F(v)} is in the bottom {F(options.LowValuesBottomShare * 100)}% of this cycle's candidates (at or below {F(b)})."));
                }
                if (concernsByPerson.TryGetValue(c.EmployeeId, out var list) && list.FirstOrDefault(x => x.RecordedOn < c.DecidedOn) is { } concern)
                    flags.Add(Flag(c, "substantiated_concern", $"A substantiated {concern.Category} concern was recorded on {concern.RecordedOn:yyyy-MM-dd}, before the decision on {c.DecidedOn:yyyy-MM-dd}.") with { ConcernId = concern.Id });
                if (c is { ResultsScore: { } r, ValuesScore: { } vv } && topResults is { } t && medianValues is { } m && r >= t && vv < m)
                    flags.Add(Flag(c, "results_only", $"Results {F(r)} are in the top {F(options.TopResultsShare * 100)}% of this cycle's candidates, but the values score {F(vv)} is below the median ({F(m)})."));
            }
        }
        return flags.OrderBy(f => f.DecidedOn).ThenBy(f => f.Cycle, StringComparer.Ordinal)
            .ThenBy(f => f.EmployeeId, StringComparer.Ordinal).ThenBy(f => f.Reason, StringComparer.Ordinal).ToList();
    }

    private static AuditFlag Flag(AuditCandidate c, string reason, string detail) =>
        new(c.Cycle, c.EmployeeId, reason, c.DecidedOn, c.ToLevel, c.ValuesScore, c.ResultsScore, detail, null);

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
