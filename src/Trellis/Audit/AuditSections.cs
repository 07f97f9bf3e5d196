using System.Globalization;
using System.Text;
using Trellis.Core.Audit;

namespace Trellis.Audit;

/// <summary>
/// The audit report cut into sections as tables (header + rows of invariant strings): the one source of the
/// dashboard's tables, the per-section CSV/JSON downloads and the Markdown of <c>trellis audit --format md</c>,
/// so that all of them show the same numbers.
/// </summary>
public static class AuditSections
{
    public sealed record Table(string Key, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

    public static readonly IReadOnlyList<string> Keys =
        ["cycles", "drivers", "say_do", "flags", "span_of_control", "groups", "readiness", "recognition", "stories", "tracks", "moves"];


    public static string N(double? v, int decimals = 2) => v is { } d && double.IsFinite(d) ? Math.Round(d, decimals).ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture) : "";
    public static string P(double? v) => v is { } d ? d < 0.0001 ? "<0.0001" : N(d, 4) : "";
    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Pct(double? v) => v is { } d ? N(d * 100, 1) + "%" : "";

    /// <summary>The cycles table with a column saying which were published early or over budget, and HR's reason.</summary>
    public static Table WithOverrides(Table cycles, IReadOnlyDictionary<string, string> overrides) =>
        cycles with
        {
            Columns = [.. cycles.Columns, "publication_override"],
            Rows = cycles.Rows.Select(r => (IReadOnlyList<string>)[.. r, overrides.TryGetValue(r[0], out var o) ? o : ""]).ToList(),
        };

