using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;
using Trellis.Core.Audit;

namespace Trellis.Audit;

/// <summary>Hand-rolled SVG charts of the audit. Each chart's numbers are also in the table printed beside it.</summary>
public static class AuditCharts
{
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static StringBuilder Open(string id, string title, int width, int height) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title>{E(title)}</title>");

    private static HtmlString Close(StringBuilder sb) => new(sb.Append("</svg>").ToString());

    private static HtmlString Empty(string id, string message) =>
        new($"<p class=\"muted chart-empty\" id=\"{id}\">{E(message)}</p>");

    /// <summary>Odds ratios with 95% whiskers on a log scale, one row per predictor; 1 (no effect) is marked.</summary>
    public static HtmlString OddsRatios(DriverFit fit)
    {
        if (fit.Results is null || fit.Values is null || fit.Tenure is null)
            return Empty("chart-drivers", $"No driver chart: {fit.Reason}");
        var rows = new[] { ("results", fit.Results), ("values", fit.Values), ("tenure", fit.Tenure) };
        var lo = Math.Min(0.5, rows.Min(r => r.Item2.Ci[0])); var hi = Math.Max(2, rows.Max(r => r.Item2.Ci[1]));
        const int width = 520, left = 80, right = 20, rowHeight = 36, top = 10;
        var height = top + rows.Length * rowHeight + 30;
        double X(double v) => left + (Math.Log(v) - Math.Log(lo)) / (Math.Log(hi) - Math.Log(lo)) * (width - left - right);
        var sb = Open("chart-drivers", "Odds ratio per standard deviation, with 95% interval (log scale)", width, height);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"ref\" x1=\"{F(X(1))}\" x2=\"{F(X(1))}\" y1=\"{top}\" y2=\"{height - 24}\"/>");
        foreach (var tick in new[] { 0.25, 0.5, 1, 2, 4, 8, 16 }.Where(t => t >= lo && t <= hi))
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{F(X(tick))}\" y=\"{height - 8}\" text-anchor=\"middle\">{F(tick)}</text>");
        for (var i = 0; i < rows.Length; i++)
        {
            var (name, e) = rows[i];
            var y = top + i * rowHeight + rowHeight / 2;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 4}\" text-anchor=\"end\">{name}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"whisker\" x1=\"{F(X(e.Ci[0]))}\" x2=\"{F(X(e.Ci[1]))}\" y1=\"{y}\" y2=\"{y}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"point {name}\" data-odds-ratio=\"{AuditSections.N(e.OddsRatio)}\" cx=\"{F(X(e.OddsRatio))}\" cy=\"{y}\" r=\"5\"><title>{name}: {AuditSections.N(e.OddsRatio)} [{AuditSections.N(e.Ci[0])}, {AuditSections.N(e.Ci[1])}]</title></circle>");
        }
        return Close(sb);
    }

    /// <summary>Say–do index per cycle as bars from 0 to 1; cycles without a fit are marked "n/a".</summary>
    public static HtmlString SayDo(IReadOnlyList<SegmentFit> cycles)
    {
        if (cycles.Count == 0) return Empty("chart-say-do", "No decided cycles yet.");
        const int height = 200, bottom = 40, top = 10;
        var barWidth = 46; var width = Math.Max(300, 40 + cycles.Count * (barWidth + 10));
        var sb = Open("chart-say-do", "Say–do index by cycle (0 = only results drive promotion, 1 = only values)", width, height);
        double Y(double v) => top + (1 - v) * (height - top - bottom);
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"ref\" x1=\"30\" x2=\"{width}\" y1=\"{F(Y(0.5))}\" y2=\"{F(Y(0.5))}\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"26\" y=\"{F(Y(1) + 4)}\" text-anchor=\"end\">1</text><text class=\"tick\" x=\"26\" y=\"{F(Y(0.5) + 4)}\" text-anchor=\"end\">0.5</text><text class=\"tick\" x=\"26\" y=\"{F(Y(0) + 4)}\" text-anchor=\"end\">0</text>");
        for (var i = 0; i < cycles.Count; i++)
        {
            var x = 40 + i * (barWidth + 10);
            var v = cycles[i].Fit.SayDoIndex;
            if (v is { } s)
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" data-value=\"{AuditSections.N(s)}\" x=\"{x}\" y=\"{F(Y(s))}\" width=\"{barWidth}\" height=\"{F(Y(0) - Y(s))}\"><title>{E(cycles[i].Segment)}: {AuditSections.N(s)}</title></rect>");
            else
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{x + barWidth / 2}\" y=\"{F(Y(0) - 6)}\" text-anchor=\"middle\">n/a</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{x + barWidth / 2}\" y=\"{height - 22}\" text-anchor=\"middle\">{E(cycles[i].Segment)}</text>");
        }
        return Close(sb);
    }

    /// <summary>Heat map of recognitions: values × departments, darker = more.</summary>
    public static HtmlString RecognitionHeatMap(RecognitionMap map)
    {
        if (map.Values.Count == 0) return Empty("chart-recognition", "The framework has no values yet.");
        var departments = map.Departments.Count == 0 ? ["(none)"] : map.Departments;
        const int left = 150, top = 70, cell = 44;
        var width = left + departments.Count * cell + 10; var height = top + map.Values.Count * cell + 10;
        var counts = map.ByDepartment.ToDictionary(c => (c.Value, c.Key), c => c.Count);
        var max = Math.Max(1, counts.Count == 0 ? 1 : counts.Values.Max());
        var sb = Open("chart-recognition", "Recognitions per value and department", width, height);
        for (var j = 0; j < departments.Count; j++)
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" transform=\"translate({left + j * cell + cell / 2},{top - 6}) rotate(-40)\">{E(departments[j])}</text>");
        for (var i = 0; i < map.Values.Count; i++)
        {
            var value = map.Values[i].Value;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{top + i * cell + cell / 2 + 4}\" text-anchor=\"end\">{E(value)}</text>");
            for (var j = 0; j < departments.Count; j++)
            {
                var n = counts.GetValueOrDefault((value, departments[j]));
                var opacity = n == 0 ? 0.04 : 0.15 + 0.85 * n / max;
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"cell\" x=\"{left + j * cell}\" y=\"{top + i * cell}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill-opacity=\"{F(opacity)}\"><title>{E(value)} in {E(departments[j])}: {n}</title></rect>");
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"cell-label\" x=\"{left + j * cell + cell / 2 - 1}\" y=\"{top + i * cell + cell / 2 + 4}\" text-anchor=\"middle\">{n}</text>");
            }
        }
        return Close(sb);
    }

    /// <summary>How many managers have each number of direct reports; bars over the limit are highlighted.</summary>
    public static HtmlString SpanDistribution(IReadOnlyList<SpanBucket> buckets, int limit)
    {
        if (buckets.Count == 0) return Empty("chart-span", "Nobody has direct reports.");
        var maxReports = Math.Max(limit + 1, buckets.Max(b => b.DirectReports));
        var maxManagers = buckets.Max(b => b.Managers);
        const int height = 200, bottom = 30, top = 10, left = 36;
        var bar = Math.Max(6, Math.Min(24, 600 / (maxReports + 1)));
        var width = left + (maxReports + 1) * bar + 10;
        double Y(double v) => top + (1 - v / maxManagers) * (height - top - bottom);
        var sb = Open("chart-span", $"Managers by number of direct reports (limit {limit})", width, height);
        var limitX = left + (limit + 1) * bar - 1;
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"limit\" x1=\"{limitX}\" x2=\"{limitX}\" y1=\"{top}\" y2=\"{height - bottom}\"/><text class=\"tick\" x=\"{limitX + 3}\" y=\"{top + 10}\">limit {limit}</text>");
        foreach (var b in buckets)
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar{(b.OverLimit ? " over" : "")}\" x=\"{left + b.DirectReports * bar}\" y=\"{F(Y(b.Managers))}\" width=\"{bar - 2}\" height=\"{F(Y(0) - Y(b.Managers))}\"><title>{b.DirectReports} direct reports: {b.Managers} managers</title></rect>");
        for (var r = 0; r <= maxReports; r += maxReports > 20 ? 5 : 2)
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{left + r * bar + bar / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">{r}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{left - 6}\" y=\"{F(Y(maxManagers) + 8)}\" text-anchor=\"end\">{maxManagers}</text>");
        return Close(sb);
    }

    /// <summary>The two tracks side by side, one row per band, bar length = people at that level.</summary>
    public static HtmlString TrackLadder(TrackReality tracks, AuditNames? names = null)
    {
        names ??= AuditNames.None;
        if (tracks.Ladder.Count == 0) return Empty("chart-tracks", "No framework levels yet.");
        var trackKeys = tracks.Ladder.Select(l => l.Track).Distinct().ToList();
        var bands = tracks.Ladder.Select(l => l.Band).Distinct().OrderDescending().ToList();
        var max = Math.Max(1, tracks.Ladder.Max(l => l.People));
        const int rowHeight = 26, top = 24, label = 40, column = 240;
        var width = label + trackKeys.Count * column; var height = top + bands.Count * rowHeight + 6;
        var sb = Open("chart-tracks", "People per band on each track", width, height);
        for (var t = 0; t < trackKeys.Count; t++)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{label + t * column}\" y=\"14\" font-weight=\"600\">{E(names.Track(trackKeys[t]))}</text>");
        for (var i = 0; i < bands.Count; i++)
        {
            var y = top + i * rowHeight;
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{label - 8}\" y=\"{y + 16}\" text-anchor=\"end\">band {bands[i]}</text>");
            for (var t = 0; t < trackKeys.Count; t++)
            {
                var level = tracks.Ladder.FirstOrDefault(l => l.Track == trackKeys[t] && l.Band == bands[i]);
                if (level is null) continue;
                var w = Math.Max(1, (column - 90) * level.People / (double)max);
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar {(level.TrackKind == "people_leader" ? "leader" : "expert")}\" x=\"{label + t * column}\" y=\"{y + 4}\" width=\"{F(w)}\" height=\"{rowHeight - 8}\"><title>{E(names.Level(level.Level))}: {level.People}</title></rect>");
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{F(label + t * column + w + 4)}\" y=\"{y + 17}\">{E(names.Level(level.Level))} · {level.People}</text>");
            }
        }
        return Close(sb);
    }

    /// <summary>Promotion rate per group as horizontal bars, grouped by attribute; adverse groups highlighted.</summary>
    public static HtmlString GroupRates(IReadOnlyList<GroupRate> groups)
    {
        if (groups.Count == 0) return Empty("chart-groups", "No group is large enough to show.");
        const int rowHeight = 22, barMax = 300, top = 6;
        // Room for the longest label at the tick font (about 6.5 px a character), so that none is cut off.
        var left = Math.Max(90, 16 + (int)Math.Ceiling(6.5 * groups.Max(g => g.Attribute.Length + 2 + g.Group.Length)));
        var max = Math.Max(0.01, groups.Max(g => g.PromotionRate));
        var height = top + groups.Count * rowHeight + 6;
        var sb = Open("chart-groups", "Promotion rate by group", left + barMax + 80, height);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var y = top + i * rowHeight;
            var w = barMax * g.PromotionRate / max;
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{left - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{E(g.Attribute)}: {E(g.Group)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar{(g.Adverse ? " over" : "")}\" x=\"{left}\" y=\"{y + 3}\" width=\"{F(Math.Max(1, w))}\" height=\"{rowHeight - 6}\"><title>{E(g.Group)}: {AuditSections.Pct(g.PromotionRate)}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{F(left + w + 4)}\" y=\"{y + 15}\">{AuditSections.Pct(g.PromotionRate)}</text>");
        }
        return Close(sb);
    }
}
