using Trellis.Accounts;
using Trellis.Framework;

namespace Trellis.Cycles;

/// <summary>One candidate on the talent grid: the board's numbers, placed against the target level and the results gate.</summary>
/// <param name="ValuesGap">The board's values score minus the mean expectation of the target level (null without an estimate).</param>
/// <param name="ValuesGapCi">The board's 95% interval of the values score, shifted by the same mean.</param>
/// <param name="ResultsScore">The latest results score, as on the board.</param>
/// <param name="ResultsGate">The framework's results gate (the horizontal line).</param>
/// <param name="Region">Which side of both lines the point falls (see <see cref="GridRegions"/>).</param>
/// <param name="CrossesBorder">The values interval reaches across the target line: the point could belong on the other side.</param>
/// <param name="Recused">The viewer stands aside from this candidate (their own candidacy, or the cycle's reporting-line rule), as on the board.</param>
public sealed record GridCandidate(
    string EmployeeId, string Name, int NominationId, string Band, double? ValuesGap, double[]? ValuesGapCi,
    double? ResultsScore, double ResultsGate, string? Response, string Region, bool CrossesBorder, bool Recused);

public sealed record GridResponse(string Cycle, string Phase, double ResultsGate, IReadOnlyList<GridCandidate> Candidates);

/// <summary>The regions of the grid, in words. They describe where evidence puts someone; they are not boxes to sort people into.</summary>
public static class GridRegions
{
    public const string ReadyBoth = "values_met_results_met";
    public const string ValuesMetResultsBelow = "values_met_results_below";
    public const string ValuesBelowResultsMet = "values_below_results_met";
    public const string BelowBoth = "values_below_results_below";
    public const string NoValuesEstimate = "no_values_estimate";
    public const string NoResults = "no_results";

    public static readonly IReadOnlyList<string> All = [ReadyBoth, ValuesMetResultsBelow, ValuesBelowResultsMet, BelowBoth, NoValuesEstimate, NoResults];

    public static string Words(string region) => region switch
    {
        ReadyBoth => "ready on how they work, results at or above the gate",
        ValuesMetResultsBelow => "ready on how they work, results below the gate",
        ValuesBelowResultsMet => "results at or above the gate, how they work below the target level",
        BelowBoth => "how they work below the target level, results below the gate",
        NoValuesEstimate => "no values estimate yet",
        _ => "no results recorded yet",
    };

    public static string Of(double? valuesGap, double? results, double gate) => (valuesGap, results) switch
    {
        (null, _) => NoValuesEstimate,
        (_, null) => NoResults,
        ( >= 0, var r) when r >= gate => ReadyBoth,
        ( >= 0, _) => ValuesMetResultsBelow,
        (_, var r) when r >= gate => ValuesBelowResultsMet,
        _ => BelowBoth,
    };
}

/// <summary>
/// The calibration board as a grid: the same rows from <see cref="CalibrationBoard.GetAsync"/> (same permission check,
/// filters and audit entry), so every number on the grid is the board's number; only the placement is added here.
/// </summary>
public sealed class TalentGrid(CalibrationBoard board, FrameworkStore frameworks, Viewer viewer)
{
    public async Task<Outcome<GridResponse>> GetAsync(string cycleName, BoardQuery query, CancellationToken ct = default)
    {
        var o = await board.GetAsync(cycleName, query, ct);
        if (!o.Ok) return o.Problem!;
        var b = o.Value!;
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var gate = framework?.Rules.ResultsGate ?? 3.0;
        var candidates = new List<GridCandidate>(b.Rows.Count);
        foreach (var r in b.Rows)
        {
            // The mean expectation of the level they would move to: the values score is a mean over behaviours too.
            var expectations = framework?.FindLevel(r.TargetLevel)?.Expectations;
            double? mean = expectations is { Count: > 0 } e ? e.Values.Average() : null;
            // Rounded as the board's scores are (2 decimals), and placed by the rounded figure, so that the region and the
            // border flag always agree with the numbers shown.
            double? gap = r.ValuesScore is { } v && mean is { } m ? Round(v - m) : null;
            double[]? ci = r.ValuesCi is [var lo, var hi] && mean is { } m2 ? [Round(lo - m2), Round(hi - m2)] : null;
            var crosses = ci is [var l, var h] && l < 0 && h > 0;
            candidates.Add(new GridCandidate(r.EmployeeId, r.Name, r.NominationId, r.Band, gap, ci, r.LatestResults, gate, r.Response,
                GridRegions.Of(gap, r.LatestResults, gate), crosses, r.Recused || r.EmployeeId == viewer.EmployeeId));
        }
        return new GridResponse(b.Cycle, b.Phase, gate, candidates);
    }

    // + 0.0 turns a rounded -0 into 0, which JSON would print as "-0".
    private static double Round(double x) => Math.Round(x, 2, MidpointRounding.AwayFromZero) + 0.0;
}
