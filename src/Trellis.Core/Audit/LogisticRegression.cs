using System.Buffers;

namespace Trellis.Core.Audit;

/// <summary>How a regression ended: a maximum-likelihood fit, a Firth fit after separation, or not fitted at all.</summary>
public static class FitStatuses
{
    public const string Ok = "ok";
    /// <summary>The data were (quasi-)separated; Firth's penalised likelihood gave finite estimates.</summary>
    public const string Firth = "firth";
    /// <summary>Separated and the penalised fit did not converge either: no numbers are reported.</summary>
    public const string Separation = "separation";
    public const string Skipped = "skipped";
}

/// <summary>One coefficient of a fitted logistic regression on standardised predictors.</summary>
public sealed record Coefficient(double Beta, double StandardError)
{
    public double Z => Beta / StandardError;
    public double P => NormalDistribution.TwoSidedP(Z);
    public double OddsRatio => Math.Exp(Beta);
    public double CiLow => Math.Exp(Beta - NormalDistribution.Z975 * StandardError);
    public double CiHigh => Math.Exp(Beta + NormalDistribution.Z975 * StandardError);
}

/// <summary>The result of <see cref="LogisticRegression.Fit"/>: the intercept first, then one coefficient per predictor.</summary>
public sealed record LogisticFit(string Status, IReadOnlyList<Coefficient> Coefficients, int Iterations, double LogLikelihood, string? Note)
{
    public bool HasEstimates => Status is FitStatuses.Ok or FitStatuses.Firth;
}

/// <summary>
/// Binary logistic regression by Newton–Raphson (IRLS) with an intercept. Standard errors come from the inverse
/// Fisher information at the estimate. When the classes are (quasi-)separated the maximum-likelihood estimate does
/// not exist (coefficients run off to infinity); this is detected and the model is refitted with Firth's
/// penalised likelihood, which always has finite estimates. Works on columns of a design matrix without the
/// intercept column; small (p ≤ ~10) dense linear algebra, O(n·p²) per iteration.
/// </summary>
public static class LogisticRegression
{
    private const int MaxIterations = 100;
    private const double Tolerance = 1e-10;
    /// <summary>On standardised predictors a |β| this large means an odds ratio above e^15 per SD: divergence, not data.</summary>
    private const double DivergentBeta = 15;

