namespace Trellis.Core.Organisation;

/// <summary>The inclusive range of direct reports a level's scope expects (<c>scope.direct_reports</c>).</summary>
public readonly record struct DirectReportsRange(int Min, int Max)
{
    public bool Contains(int directReports) => directReports >= Min && directReports <= Max;
}

/// <summary>How a manager's number of direct reports compares with their level and the organisation's limit.</summary>
public enum SpanStatus
{
    /// <summary>Within the level's range and the organisation's limit (or no range is known).</summary>
    Within,
    /// <summary>Fewer direct reports than the level's scope asks for.</summary>
    BelowRange,
    /// <summary>More direct reports than the level's scope allows, but within the organisation's limit.</summary>
    AboveRange,
    /// <summary>More direct reports than the framework's <c>max_direct_reports</c>: a design fault to fix first.</summary>
    OverLimit,
}

/// <summary>One manager's span of control.</summary>
public sealed record SpanRow(int Person, int DirectReports, int TotalReports, DirectReportsRange? Range, int Limit, SpanStatus Status);

public static class SpanOfControl
{
    /// <summary>
    /// Rows for everyone in <paramref name="people"/> who has direct reports or whose level expects some
    /// (a people leader left with no team is as much a finding as one with thirty).
    /// </summary>
    /// <param name="org">The reporting structure.</param>
    /// <param name="rangeOf">Per person, the direct-reports range of their level, or null when the level is unknown.</param>
    /// <param name="maxDirectReports">The framework's <c>rules.max_direct_reports</c>.</param>
    /// <param name="people">The people to consider (e.g. a manager's line); all when null.</param>
    public static List<SpanRow> Compute(OrgStructure org, IReadOnlyList<DirectReportsRange?> rangeOf, int maxDirectReports, IEnumerable<int>? people = null)
    {
        if (rangeOf.Count != org.Count)
            throw new ArgumentException($"expected {org.Count} ranges, got {rangeOf.Count}", nameof(rangeOf));
        var rows = new List<SpanRow>();
        foreach (var i in people ?? Enumerable.Range(0, org.Count))
        {
            var direct = org.DirectReports(i);
            var range = rangeOf[i];
            if (direct == 0 && (range is null || range.Value.Min == 0)) continue;
            rows.Add(new SpanRow(i, direct, org.TotalReports(i), range, maxDirectReports, Classify(direct, range, maxDirectReports)));
        }
        return rows;
    }

    /// <summary>The most serious finding first: over the organisation's limit, then above or below the level's range.</summary>
    public static SpanStatus Classify(int directReports, DirectReportsRange? range, int maxDirectReports)
    {
        if (directReports > maxDirectReports) return SpanStatus.OverLimit;
        if (range is { } r && directReports > r.Max) return SpanStatus.AboveRange;
        if (range is { } s && directReports < s.Min) return SpanStatus.BelowRange;
        return SpanStatus.Within;
    }
}