    public static Table? Find(AuditReport r, string key) => key switch
    {
        "cycles" => new(key, "Cycles", ["cycle", "decided_on", "candidates", "promoted", "not_promoted", "declined", "deferred"],
            r.Cycles.Select(c => Row(c.Cycle, c.DecidedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), I(c.Candidates), I(c.Promoted), I(c.NotPromoted), I(c.Declined), I(c.Deferred))).ToList()),
        "drivers" => new(key, "What drives promotion (odds ratio per standard deviation)", ["segment", "predictor", "odds_ratio", "ci_low", "ci_high", "p", "n", "promoted", "status", "reason"],
            DriverRows(r).ToList()),
        "say_do" => new(key, "Say–do index by cycle", ["cycle", "say_do_index", "status", "reason"],
            r.DriversByCycle.Select(c => Row(c.Segment, N(c.Fit.SayDoIndex), c.Fit.Status, c.Fit.Reason ?? ""))
                .Append(Row("all cycles", N(r.SayDoIndex), r.Drivers.Status, r.Drivers.Reason ?? "")).ToList()),
        "flags" => new(key, "Flagged promotions", ["cycle", "employee_id", "reason", "to_level", "values_score", "results_score", "detail"],
            r.Flags.Select(f => Row(f.Cycle, f.EmployeeId, f.Reason, f.ToLevel, N(f.ValuesScore), N(f.ResultsScore), f.Detail)).ToList()),
        "span_of_control" => new(key, "Managers over the span-of-control limit", ["manager_id", "level", "direct_reports", "limit", "level_limit"],
            r.SpanOfControl.Select(s => Row(s.ManagerId, s.Level, I(s.DirectReports), I(s.Limit), s.LevelLimit is { } l ? I(l) : "")).ToList()),
        "groups" => new(key, "Promotion rate by group", ["attribute", "group", "candidates", "promoted", "promotion_rate", "impact_ratio", "fisher_p", "adverse"],
            r.Groups.Select(g => Row(g.Attribute, g.Group, I(g.Candidates), I(g.Promoted), Pct(g.PromotionRate), N(g.ImpactRatio), P(g.FisherP), g.Adverse ? "yes" : "no")).ToList()),
        "readiness" => new(key, "Readiness rate by group", ["attribute", "group", "employees", "ready", "readiness_rate", "impact_ratio"],
            r.ReadinessByGroup.Select(g => Row(g.Attribute, g.Group, I(g.Employees), I(g.Ready), Pct(g.ReadinessRate), N(g.ImpactRatio))).ToList()),
        "recognition" => new(key, "Recognition by value", ["value", "recognitions", "givers", "recipients", "from_manager", "from_report", "from_peer"],
            r.Recognition.Values.Select(v => Row(v.Value, I(v.Count), I(v.Givers), I(v.Recipients), I(v.FromManager), I(v.FromReport), I(v.FromPeer))).ToList()),
        "stories" => new(key, "Celebrated and rewarded: values named in published promotion stories", ["value", "stories", "share_of_stories", "recognitions", "share_of_recognition"],
            (r.PromotionStories?.Values ?? []).Select(v => Row(v.Value, I(v.Stories), Pct(v.Share), I(v.Recognitions), Pct(v.RecognitionShare))).ToList()),
        "tracks" => new(key, "Track ladder: people per band", ["track", "kind", "band", "level", "people", "promoted_on_track", "median_years_to_promotion"],
            r.Tracks.Ladder.Select(b =>
            {
                var t = r.Tracks.Promotions.FirstOrDefault(p => p.Track == b.Track);
                return Row(b.Track, b.TrackKind, I(b.Band), b.Level, I(b.People), t is null ? "" : I(t.Promoted), N(t?.MedianYearsToPromotion));
            }).ToList()),
        "moves" => new(key, "Declines, deferrals and returns to the expert track", ["cycle", "declined", "deferred", "returns_to_expert_track", "expert_track_promotions"],
            r.Moves.Select(m => Row(m.Cycle, I(m.Declined), I(m.Deferred), I(m.ReturnsToExpertTrack), I(m.ExpertTrackPromotions)))
                .Concat(r.TrackReturns.Select(t => Row($"{t.Year} (approved requests, outside cycles)", "", "", I(t.Returns), ""))).ToList()),
        _ => null,
    };

    private static IEnumerable<IReadOnlyList<string>> DriverRows(AuditReport r)
    {
        IEnumerable<IReadOnlyList<string>> Rows(string segment, DriverFit fit)
        {
            if (fit.Results is null || fit.Values is null || fit.Tenure is null)
            {
                yield return Row(segment, "", "", "", "", "", I(fit.N), I(fit.Promoted), fit.Status, fit.Reason ?? "");
                yield break;
            }
            foreach (var (name, e) in new[] { ("results", fit.Results), ("values", fit.Values), ("tenure", fit.Tenure) })
                yield return Row(segment, name, N(e.OddsRatio), N(e.Ci[0]), N(e.Ci[1]), P(e.P), I(fit.N), I(fit.Promoted), fit.Status, fit.Reason ?? "");
        }
        return Rows("all cycles", r.Drivers)
            .Concat(r.DriversByCycle.SelectMany(c => Rows("cycle " + c.Segment, c.Fit)))
            .Concat(r.DriversByDepartment.SelectMany(d => Rows("department " + d.Segment, d.Fit)));
    }

    /// <summary>Section data as JSON: the report's own objects for that section.</summary>
    public static object? JsonOf(AuditReport r, string key) => key switch
    {
        "cycles" => r.Cycles,
        "drivers" => new { all = r.Drivers, by_cycle = r.DriversByCycle, by_department = r.DriversByDepartment, suppressed = r.SuppressedGroups.Where(s => s.Section == "drivers") },
        "say_do" => new { say_do_index = r.SayDoIndex, reading = r.SayDoReading, by_cycle = r.DriversByCycle.Select(c => new { cycle = c.Segment, say_do_index = c.Fit.SayDoIndex, c.Fit.Status, c.Fit.Reason }) },
        "flags" => r.Flags,
        "span_of_control" => new { outliers = r.SpanOfControl, distribution = r.SpanDistribution },
        "groups" => new { groups = r.Groups, suppressed = r.SuppressedGroups.Where(s => s.Section == "promotion") },
        "readiness" => new { groups = r.ReadinessByGroup, suppressed = r.SuppressedGroups.Where(s => s.Section == "readiness") },
        "recognition" => r.Recognition,
        "stories" => r.PromotionStories,
        "tracks" => r.Tracks,
        "moves" => r.Moves,
        _ => null,
    };

    private static string[] Row(params string[] cells) => cells;

    public static string Csv(Table table)
    {
        var sb = new StringBuilder();
        // Cells are formatted text; plain numbers stay numbers, anything a spreadsheet could run is defused.
        sb.Append(Shared.SpreadsheetCsv.Line(table.Columns.Select(Shared.SpreadsheetCsv.Text)));
        foreach (var row in table.Rows) sb.Append(Shared.SpreadsheetCsv.Line(row.Select(Shared.SpreadsheetCsv.Cell)));
        return sb.ToString();
    }

    public static string Markdown(AuditReport r)
    {
        var sb = new StringBuilder();
        sb.Append("# Culture audit — what are you promoting?\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"As of {r.AsOf:yyyy-MM-dd}.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"**Say–do index: {(r.SayDoIndex is { } s ? N(s) : "not available")}.** {r.SayDoReading}\n\n");
        foreach (var note in r.Notes) sb.Append("> ").Append(note).Append("\n\n");
        foreach (var key in Keys)
        {
            var table = Find(r, key)!;
            sb.Append("## ").Append(table.Title).Append("\n\n");
            if (table.Rows.Count == 0) { sb.Append("_None._\n\n"); continue; }
            sb.Append("| ").Append(string.Join(" | ", table.Columns)).Append(" |\n");
            sb.Append('|').Append(string.Concat(table.Columns.Select(_ => "---|"))).Append('\n');
            foreach (var row in table.Rows) sb.Append("| ").Append(string.Join(" | ", row.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
            sb.Append('\n');
        }
        if (r.Recognition.Unrecognised.Count > 0)
            sb.Append("Values nobody recognises: ").Append(string.Join(", ", r.Recognition.Unrecognised)).Append(".\n\n");
        foreach (var hidden in r.SuppressedGroups) sb.Append(CultureInfo.InvariantCulture, $"- {hidden.Attribute} ({hidden.Section}): {hidden.Reason}\n");
        return sb.ToString();
    }
}
