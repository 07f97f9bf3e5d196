using System.Buffers;
using System.Globalization;

namespace Trellis.Core.Audit;

// Drivers: what predicts promotion (results, values, tenure), pooled, per cycle and per department; the say–do reading.
public static partial class CultureAudit
{
    // ------------------------------------------------------------ drivers

    /// <summary>The candidates' scores as flat columns, so that each segment's fit only gathers the rows it needs.</summary>
    private sealed class DriverColumns
    {
        public readonly double[] Results, Values, Tenure;
        public readonly bool[] HasScores, Promoted;

        public DriverColumns(IReadOnlyList<AuditCandidate> candidates)
        {
            var n = candidates.Count;
            Results = new double[n];
            Values = new double[n];
            Tenure = new double[n];
            HasScores = new bool[n];
            Promoted = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var c = candidates[i];
                HasScores[i] = c is { ValuesScore: not null, ResultsScore: not null };
                Results[i] = c.ResultsScore ?? 0;
                Values[i] = c.ValuesScore ?? 0;
                Tenure[i] = c.TenureYears;
                Promoted[i] = c.Outcome == PromotionOutcomes.Promoted;
            }
        }
    }

    public static DriverFit FitDrivers(IReadOnlyList<AuditCandidate> decided, AuditOptions options) =>
        FitDrivers(new DriverColumns(decided), Enumerable.Range(0, decided.Count).ToList(), options);

    private static DriverFit FitDrivers(DriverColumns columns, List<int> rows, AuditOptions options)
    {
        var n = 0;
        var promoted = 0;
        foreach (var i in rows)
            if (columns.HasScores[i])
            {
                n++;
                if (columns.Promoted[i]) promoted++;
            }
        var excluded = rows.Count - n;
        DriverFit Skip(string reason) => new(n, promoted, null, null, null, FitStatuses.Skipped, reason, excluded, null);

        if (n < options.MinimumN)
            return Skip(excluded > 0 && n == 0
                ? $"no candidate has both a values and a results score as of the decision ({excluded} without)"
                : $"too few candidates with scores to fit: {n}, need at least {options.MinimumN}");
        var minority = Math.Min(promoted, n - promoted);
        var needed = options.MinimumEventsPerPredictor * 3;
        if (minority < needed)
            return Skip(minority == promoted
                ? $"too few promotions to fit: {promoted}, need at least {needed} ({options.MinimumEventsPerPredictor} per predictor)"
                : $"too few candidates not promoted to fit: {n - promoted}, need at least {needed} ({options.MinimumEventsPerPredictor} per predictor)");

        LogisticFit fit;
        // The design matrix (intercept, results, values, tenure) and the outcomes go straight into pooled arrays:
        // fresh arrays this size would land on the large object heap for every segment.
        const int p = 4;
        var x = ArrayPool<double>.Shared.Rent(n * p);
        var y = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var k = 0;
            foreach (var i in rows)
            {
                if (!columns.HasScores[i]) continue;
                x[k * p] = 1;
                x[k * p + 1] = columns.Results[i];
                x[k * p + 2] = columns.Values[i];
                x[k * p + 3] = columns.Tenure[i];
                y[k] = columns.Promoted[i] ? 1 : 0;
                k++;
            }
            string[] names = ["results", "values", "tenure"];
            for (var j = 1; j < p; j++)
                if (!StandardiseColumn(x, n, p, j)) return Skip($"every candidate has the same {names[j - 1]}, so its effect cannot be estimated");
            fit = LogisticRegression.FitDesign(x, y, n, p);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(x);
            ArrayPool<double>.Shared.Return(y);
        }
        if (!fit.HasEstimates)
            return new(n, promoted, null, null, null, fit.Status, fit.Note, excluded, null);
        DriverEffect Or(Coefficient c) => new(c.OddsRatio, [c.CiLow, c.CiHigh], c.P, c.Beta, c.StandardError);
        var bResults = fit.Coefficients[1].Beta;
        var bValues = fit.Coefficients[2].Beta;
        var denominator = Math.Abs(bValues) + Math.Abs(bResults);
        double? sayDo = denominator > 0 ? Math.Abs(bValues) / denominator : null;
        return new(n, promoted, Or(fit.Coefficients[1]), Or(fit.Coefficients[2]), Or(fit.Coefficients[3]), fit.Status, fit.Note, excluded, sayDo);
    }

    /// <summary>Standardises column <paramref name="j"/> of the first <paramref name="n"/> rows of a row-major matrix in place, as <see cref="Standardise"/>; false when it does not vary.</summary>
    private static bool StandardiseColumn(double[] x, int n, int p, int j)
    {
        if (n < 2) return false;
        var sum = 0.0;
        for (var i = 0; i < n; i++) sum += x[i * p + j];
        var mean = sum / n;
        var ss = 0.0;
        for (var i = 0; i < n; i++) ss += (x[i * p + j] - mean) * (x[i * p + j] - mean);
        var sd = Math.Sqrt(ss / (n - 1));
        if (sd < 1e-12 * Math.Max(1, Math.Abs(mean))) return false;
        for (var i = 0; i < n; i++) x[i * p + j] = (x[i * p + j] - mean) / sd;
        return true;
    }

    /// <summary>z-scores with the sample standard deviation (n − 1); null when the column does not vary.</summary>
    public static double[]? Standardise(double[] column)
    {
        if (column.Length < 2) return null;
        var mean = column.Average();
        var ss = 0.0;
        foreach (var v in column) ss += (v - mean) * (v - mean);
        var sd = Math.Sqrt(ss / (column.Length - 1));
        if (sd < 1e-12 * Math.Max(1, Math.Abs(mean))) return null;
        var z = new double[column.Length];
        for (var i = 0; i < z.Length; i++) z[i] = (column[i] - mean) / sd;
        return z;
    }

    public static string SayDoReading(DriverFit fit)
    {
        if (fit.SayDoIndex is not { } index || fit.Values is null || fit.Results is null)
            return $"The say–do index cannot be computed: {fit.Reason ?? "the driver model was not fitted"}.";
        var percent = Math.Round(index * 100);
        var reading = $"Values explain about {percent.ToString(CultureInfo.InvariantCulture)}% of what drives promotion here; results explain about {(100 - percent).ToString(CultureInfo.InvariantCulture)}%.";
        if (fit.Values.Beta < 0 && fit.Values.P < 0.05)
            reading += " People who demonstrate the values more are LESS likely to be promoted.";
        else if (fit.Values.P >= 0.05 && fit.Results.P >= 0.05)
            reading += " Neither effect is clearly different from chance with this many candidates, so read it as a rough indication.";
        else if (fit.Values.P >= 0.05)
            reading += " The values effect is not clearly different from zero.";
        if (fit.Status == FitStatuses.Firth)
            reading += " (Estimated with Firth's correction because the outcome was almost perfectly predicted.)";
        return reading;
    }
}
