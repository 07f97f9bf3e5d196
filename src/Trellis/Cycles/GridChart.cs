using System.Globalization;
using System.Net;
using System.Text;

namespace Trellis.Cycles;

/// <summary>
/// Hand-rolled SVG of the talent grid: x = values against the target level (whisker: 95% interval), y = the latest
/// results score with the gate as a line. Server-rendered so it prints and needs no script: hovering shows a
/// <c>&lt;title&gt;</c>, clicking a point follows its <c>&lt;a&gt;</c> to the review.
/// </summary>
public static class GridChart
{
    private const int Width = 900, Height = 540, Left = 64, Right = 24, Top = 28, Bottom = 56;

    public static readonly IReadOnlyDictionary<string, string> BandColors = new Dictionary<string, string>
    {
        ["ready"] = "#16a34a", ["soon"] = "#0284c7", ["developing"] = "#ca8a04", ["insufficient_evidence"] = "#94a3b8", ["blocked"] = "#dc2626",
    };

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string N(double v) => v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The answer of the candidate in words, as the point's label.</summary>
    public static string AnswerWords(string? response) => response is null ? "no answer yet" : response.Replace('_', ' ');

    /// <param name="reviewLink">Where clicking a point goes, or null for no link (a recused candidate).</param>
    public static string Render(GridResponse grid, Func<GridCandidate, string?> reviewLink)
    {
        var placed = grid.Candidates.Where(c => c.ValuesGap is not null && c.ResultsScore is not null).ToList();
        // Symmetric about the target line so that "above" and "below" look alike; wide enough for every whisker.
        var reach = placed.SelectMany(c => c.ValuesGapCi ?? [c.ValuesGap!.Value]).Select(Math.Abs).DefaultIfEmpty(0).Max();
        var xMax = Math.Min(4, Math.Max(1.5, Math.Ceiling((reach + 0.1) * 2) / 2));
        var yMin = Math.Min(1, placed.Select(c => c.ResultsScore!.Value).DefaultIfEmpty(1).Min());
        var yMax = Math.Max(5, placed.Select(c => c.ResultsScore!.Value).DefaultIfEmpty(5).Max());
        var pw = Width - Left - Right;
        var ph = Height - Top - Bottom;
        double X(double gap) => Left + (gap + xMax) / (2 * xMax) * pw;
        double Y(double results) => Top + (yMax - results) / (yMax - yMin) * ph;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"talent-grid\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" aria-labelledby=\"grid-title\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"grid-title\">Talent grid of {E(grid.Cycle)}: values against the target level (95% interval as whiskers) and latest results against the gate {F(grid.ResultsGate)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{pw}\" height=\"{ph}\" fill=\"#fff\" stroke=\"#dfe3ea\"/>");

