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
            // Collinear predictors leave the information matrix singular whatever the outcome, which the fit would
            // report as separation; strongly correlated ones give finite but meaningless separate effects.
            var (vif, which) = MaxVarianceInflation(x, n, p);
            if (vif is null or > CollinearVarianceInflationFactor)
                return Skip($"{names[which - 1]} is an exact linear combination of the other predictors (collinear), so the separate effects cannot be estimated");
            fit = LogisticRegression.FitDesign(x, y, n, p);
            if (vif > MaxVarianceInflationFactor && fit.HasEstimates)
            {
                var collinear = $"{names[which - 1]} is strongly correlated with the other predictors (variance inflation {vif.Value.ToString("0", CultureInfo.InvariantCulture)}), so the separate effects, and the say–do index, are not determined by these data";
                return new(n, promoted, Or(fit.Coefficients[1]), Or(fit.Coefficients[2]), Or(fit.Coefficients[3]), fit.Status,
                    fit.Note is null ? collinear : $"{fit.Note} {collinear}", excluded, null);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(x);
            ArrayPool<double>.Shared.Return(y);
        }
        if (!fit.HasEstimates)
            return new(n, promoted, null, null, null, fit.Status, fit.Note, excluded, null);
        var bResults = fit.Coefficients[1].Beta;
        var bValues = fit.Coefficients[2].Beta;
        var denominator = Math.Abs(bValues) + Math.Abs(bResults);
        double? sayDo = denominator > 0 ? Math.Abs(bValues) / denominator : null;
        return new(n, promoted, Or(fit.Coefficients[1]), Or(fit.Coefficients[2]), Or(fit.Coefficients[3]), fit.Status, fit.Note, excluded, sayDo);
    }

    private static DriverEffect Or(Coefficient c) => new(c.OddsRatio, [c.CiLow, c.CiHigh], c.P, c.Beta, c.StandardError);

    /// <summary>Above this variance inflation factor (R² ≈ 0.9 with the other predictors) separate effects are not reported as meaningful.</summary>
    private const double MaxVarianceInflationFactor = 10;
    /// <summary>Above this (R² > 1 − 10⁻⁶) the predictors are collinear for the fit's arithmetic too: its information matrix is numerically singular.</summary>
    private const double CollinearVarianceInflationFactor = 1e6;

    /// <summary>
    /// The largest variance inflation factor of the standardised predictors (columns 1.. of the design) and its column:
    /// the diagonal of the inverse correlation matrix. Null when the correlation matrix is singular (a predictor is an
    /// exact linear combination of the others); the column is then the first that is.
    /// </summary>
    private static (double? Vif, int Column) MaxVarianceInflation(double[] x, int n, int p)
    {
        var k = p - 1;
        var r = new double[k * k];
        for (var i = 0; i < n; i++)
            for (var a = 0; a < k; a++)
                for (var b = 0; b <= a; b++) r[a * k + b] += x[i * p + 1 + a] * x[i * p + 1 + b];
        for (var a = 0; a < k; a++)
            for (var b = 0; b <= a; b++) r[b * k + a] = r[a * k + b] /= n - 1;
        var inverse = LogisticRegression.Invert(r, k);
        if (inverse is null)
        {
            // The first column that the ones before it explain completely.
            for (var m = 2; m <= k; m++)
            {
                var sub = new double[m * m];
                for (var a = 0; a < m; a++)
                    for (var b = 0; b < m; b++) sub[a * m + b] = r[a * k + b];
                if (LogisticRegression.Invert(sub, m) is null) return (null, m);
            }
            return (null, k);
        }
        var worst = 0;
        for (var a = 1; a < k; a++) if (inverse[a * k + a] > inverse[worst * k + worst]) worst = a;
        return (inverse[worst * k + worst], worst + 1);
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