    /// <param name="predictors">p columns of length n (already standardised if per-SD odds ratios are wanted).</param>
    /// <param name="outcome">n outcomes, true = event.</param>
    public static LogisticFit Fit(IReadOnlyList<double[]> predictors, bool[] outcome)
    {
        var n = outcome.Length;
        var p = predictors.Count + 1;
        foreach (var column in predictors)
            if (column.Length != n) throw new ArgumentException("every predictor column needs one value per outcome", nameof(predictors));
        var x = ArrayPool<double>.Shared.Rent(n * p);
        var y = ArrayPool<double>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                x[i * p] = 1;
                for (var j = 1; j < p; j++) x[i * p + j] = predictors[j - 1][i];
                y[i] = outcome[i] ? 1 : 0;
            }
            return FitDesign(x, y, n, p);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(x);
            ArrayPool<double>.Shared.Return(y);
        }
    }

    /// <summary>
    /// The fit on a row-major design matrix whose first column is the intercept (1), and 0/1 outcomes. Only the first
    /// <paramref name="n"/> rows are read, so callers can pass pooled arrays longer than that.
    /// </summary>
    internal static LogisticFit FitDesign(double[] x, double[] y, int n, int p)
    {
        var ml = NewtonMaximumLikelihood(x, y, n, p);
        if (ml is { Converged: true, Separated: false })
            return Finish(FitStatuses.Ok, ml, x, n, p, null);

        var firth = Newton(x, y, n, p, firth: true);
        if (firth.Converged && firth.Beta.All(b => Math.Abs(b) < DivergentBeta * 2))
            return Finish(FitStatuses.Firth, firth, x, n, p,
                "The outcome is (almost) perfectly predicted by the predictors (separation), so ordinary estimates would be infinite; Firth's penalised likelihood was used.");
        return new LogisticFit(FitStatuses.Separation, [], firth.Iterations, double.NaN,
            "The outcome is perfectly predicted by the predictors (separation) and no finite estimate could be found; odds ratios are not reported.");
    }

    /// <summary>One Newton–Raphson fit: the estimates, whether it converged or found separation, and its log-likelihood.</summary>
    /// <param name="Beta">The estimates.</param>
    /// <param name="Converged">Whether the steps became small enough.</param>
    /// <param name="Separated">Whether an estimate ran off to infinity (separation).</param>
    /// <param name="Iterations">Steps taken.</param>
    /// <param name="LogLikelihood">At <paramref name="Beta"/>.</param>
    /// <param name="Information">The Fisher information at <paramref name="Beta"/> when the fit already has it (saves a pass).</param>
    private sealed record NewtonResult(double[] Beta, bool Converged, bool Separated, int Iterations, double LogLikelihood, double[]? Information = null);

    /// <summary>
    /// Plain maximum likelihood: one pass over the rows per Newton step computes the log-likelihood, the score and
    /// the information together at the trial point, so an accepted step costs exactly one pass and no allocation of
    /// per-row arrays. The iterates are the same as <see cref="Newton"/> without the penalty.
    /// </summary>
    private static NewtonResult NewtonMaximumLikelihood(double[] x, double[] y, int n, int p)
    {
        var beta = new double[p];
        var info = new double[p * p];
        var score = new double[p];
        var nextInfo = new double[p * p];
        var nextScore = new double[p];
        var step = new double[p];
        var candidate = new double[p];
        var objective = Pass(x, y, n, p, beta, info, score);
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var inverse = Invert(info, p);
            if (inverse is null) return new(beta, false, true, iteration, double.NaN);
            for (var j = 0; j < p; j++)
            {
                var s = 0.0;
                for (var k = 0; k < p; k++) s += inverse[j * p + k] * score[k];
                step[j] = s;
            }

            // Step halving keeps each Newton step an ascent of the log-likelihood.
            var scale = 1.0;
            double next;
            var moved = true;
            while (true)
            {
                for (var j = 0; j < p; j++) candidate[j] = beta[j] + scale * step[j];
                next = Pass(x, y, n, p, candidate, nextInfo, nextScore);
                if (!double.IsNaN(next) && next >= objective - 1e-12) break;
                scale /= 2;
                if (scale < 1e-10) { moved = false; next = objective; break; }
            }
            var change = 0.0;
            if (moved)
            {
                for (var j = 0; j < p; j++) change = Math.Max(change, Math.Abs(candidate[j] - beta[j]));
                (beta, candidate) = (candidate, beta);
                (info, nextInfo) = (nextInfo, info);
                (score, nextScore) = (nextScore, score);
            }
            objective = next;
            foreach (var b in beta)
                if (Math.Abs(b) > DivergentBeta) return new((double[])beta.Clone(), false, true, iteration, objective);
            if (change < Tolerance)
                return new((double[])beta.Clone(), true, PerfectlyPredicted(x, y, n, p, beta), iteration, objective, info);
        }
        return new(beta, false, true, MaxIterations, objective);
    }

    /// <summary>
    /// One pass over the rows at <paramref name="beta"/>: returns the log-likelihood and fills the (mirrored)
    /// information matrix and the score vector. One exponential and one logarithm per row.
    /// </summary>
    private static double Pass(double[] x, double[] y, int n, int p, double[] beta, double[] info, double[] score)
    {
        if (p == 4) return Pass4(x, y, n, beta, info, score);
        Array.Clear(info);
        Array.Clear(score);
        var ll = 0.0;
        for (var i = 0; i < n; i++)
        {
            var o = i * p;
            var eta = 0.0;
            for (var j = 0; j < p; j++) eta += x[o + j] * beta[j];
            // With e = exp(−|η|): log(1 + e^−|η|) is shared by log σ(η) and log(1 − σ(η)), and σ(η) follows from e.
            var e = Math.Exp(-Math.Abs(eta));
            var log1pe = Math.Log(1 + e);
            double pr;
            if (eta >= 0)
            {
                pr = 1 / (1 + e);
                ll += y[i] > 0.5 ? -log1pe : -eta - log1pe;
            }
            else
            {
                pr = e / (1 + e);
                ll += y[i] > 0.5 ? eta - log1pe : -log1pe;
            }
            var w = pr * (1 - pr);
            var residual = y[i] - pr;
            for (var j = 0; j < p; j++)
            {
                var xj = x[o + j];
                score[j] += xj * residual;
                var xw = xj * w;
                for (var k = 0; k <= j; k++) info[j * p + k] += xw * x[o + k];
            }
        }
        Mirror(info, p);
        return ll;
    }

    /// <summary><see cref="Pass"/> for the audit's model (intercept and three predictors), with every sum in a register.</summary>
    private static double Pass4(double[] x, double[] y, int n, double[] beta, double[] info, double[] score)
    {
        double b0 = beta[0], b1 = beta[1], b2 = beta[2], b3 = beta[3];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        double i00 = 0, i10 = 0, i11 = 0, i20 = 0, i21 = 0, i22 = 0, i30 = 0, i31 = 0, i32 = 0, i33 = 0;
        var ll = 0.0;
        var rows = x.AsSpan(0, n * 4);
        var outcomes = y.AsSpan(0, n);
        for (var i = 0; i < outcomes.Length; i++)
        {
            var row = rows.Slice(i * 4, 4);
            double x0 = row[0], x1 = row[1], x2 = row[2], x3 = row[3];
            var eta = x0 * b0 + x1 * b1 + x2 * b2 + x3 * b3;
            var e = Math.Exp(-Math.Abs(eta));
            var log1pe = Math.Log(1 + e);
            var event_ = outcomes[i] > 0.5;
            double pr;
            if (eta >= 0)
            {
                pr = 1 / (1 + e);
                ll += event_ ? -log1pe : -eta - log1pe;
            }
            else
            {
                pr = e / (1 + e);
                ll += event_ ? eta - log1pe : -log1pe;
            }
            var w = pr * (1 - pr);
            var residual = outcomes[i] - pr;
            s0 += x0 * residual; s1 += x1 * residual; s2 += x2 * residual; s3 += x3 * residual;
            double w0 = x0 * w, w1 = x1 * w, w2 = x2 * w, w3 = x3 * w;
            i00 += w0 * x0;
            i10 += w1 * x0; i11 += w1 * x1;
            i20 += w2 * x0; i21 += w2 * x1; i22 += w2 * x2;
            i30 += w3 * x0; i31 += w3 * x1; i32 += w3 * x2; i33 += w3 * x3;
        }
        score[0] = s0; score[1] = s1; score[2] = s2; score[3] = s3;
        info[0] = i00; info[1] = i10; info[2] = i20; info[3] = i30;
        info[4] = i10; info[5] = i11; info[6] = i21; info[7] = i31;
        info[8] = i20; info[9] = i21; info[10] = i22; info[11] = i32;
        info[12] = i30; info[13] = i31; info[14] = i32; info[15] = i33;
        return ll;
    }

    private static NewtonResult Newton(double[] x, double[] y, int n, int p, bool firth)
    {
        var beta = new double[p];
        var objective = Objective(x, y, n, p, beta, firth, out _);
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var info = new double[p * p];
            var score = new double[p];
            var prob = new double[n];
            var weight = new double[n];
            for (var i = 0; i < n; i++)
            {
                var eta = 0.0;
                for (var j = 0; j < p; j++) eta += x[i * p + j] * beta[j];
                prob[i] = Sigmoid(eta);
                weight[i] = prob[i] * (1 - prob[i]);
                AddOuter(info, x, i, p, weight[i]);
            }
            Mirror(info, p);
            var inverse = Invert(info, p);
            if (inverse is null) return new(beta, false, true, iteration, double.NaN);
            for (var i = 0; i < n; i++)
            {
                var residual = y[i] - prob[i];
                if (firth)
                {
                    // Firth's modified score: U* = Xᵀ(y − π + h(½ − π)), h the diagonal of the weighted hat matrix.
                    var h = weight[i] * QuadraticForm(inverse, x, i, p);
                    residual += h * (0.5 - prob[i]);
                }
                for (var j = 0; j < p; j++) score[j] += x[i * p + j] * residual;
            }
            var step = new double[p];
            for (var j = 0; j < p; j++)
                for (var k = 0; k < p; k++) step[j] += inverse[j * p + k] * score[k];

            // Step halving keeps each Newton step an ascent of the (penalised) log-likelihood.
            var scale = 1.0;
            double[] candidate;
            double next;
            while (true)
            {
                candidate = new double[p];
                for (var j = 0; j < p; j++) candidate[j] = beta[j] + scale * step[j];
                next = Objective(x, y, n, p, candidate, firth, out _);
                if (!double.IsNaN(next) && next >= objective - 1e-12) break;
                scale /= 2;
                if (scale < 1e-10) { candidate = beta; next = objective; break; }
            }
            var change = 0.0;
            for (var j = 0; j < p; j++) change = Math.Max(change, Math.Abs(candidate[j] - beta[j]));
            beta = candidate;
            objective = next;
            if (beta.Any(b => Math.Abs(b) > DivergentBeta) && !firth)
                return new(beta, false, true, iteration, objective);
            if (change < Tolerance)
                return new(beta, true, !firth && PerfectlyPredicted(x, y, n, p, beta), iteration, objective);
        }
        return new(beta, false, !firth, MaxIterations, objective);
    }

    /// <summary>Fitted probabilities pinned at 0 or 1 for every observation means complete separation.</summary>
    private static bool PerfectlyPredicted(double[] x, double[] y, int n, int p, double[] beta)
    {
        for (var i = 0; i < n; i++)
        {
            var eta = 0.0;
            for (var j = 0; j < p; j++) eta += x[i * p + j] * beta[j];
            if (Math.Abs(Sigmoid(eta) - y[i]) > 1e-6) return false;
        }
        return true;
    }

    private static double Objective(double[] x, double[] y, int n, int p, double[] beta, bool firth, out double[]? info)
    {
        var ll = 0.0;
        info = firth ? new double[p * p] : null;
        for (var i = 0; i < n; i++)
        {
            var eta = 0.0;
            for (var j = 0; j < p; j++) eta += x[i * p + j] * beta[j];
            // log σ(η) = −log(1+e^−η), computed without overflow.
            ll += y[i] > 0.5 ? -Log1pExp(-eta) : -Log1pExp(eta);
            if (info is not null)
            {
                var pr = Sigmoid(eta);
                AddOuter(info, x, i, p, pr * (1 - pr));
            }
        }
        if (info is null) return ll;
        Mirror(info, p);
        var logDet = LogDeterminant(info, p);
        return double.IsNaN(logDet) ? double.NaN : ll + 0.5 * logDet;
    }

    private static LogisticFit Finish(string status, NewtonResult result, double[] x, int n, int p, string? note)
    {
        var info = result.Information;
        if (info is null)
        {
            info = new double[p * p];
            for (var i = 0; i < n; i++)
            {
                var eta = 0.0;
                for (var j = 0; j < p; j++) eta += x[i * p + j] * result.Beta[j];
                var pr = Sigmoid(eta);
                AddOuter(info, x, i, p, pr * (1 - pr));
            }
            Mirror(info, p);
        }
        var ll = result.LogLikelihood;
        var inverse = Invert(info, p);
        if (inverse is null)
            return new LogisticFit(FitStatuses.Separation, [], result.Iterations, double.NaN, "The information matrix is singular (a predictor is constant or collinear); no estimates.");
        var coefficients = new Coefficient[p];
        for (var j = 0; j < p; j++) coefficients[j] = new Coefficient(result.Beta[j], Math.Sqrt(inverse[j * p + j]));
        return new LogisticFit(status, coefficients, result.Iterations, ll, note);
    }

    private static void AddOuter(double[] m, double[] x, int row, int p, double w)
    {
        var o = row * p;
        for (var j = 0; j < p; j++)
        {
            var xj = x[o + j] * w;
            for (var k = 0; k <= j; k++) m[j * p + k] += xj * x[o + k];
        }
    }

    /// <summary>Copies the accumulated lower triangle to the upper one.</summary>
    private static void Mirror(double[] m, int p)
    {
        for (var j = 0; j < p; j++)
            for (var k = j + 1; k < p; k++) m[j * p + k] = m[k * p + j];
    }

    private static double QuadraticForm(double[] inverse, double[] x, int row, int p)
    {
        var o = row * p;
        var sum = 0.0;
        for (var j = 0; j < p; j++)
        {
            var inner = 0.0;
            for (var k = 0; k < p; k++) inner += inverse[j * p + k] * x[o + k];
            sum += x[o + j] * inner;
        }
        return sum;
    }

    /// <summary>Inverse of a symmetric positive-definite matrix by Cholesky; null when it is not positive definite.</summary>
    internal static double[]? Invert(double[] a, int p)
    {
        var l = Cholesky(a, p);
        if (l is null) return null;
        var inverse = new double[p * p];
        var column = new double[p];
        for (var c = 0; c < p; c++)
        {
            // Solve L Lᵀ x = e_c.
            for (var i = 0; i < p; i++)
            {
                var s = i == c ? 1.0 : 0.0;
                for (var k = 0; k < i; k++) s -= l[i * p + k] * column[k];
                column[i] = s / l[i * p + i];
            }
            for (var i = p - 1; i >= 0; i--)
            {
                var s = column[i];
                for (var k = i + 1; k < p; k++) s -= l[k * p + i] * inverse[k * p + c];
                inverse[i * p + c] = s / l[i * p + i];
            }
        }
        return inverse;
    }

    private static double[]? Cholesky(double[] a, int p)
    {
        var l = new double[p * p];
        var scale = 0.0;
        for (var i = 0; i < p; i++) scale = Math.Max(scale, Math.Abs(a[i * p + i]));
        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var s = a[i * p + j];
                for (var k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
                if (i == j)
                {
                    if (s <= scale * 1e-13) return null;
                    l[i * p + i] = Math.Sqrt(s);
                }
                else l[i * p + j] = s / l[j * p + j];
            }
        }
        return l;
    }

    private static double LogDeterminant(double[] a, int p)
    {
        var l = Cholesky(a, p);
        if (l is null) return double.NaN;
        var sum = 0.0;
        for (var i = 0; i < p; i++) sum += 2 * Math.Log(l[i * p + i]);
        return sum;
    }

    private static double Sigmoid(double eta) => eta >= 0 ? 1 / (1 + Math.Exp(-eta)) : Math.Exp(eta) / (1 + Math.Exp(eta));

    private static double Log1pExp(double v) => v > 35 ? v : v < -35 ? Math.Exp(v) : Math.Log(1 + Math.Exp(v));
}
