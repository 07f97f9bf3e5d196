using System.Globalization;
using System.Net;
using System.Text;

namespace Trellis.Growth;

/// <summary>
/// Hand-rolled SVG of a behaviour profile: for each behaviour its estimate and 95% interval on the 1–5 scale,
/// with the expectation of each marked level. Server-rendered, so it prints and needs no script.
/// </summary>
public static class ProfileChart
{
    private const int Left = 300, Right = 30, RowHeight = 34, Top = 34, Width = 860;
    public static readonly string[] MarkColors = ["#1d2433", "#2f6f4f", "#8a5a1f", "#6b21a8"];

    public static string Render(GrowthProfile profile, Func<string, string> evidenceLink)
    {
        var plotWidth = Width - Left - Right;
        double X(double rating) => Left + (rating - 1) / 4 * plotWidth;
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        var height = Top + profile.Rows.Count * RowHeight + 12;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"profile-chart\" role=\"img\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" aria-labelledby=\"profile-title\">");
        svg.Append("<title id=\"profile-title\">Behaviour profile: estimate and 95% interval per behaviour against level expectations</title>");
        for (var r = 1; r <= 5; r++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(r))}\" x2=\"{F(X(r))}\" y1=\"{Top - 8}\" y2=\"{height - 6}\" stroke=\"#dfe3ea\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(r))}\" y=\"{Top - 14}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#5b6478\">{r}</text>");
        }
        for (var i = 0; i < profile.Rows.Count; i++)
        {
            var row = profile.Rows[i];
            var y = Top + i * RowHeight + RowHeight / 2;
            svg.Append(CultureInfo.InvariantCulture, $"<a href=\"{WebUtility.HtmlEncode(evidenceLink(row.Behavior))}\"><text x=\"{Left - 10}\" y=\"{y + 4}\" text-anchor=\"end\" font-size=\"13\" fill=\"#2f6f4f\">{WebUtility.HtmlEncode(row.Name)}</text></a>");
            for (var m = 0; m < profile.Marks.Count; m++)
            {
                if (!row.ExpectedByLevel.TryGetValue(profile.Marks[m].Key, out var expected)) continue;
                var dy = (m - (profile.Marks.Count - 1) / 2.0) * 5;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<path d=\"M{F(X(expected))} {F(y + dy - 4)} l4 4 l-4 4 l-4 -4 z\" fill=\"{MarkColors[m % MarkColors.Length]}\" opacity=\"0.75\"><title>{WebUtility.HtmlEncode(profile.Marks[m].Name)} expects {expected}</title></path>");
            }
            if (row.Estimate is { Score: { } score } estimate)
            {
                if (estimate.Ci is [var lo, var hi])
                    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(lo))}\" x2=\"{F(X(hi))}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#1f6feb\" stroke-width=\"3\" stroke-linecap=\"round\" opacity=\"0.45\"/>");
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle cx=\"{F(X(score))}\" cy=\"{y}\" r=\"6\" fill=\"#1f6feb\"><title>{WebUtility.HtmlEncode(row.Name)}: {score.ToString("0.00", CultureInfo.InvariantCulture)}{(estimate.Ci is [var a, var b] ? $" (95% interval {a.ToString("0.00", CultureInfo.InvariantCulture)}–{b.ToString("0.00", CultureInfo.InvariantCulture)})" : "")}, {estimate.EvidenceCount} observations</title></circle>");
            }
            else
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 6}\" y=\"{y + 4}\" font-size=\"12\" fill=\"#5b6478\">no evidence yet</text>");
            }
        }
        svg.Append("</svg>");
        // The legend is HTML under the chart so that long level names wrap instead of running off the edge.
        svg.Append("<ul class=\"chart-legend\"><li><span class=\"dot\"></span>estimate (bar: 95% interval)</li>");
        for (var m = 0; m < profile.Marks.Count; m++)
            svg.Append(CultureInfo.InvariantCulture, $"<li><span class=\"diamond\" style=\"background:{MarkColors[m % MarkColors.Length]}\"></span>{WebUtility.HtmlEncode(profile.Marks[m].Name)} ({WebUtility.HtmlEncode(profile.Marks[m].TrackName)}{(profile.Marks[m].Role == "current" ? ", current level" : "")}) expects</li>");
        svg.Append("</ul>");
        return svg.ToString();
    }
}
