namespace Trellis.Core.Readiness;

/// <summary>
/// Anderson acceleration (type II, Walker &amp; Ni 2011) of a fixed-point iteration x = F(x): from the last
/// <c>depth</c> evaluations it takes the combination of the new iterates whose combined residual is smallest in the
/// least-squares sense. On a linear iteration this is equivalent to GMRES, so the few slow modes of backfitting (a
/// whole department's leniency traded against its people's scores) are removed in a handful of steps instead of
/// being worn down sweep by sweep.
/// </summary>
/// <remarks>Deterministic: every sum runs in index order on one thread (the vectors are one entry per rater, small next
/// to a sweep). A step whose least-squares problem is ill-conditioned falls back to the plain step and restarts.</remarks>
public sealed class AndersonAcceleration
{
    private readonly int _depth;
    private readonly int _size;
    private readonly double[][] _dF, _dG;
    private readonly double[] _previousF, _previousG;
    /// <summary>Products of the stored residual differences, by ring position.</summary>
    private readonly double[,] _gram;
    private int _count, _next;
    private bool _hasPrevious;

    public AndersonAcceleration(int size, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _size = size;
        _depth = depth;
        _dF = new double[depth][];
        _dG = new double[depth][];
        for (var i = 0; i < depth; i++) { _dF[i] = new double[size]; _dG[i] = new double[size]; }
        _previousF = new double[size];
        _previousG = new double[size];
        _gram = new double[depth, depth];
    }

    /// <summary>Forgets the history (e.g. after the map itself changed a lot).</summary>
    public void Reset()
    {
        _count = 0;
        _next = 0;
        _hasPrevious = false;
    }

    /// <summary>
    /// Given the iterate <paramref name="x"/> that was evaluated and its image <paramref name="g"/> = F(x), writes the
    /// next iterate into <paramref name="g"/>.
    /// </summary>
    public void Step(ReadOnlySpan<double> x, Span<double> g)
    {
        if (x.Length != _size || g.Length != _size) throw new ArgumentException("vector size differs from the accelerator's");
        var added = -1;
        if (_hasPrevious)
        {
            added = _next;
            var dF = _dF[added];
            var dG = _dG[added];
            for (var i = 0; i < _size; i++)
            {
                var gi = g[i];
                var f = gi - x[i];
                dF[i] = f - _previousF[i];
                dG[i] = gi - _previousG[i];
                _previousF[i] = f;
                _previousG[i] = gi;
            }
            _next = (_next + 1) % _depth;
            _count = Math.Min(_count + 1, _depth);
        }
        else
        {
            for (var i = 0; i < _size; i++)
            {
                _previousF[i] = g[i] - x[i];
                _previousG[i] = g[i];
            }
        }
        _hasPrevious = true;
        if (_count == 0) return;

        // Normal equations of min ‖f − ΔF γ‖ (m ≤ depth unknowns), with a tiny ridge for near-dependent columns. Only
        // the new column's products are new: the rest of the Gram matrix is kept from earlier steps.
        var m = _count;
        for (var p = 0; p < m; p++) _gram[added, p] = _gram[p, added] = Dot(_dF[added], _dF[p]);
        var a = new double[m, m];
        var rhs = new double[m];
        for (var p = 0; p < m; p++)
        {
            for (var q = 0; q < m; q++) a[p, q] = _gram[p, q];
            rhs[p] = Dot(_dF[p], _previousF);
        }
        double trace = 0;
        for (var p = 0; p < m; p++) trace += a[p, p];
        if (!(trace > 0)) return;
        for (var p = 0; p < m; p++) a[p, p] += 1e-10 * trace;
        if (!Cholesky.TrySolve(a, rhs, out var gamma) || gamma.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e4))
        {
            Reset();
            return;
        }
        for (var p = 0; p < m; p++)
        {
            var c = gamma[p];
            var dG = _dG[p];
            for (var i = 0; i < _size; i++) g[i] -= c * dG[i];
        }
    }

    /// <summary>A dot product in four running sums (a fixed order, so deterministic), not one chain of dependent adds.</summary>
    private static double Dot(double[] u, double[] v)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var i = 0;
        for (; i + 3 < u.Length; i += 4)
        {
            s0 += u[i] * v[i];
            s1 += u[i + 1] * v[i + 1];
            s2 += u[i + 2] * v[i + 2];
            s3 += u[i + 3] * v[i + 3];
        }
        for (; i < u.Length; i++) s0 += u[i] * v[i];
        return (s0 + s1) + (s2 + s3);
    }

    private static class Cholesky
    {
        public static bool TrySolve(double[,] a, double[] b, out double[] x)
        {
            var n = b.Length;
            var l = new double[n, n];
            x = new double[n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var s = a[i, j];
                    for (var k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                    if (i == j)
                    {
                        if (s <= 0) return false;
                        l[i, i] = Math.Sqrt(s);
                    }
                    else l[i, j] = s / l[j, j];
                }
            }
            var y = new double[n];
            for (var i = 0; i < n; i++)
            {
                var s = b[i];
                for (var k = 0; k < i; k++) s -= l[i, k] * y[k];
                y[i] = s / l[i, i];
            }
            for (var i = n - 1; i >= 0; i--)
            {
                var s = y[i];
                for (var k = i + 1; k < n; k++) s -= l[k, i] * x[k];
                x[i] = s / l[i, i];
            }
            return true;
        }
    }
}
