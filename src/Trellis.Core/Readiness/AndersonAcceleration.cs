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
        if (_hasPrevious)
        {
            var dF = _dF[_next];
            var dG = _dG[_next];
            for (var i = 0; i < _size; i++)
            {
                var f = g[i] - x[i];
                dF[i] = f - _previousF[i];
                dG[i] = g[i] - _previousG[i];
            }
            _next = (_next + 1) % _depth;
            _count = Math.Min(_count + 1, _depth);
        }
        for (var i = 0; i < _size; i++)
        {
            _previousF[i] = g[i] - x[i];
            _previousG[i] = g[i];
        }
        _hasPrevious = true;
        if (_count == 0) return;

        // Normal equations of min ‖f − ΔF γ‖ (m ≤ depth unknowns), with a tiny ridge for near-dependent columns.
        var m = _count;
        var a = new double[m, m];
        var rhs = new double[m];
        for (var p = 0; p < m; p++)
        {
            var fp = _dF[p];
            for (var q = p; q < m; q++)
            {
                var fq = _dF[q];
                double s = 0;
                for (var i = 0; i < _size; i++) s += fp[i] * fq[i];
                a[p, q] = a[q, p] = s;
            }
            double r = 0;
            for (var i = 0; i < _size; i++) r += fp[i] * _previousF[i];
            rhs[p] = r;
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
