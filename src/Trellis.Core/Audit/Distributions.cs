namespace Trellis.Core.Audit;

/// <summary>The standard normal distribution, accurate to ~1e-15 (p-values are printed to 4 decimals and tested against references).</summary>
public static class NormalDistribution
{
    /// <summary>The 0.975 quantile, for 95% intervals.</summary>
    public const double Z975 = 1.959963984540054;

    /// <summary>Two-sided p-value of a z statistic: P(|Z| ≥ |z|).</summary>
    public static double TwoSidedP(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function: power series for small arguments, a Lentz continued fraction in the tail.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2.5) return 1 - ErfSeries(x);
        if (x > 27) return 0;
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) evaluated with modified Lentz.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (var n = 1; n < 500; n++)
        {
            var a = n / 2.0;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / (f * Math.Sqrt(Math.PI));
    }

    private static double ErfSeries(double x)
    {
        // erf(x) = 2/√π · exp(-x²) · Σ (2x²)^n x / (1·3·…·(2n+1)), all terms positive: no cancellation.
        var x2 = x * x;
        double term = x, sum = x;
        for (var n = 1; n < 200; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
    }
}

/// <summary>Fisher's exact test of a 2×2 table, two-sided, from exact hypergeometric probabilities in log space.</summary>
public static class FisherExact
{
    /// <summary>
    /// Two-sided p-value for the table [[a, b], [c, d]]: the sum of the probabilities of every table with the same
    /// margins that is no more likely than the observed one (the convention of R's fisher.test and scipy).
    /// </summary>
    public static double TwoSided(int a, int b, int c, int d)
    {
        if (a < 0 || b < 0 || c < 0 || d < 0) throw new ArgumentOutOfRangeException(nameof(a), "cell counts must be non-negative");
        var row1 = a + b; var col1 = a + c; var n = a + b + c + d;
        if (n == 0) return 1;
        var lo = Math.Max(0, col1 - (n - row1));
        var hi = Math.Min(row1, col1);
        var logObserved = LogHypergeometric(a, row1, col1, n);
        // Relative tolerance so that tables equal in probability up to rounding count as "as extreme".
        var threshold = logObserved + 1e-7;
        double max = double.NegativeInfinity;
        var logs = new double[hi - lo + 1];
        for (var x = lo; x <= hi; x++)
        {
            logs[x - lo] = LogHypergeometric(x, row1, col1, n);
            if (logs[x - lo] > max) max = logs[x - lo];
        }
        double total = 0, extreme = 0;
        foreach (var l in logs)
        {
            var p = Math.Exp(l - max);
            total += p;
            if (l <= threshold) extreme += p;
        }
        return Math.Min(1, extreme / total);
    }

    private static double LogHypergeometric(int x, int row1, int col1, int n) =>
        LogChoose(row1, x) + LogChoose(n - row1, col1 - x) - LogChoose(n, col1);

    private static double LogChoose(int n, int k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);

    private static readonly double[] SmallLogFactorials = BuildTable(256);

    private static double[] BuildTable(int size)
    {
        var t = new double[size];
        for (var i = 2; i < size; i++) t[i] = t[i - 1] + Math.Log(i);
        return t;
    }

    /// <summary>ln n!: a table below 256, Stirling's series above (error far below 1e-15 there).</summary>
    public static double LogFactorial(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n < SmallLogFactorials.Length) return SmallLogFactorials[n];
        double x = n + 1; // ln Γ(x)
        var inv = 1 / x; var inv2 = inv * inv;
        return (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI)
            + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    }
}