        // Ticks: values gap every half point, results every point.
        for (var g = -xMax; g <= xMax + 1e-9; g += 0.5)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(g))}\" x2=\"{F(X(g))}\" y1=\"{Top}\" y2=\"{Top + ph}\" stroke=\"#f1f3f7\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(g))}\" y=\"{Top + ph + 16}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b6478\">{N(g)}</text>");
        }
        for (var r = Math.Ceiling(yMin); r <= yMax + 1e-9; r += 1)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{F(Y(r))}\" y2=\"{F(Y(r))}\" stroke=\"#f1f3f7\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{F(Y(r) + 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6478\">{F(r)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + pw / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1d2433\">values estimate minus the target level's mean expectation (whisker: 95% interval)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {Top + ph / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1d2433\">latest results score</text>");

        // The two borders: the target level and the gate.
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"target-line\" x1=\"{F(X(0))}\" x2=\"{F(X(0))}\" y1=\"{Top}\" y2=\"{Top + ph}\" stroke=\"#1d2433\" stroke-dasharray=\"5 4\"><title>The target level's expectations</title></line>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"gate-line\" x1=\"{Left}\" x2=\"{Left + pw}\" y1=\"{F(Y(grid.ResultsGate))}\" y2=\"{F(Y(grid.ResultsGate))}\" stroke=\"#b91c1c\" stroke-dasharray=\"5 4\"><title>Results gate {F(grid.ResultsGate)}</title></line>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + pw - 4}\" y=\"{F(Y(grid.ResultsGate) - 5)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#b91c1c\">results gate {F(grid.ResultsGate)}</text>");

        // Regions in words, in the corners: a description of where evidence puts people, not a box to sort them into.
        void Region(string region, double x, double y, string anchor) =>
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"region\" x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"#5b6478\" font-style=\"italic\">{E(GridRegions.Words(region))}</text>");
        Region(GridRegions.ReadyBoth, Left + pw - 8, Top + 16, "end");
        Region(GridRegions.ValuesBelowResultsMet, Left + 8, Top + 16, "start");
        Region(GridRegions.ValuesMetResultsBelow, Left + pw - 8, Top + ph - 8, "end");
        Region(GridRegions.BelowBoth, Left + 8, Top + ph - 8, "start");

        foreach (var c in placed.OrderBy(c => c.EmployeeId, StringComparer.Ordinal))
        {
            var x = X(c.ValuesGap!.Value);
            var y = Y(c.ResultsScore!.Value);
            var color = BandColors.TryGetValue(c.Band, out var col) ? col : "#1d2433";
            var title = new StringBuilder().Append(CultureInfo.InvariantCulture,
                $"{c.Name} ({c.EmployeeId}): {c.Band.Replace('_', ' ')}; values {N(c.ValuesGap.Value)}");
            if (c.ValuesGapCi is [var lo, var hi]) title.Append(CultureInfo.InvariantCulture, $" (95% interval {N(lo)} to {N(hi)})");
            title.Append(CultureInfo.InvariantCulture, $"; results {F(c.ResultsScore.Value)}; answer: {AnswerWords(c.Response)}; {GridRegions.Words(c.Region)}");
            if (c.CrossesBorder) title.Append("; the interval crosses the target line: the evidence cannot tell which side");
            if (c.Recused) title.Append("; your own candidacy: you are recused");

            var link = reviewLink(c);
            svg.Append(link is null ? "<g" : $"<a href=\"{E(link)}\"");
            svg.Append(CultureInfo.InvariantCulture,
                $" class=\"grid-point{(c.Recused ? " recused" : "")}\" data-employee=\"{E(c.EmployeeId)}\" data-values-gap=\"{c.ValuesGap.Value.ToString("R", CultureInfo.InvariantCulture)}\" data-results=\"{c.ResultsScore.Value.ToString("R", CultureInfo.InvariantCulture)}\" data-region=\"{c.Region}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<title>{E(title.ToString())}</title>");
            if (c.ValuesGapCi is [var l, var h])
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(Math.Max(l, -xMax)))}\" x2=\"{F(X(Math.Min(h, xMax)))}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"{color}\" stroke-width=\"2\" opacity=\"0.7\"/>");
                foreach (var end in new[] { Math.Max(l, -xMax), Math.Min(h, xMax) })
                    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(end))}\" x2=\"{F(X(end))}\" y1=\"{F(y - 5)}\" y2=\"{F(y + 5)}\" stroke=\"{color}\" stroke-width=\"2\" opacity=\"0.7\"/>");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"7\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"1.5\"{(c.Recused ? " fill-opacity=\"0.35\"" : "")}/>");
            // A dashed ring marks a point whose interval crosses the target line (explained under the grid).
            if (c.CrossesBorder)
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"uncertain\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"12\" fill=\"none\" stroke=\"#1d2433\" stroke-dasharray=\"3 3\"/>");
            // Labels of points on the right half go to their left so that they stay inside the plot.
            var right = x > Left + pw * 0.6;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(right ? x - 10 : x + 10)}\" y=\"{F(y - 9)}\" text-anchor=\"{(right ? "end" : "start")}\" font-size=\"11\" fill=\"#1d2433\">{E(c.Name)} · {E(AnswerWords(c.Response))}{(c.Recused ? " · recused" : "")}</text>");
            svg.Append(link is null ? "</g>" : "</a>");
        }
        svg.Append("</svg>");

        svg.Append("<ul class=\"chart-legend\">");
        foreach (var (band, color) in BandColors)
            svg.Append(CultureInfo.InvariantCulture, $"<li><span class=\"dot\" style=\"background:{color}\"></span>{E(band.Replace('_', ' '))}</li>");
        svg.Append("<li>whisker: 95% interval of the values estimate</li><li>dashed lines: target level and results gate</li><li>dashed ring: the interval crosses the target line</li></ul>");
        return svg.ToString();
    }
}
