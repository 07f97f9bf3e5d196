using System.Globalization;
using System.Net;
using System.Text;

namespace Trellis.Growth;

/// <summary>
/// Hand-rolled SVG of one behaviour's series on a plan: the estimate as of each month (1–5) with its 95% interval as a
/// whisker, and the plan's start as a line. Server-rendered, prints, needs no script.
/// </summary>
public static class PlanChart
{
    private const int Width = 640, Height = 220, Left = 40, Right = 16, Top = 16, Bottom = 36;

    public static string Render(string behaviorName, IReadOnlyList<SeriesPoint> points, DateOnly startedOn, int? expected)
    {
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        static string D(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var pw = Width - Left - Right;
        var ph = Height - Top - Bottom;
        if (points.Count == 0) return "";
        var first = points[0].AsOf.DayNumber;
        var span = Math.Max(1, points[^1].AsOf.DayNumber - first);
        double X(DateOnly d) => Left + (d.DayNumber - first) / (double)span * pw;
        double Y(double score) => Top + (5 - score) / 4 * ph;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"plan-chart\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\"><title>{WebUtility.HtmlEncode(behaviorName)}: estimate and 95% interval each month, the plan's start marked</title>");
        for (var r = 1; r <= 5; r++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{F(Y(r))}\" y2=\"{F(Y(r))}\" stroke=\"#eef0f4\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{F(Y(r) + 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6478\">{r}</text>");
        }
        if (expected is { } e)
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{F(Y(e))}\" y2=\"{F(Y(e))}\" stroke=\"#8a5a1f\" stroke-dasharray=\"4 3\"><title>The target level expects {e}</title></line>");
        var sx = X(startedOn);
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"plan-start\" x1=\"{F(sx)}\" x2=\"{F(sx)}\" y1=\"{Top}\" y2=\"{Top + ph}\" stroke=\"#2f6f4f\" stroke-width=\"2\"><title>Plan started {startedOn:yyyy-MM-dd}</title></line>");
        // Near the right edge (a plan started this month) the label goes left of the line so that it is not cut off.
        var leftOfLine = sx > Left + pw * 0.8;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(leftOfLine ? sx - 4 : sx + 4)}\" y=\"{Top + 10}\" text-anchor=\"{(leftOfLine ? "end" : "start")}\" font-size=\"11\" fill=\"#2f6f4f\">plan start</text>");
        var path = new StringBuilder();
        foreach (var p in points)
        {
            var x = X(p.AsOf);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{Height - 14}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5b6478\">{p.AsOf:MMM d}</text>");
            if (p.Score is not { } s) continue;
            if (p.Ci is [var lo, var hi])
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{F(Y(hi))}\" y2=\"{F(Y(lo))}\" stroke=\"#1f6feb\" stroke-width=\"3\" opacity=\"0.35\"/>");
            path.Append(path.Length == 0 ? 'M' : 'L').Append(CultureInfo.InvariantCulture, $"{F(x)} {F(Y(s))} ");
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"series-point\" cx=\"{F(x)}\" cy=\"{F(Y(s))}\" r=\"4.5\" fill=\"#1f6feb\"><title>{p.AsOf:yyyy-MM-dd}: {D(s)}{(p.Ci is [var a, var b] ? $" (95% interval {D(a)}–{D(b)})" : "")}</title></circle>");
        }
        if (path.Length > 0) svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" opacity=\"0.6\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
