using System.Numerics;

namespace Trellis.Core.Readiness;

// Honest posterior variances: each person's variance includes the uncertainty of its raters' effects, of the
// department effects and of the behaviour means, not only the person's posterior with those treated as known.
// Derivation: docs/readiness.md ("Intervals").
public sealed partial class ReadinessModel
{
    // ---- variance ----

    /// <summary>Per-thread scratch of the variance pass: nb × nb matrices and per-group vectors.</summary>
    private sealed class VarianceWorkspace(int behaviors)
    {
        public readonly double[] N = new double[behaviors], C = new double[behaviors], Pv = new double[behaviors], W = new double[behaviors];
        /// <summary>The marginal precision of the person's θ (nb × nb, row-major), then its Cholesky factor.</summary>
        public readonly double[] Precision = new double[behaviors * behaviors];
        public readonly double[] Solve = new double[behaviors], Inverse = new double[behaviors * behaviors];
        /// <summary>Per group among the person's raters: the group, and Σ over its raters of w_r·Q_r/(σ²·d_r) (nb each).</summary>
        public int[] Groups = new int[8];
        public double[] GroupVectors = new double[8 * behaviors];
        public int GroupCount;

        public int GroupSlot(int group, int nb)
        {
            for (var i = 0; i < GroupCount; i++) if (Groups[i] == group) return i;
            if (GroupCount == Groups.Length)
            {
                Array.Resize(ref Groups, Groups.Length * 2);
                Array.Resize(ref GroupVectors, GroupVectors.Length * 2);
            }
            Groups[GroupCount] = group;
            Array.Clear(GroupVectors, GroupCount * nb, nb);
            return GroupCount++;
        }
    }

    /// <summary>
    /// The residual variance the intervals use: σ² × N·Σw²/(Σw)². The weights say how much each rating counts (recent
    /// evidence more), not that older ratings are noisier; with equally noisy ratings a weighted mean varies by
    /// σ₀²·Σw²/(Σw)², which the fitted σ² (of a rating of weight 1, ≈ σ₀²·mean w) understates by that factor on average.
    /// </summary>
    private double NoiseVariance => _sigma2 * _weightDispersion;

    /// <summary>
    /// The person's posterior given the rater effects, per cell: weight n, 1 − k and the conditional variance pv of v;
    /// returns pu, the conditional variance of u (the same formulas as <see cref="SolveCells"/>).
    /// </summary>
    private double ConditionalPosterior(int s, VarianceWorkspace ws)
    {
        var nb = _nb;
        var sigma2 = NoiseVariance;
        var ratio = sigma2 / _tauV2;
        var precision = 1.0 / _tauU2;
        for (var b = 0; b < nb; b++)
        {
            var n = ws.N[b];
            var invDen = 1.0 / (n + ratio);
            var k = n * invDen;
            ws.C[b] = 1 - k;
            ws.Pv[b] = sigma2 * invDen;
            precision += k / _tauV2;
        }
        return 1.0 / precision;
    }

    /// <summary>
    /// After the fit: every person's cell and values variances integrate over the raters' effects, the department
    /// effects and the behaviour means. Two passes over the pairs. The first sums, per rater, the information its
    /// ratings carry about its effect once each rated person's level is integrated out (T_r), and per department the
    /// same for a shift of the whole department; the second gives each person the marginal precision of its cells
    /// with its raters' effects integrated out (an nb × nb matrix, inverted by Cholesky), and adds the department
    /// and behaviour-mean terms.
    /// </summary>
    private void MarginalVariances(ChunkStats all)
    {
        var chunks = _pairWeight.Length;
        var slotInfo = _slotValues.Length >= _slotBase[chunks] ? _slotValues : new double[_slotBase[chunks]];
        var groupCount = Math.Max(_groups, 1);
        var chunkGroupInfo = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new VarianceWorkspace(_nb),
            (k, _, ws) =>
            {
                chunkGroupInfo[k] = new double[groupCount];
                RaterInformation(k, ws, slotInfo, chunkGroupInfo[k]);
                return ws;
            },
            _ => { });
        // Per rater, in chunk and slot order (deterministic whatever the threads).
        var raterInfo = new double[PersonCount];
        for (var k = 0; k < chunks; k++)
        {
            var raters = _slotRater[k];
            var slotBase = _slotBase[k];
            for (var j = 0; j < raters.Length; j++) raterInfo[raters[j]] += slotInfo[slotBase + j];
        }
        _raterInformation = raterInfo;
        var groupVariance = new double[groupCount];
        if (_groups > 0)
        {
            // A department's shared effect is uncertain for two reasons, whose variances add: each of its raters has
            // an individual effect (σb²) on top of it, and a shift of the whole department trades against the level
            // of the people it rates (most of them its own), which only the people's prior and cross-department
            // ratings pin down.
            var raterSide = new double[_groups];
            var personSide = new double[_groups];
            for (var r = 0; r < PersonCount; r++)
                if (_raterRatings[r] > 0 && raterInfo[r] > 0) raterSide[_raterGroup![r]] += 1.0 / (_sigmaB2 + 1.0 / raterInfo[r]);
            for (var k = 0; k < chunks; k++)
                for (var g = 0; g < _groups; g++) personSide[g] += chunkGroupInfo[k][g];
            for (var g = 0; g < _groups; g++)
                groupVariance[g] = 1.0 / (1.0 / _tauG2 + raterSide[g]) + 1.0 / (1.0 / _tauG2 + personSide[g]);
        }
        _groupVariance = groupVariance;
        // Behaviour means: estimated from everyone (their precision given the persons' effects), plus the common level
        // shared with the persons' effects u, known to about τu² over the people with evidence.
        _muVariance = new double[_nb];
        var common = all.Persons > 0 ? _tauU2 / all.Persons : 0;
        for (var b = 0; b < _nb; b++) _muVariance[b] = (all.MuDen[b] > 0 ? 1.0 / all.MuDen[b] : 0) + common;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new VarianceWorkspace(_nb),
            (k, _, ws) =>
            {
                for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
                    if (_evidence[s] > 0) PersonMarginalVariance(s, k, ws, null);
                    else PriorVariance(s);
                return ws;
            },
            _ => { });
    }

    /// <summary>First pass over chunk k: per slot t_rp (what rater r learns about its effect from person p), per group Σ_p t_dp.</summary>
    private void RaterInformation(int k, VarianceWorkspace ws, double[] slotInfo, double[] groupInfo)
    {
        if (_pairIndex16[k] is { } index16) RaterInformation(k, index16, ws, slotInfo, groupInfo);
        else RaterInformation(k, _pairIndex32[k]!, ws, slotInfo, groupInfo);
    }

    private void RaterInformation<T>(int k, T[] index, VarianceWorkspace ws, double[] slotInfo, double[] groupInfo) where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        double sigma2 = NoiseVariance, sigma4 = sigma2 * sigma2;
        var slotBase = _slotBase[k];
        var pairBase = _chunkBase[k];
        var raters = _slotRater[k];
        var weights = _pairWeight[k];
        for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
        {
            if (_evidence[s] == 0) continue;
            for (var b = 0; b < nb; b++) ws.N[b] = _cellWeight[s * nb + b];
            var pu = ConditionalPosterior(s, ws);
            var slotLo = _personSlotStart[s] - slotBase;
            var slots = _personSlotStart[s + 1] - _personSlotStart[s];
            var shift = PersonShift(slots);
            var mask = (1u << shift) - 1;
            var pairLo = _personPairStart[s] - pairBase;
            var pairHi = _personPairStart[s + 1] - pairBase;
            ws.GroupCount = 0;
            // Pairs run slot by slot and name each behaviour once per slot: one flat walk, a slot closed when the next begins.
            for (var j = pairLo; j < pairHi;)
            {
                var t = (int)(uint.CreateTruncating(index[j]) & mask);
                double n = 0, a = 0, q = 0;
                var g = _groups > 0 ? ws.GroupSlot(_raterGroup![raters[slotLo + t]], nb) : 0;
                for (; j < pairHi && (uint.CreateTruncating(index[j]) & mask) == t; j++)
                {
                    var b = (int)(uint.CreateTruncating(index[j]) >> shift);
                    double w = weights[j];
                    n += w;
                    a += ws.C[b] * w;
                    q += ws.Pv[b] * w * w;
                    if (_groups > 0) ws.GroupVectors[g * nb + b] += w;
                }
                slotInfo[slotBase + slotLo + t] = n / sigma2 - (q + pu * a * a) / sigma4;
            }
            for (var i = 0; i < ws.GroupCount; i++)
            {
                double n = 0, a = 0, q = 0;
                for (var b = 0; b < nb; b++)
                {
                    var w = ws.GroupVectors[i * nb + b];
                    n += w; a += ws.C[b] * w; q += ws.Pv[b] * w * w;
                }
                groupInfo[ws.Groups[i]] += n / sigma2 - (q + pu * a * a) / sigma4;
            }
        }
    }

    /// <summary>
    /// Person s's marginal cell and values variances (second pass; also after an incremental update, with the cell
    /// weights in <paramref name="cellWeights"/>, null: the fitted ones).
    /// </summary>
    private void PersonMarginalVariance(int s, int k, VarianceWorkspace ws, double[]? cellWeights)
    {
        var nb = _nb;
        var sigma2 = NoiseVariance;
        for (var b = 0; b < nb; b++) ws.N[b] = cellWeights?[b] ?? _cellWeight[s * nb + b];
        var pu = ConditionalPosterior(s, ws);
        // Σθ⁻¹ (the precision of θ = μ + u + v given the rater effects): the prior precision of u·1 + v plus diag(n)/σ².
        var p = ws.Precision;
        var beta = _tauU2 / (_tauV2 * (_tauV2 + nb * _tauU2));
        for (var i = 0; i < nb; i++)
        {
            for (var j = 0; j <= i; j++) p[i * nb + j] = -beta;
            p[i * nb + i] += 1.0 / _tauV2 + ws.N[i] / sigma2;
        }
        // Minus, per rater, w_r·w_rᵀ/(σ⁴·d_r): its effect integrated out, known from its other ratings with precision
        // Q_r = 1/σb² + T_r − t_rp (this person's own part taken out), so d_r = Q_r + n_rp/σ².
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var shift = PersonShift(_personSlotStart[s + 1] - _personSlotStart[s]);
        var pairLo = _personPairStart[s] - _chunkBase[k];
        var pairHi = _personPairStart[s + 1] - _chunkBase[k];
        ws.GroupCount = 0;
        if (_pairIndex16[k] is { } index16) SubtractRaters(index16, k, pairLo, pairHi, shift, slotLo, pu, ws);
        else SubtractRaters(_pairIndex32[k]!, k, pairLo, pairHi, shift, slotLo, pu, ws);
        if (!Cholesky(p, nb))
        {
            // Not positive definite (only through rounding at extreme weights): keep the conditional variances.
            return;
        }
        // Cell variances: diag(P⁻¹) = column sums of squares of L⁻¹; values variance: 1ᵀP⁻¹1 / nb² = |L⁻¹1|² / nb².
        var baseCell = s * nb;
        var inverse = ws.Inverse;
        InvertLower(p, nb, inverse);
        double valuesVariance = 0, muMean = 0;
        for (var b = 0; b < nb; b++)
        {
            double diagonal = 0, row = 0;
            for (var i = b; i < nb; i++) diagonal += inverse[i * nb + b] * inverse[i * nb + b];
            for (var m = 0; m <= b; m++) row += inverse[b * nb + m];
            valuesVariance += row * row;
            _variance[baseCell + b] = (float)(diagonal + _muVariance[b]);
            muMean += _muVariance[b];
        }
        valuesVariance /= (double)nb * nb;
        valuesVariance += muMean / nb / nb;
        // Departments: a shift δ of department g's effect moves the person's θ by −P⁻¹·J_g·δ.
        for (var i = 0; i < ws.GroupCount; i++)
        {
            var gv = _groupVariance[ws.Groups[i]];
            Array.Copy(ws.GroupVectors, i * nb, ws.Solve, 0, nb);
            CholeskySolve(p, nb, ws.Solve);
            double mean = 0;
            for (var b = 0; b < nb; b++)
            {
                _variance[baseCell + b] += (float)(gv * ws.Solve[b] * ws.Solve[b]);
                mean += ws.Solve[b];
            }
            mean /= nb;
            valuesVariance += gv * mean * mean;
        }
        _valuesVariance[s] = valuesVariance;
    }

    /// <summary>
    /// P −= Σ_r w_r·w_rᵀ/(σ⁴·d_r) over the person's raters (lower triangle), and per group the vector J_d; one flat walk
    /// over the pairs, which run slot by slot and name each behaviour once per slot.
    /// </summary>
    private void SubtractRaters<T>(T[] index, int k, int pairLo, int pairHi, int shift, int slotLo, double pu, VarianceWorkspace ws)
        where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        double sigma2 = NoiseVariance, sigma4 = sigma2 * sigma2, invSigmaB2 = 1.0 / _sigmaB2;
        var mask = (1u << shift) - 1;
        var weights = _pairWeight[k];
        var raters = _slotRater[k];
        var p = ws.Precision;
        for (var j = pairLo; j < pairHi;)
        {
            var first = j;
            var t = (int)(uint.CreateTruncating(index[j]) & mask);
            double n = 0, a = 0, q = 0;
            for (; j < pairHi && (uint.CreateTruncating(index[j]) & mask) == t; j++)
            {
                var b = (int)(uint.CreateTruncating(index[j]) >> shift);
                double w = weights[j];
                n += w;
                a += ws.C[b] * w;
                q += ws.Pv[b] * w * w;
            }
            var rater = raters[slotLo + t];
            var own = n / sigma2 - (q + pu * a * a) / sigma4;
            var others = Math.Max(invSigmaB2 + _raterInformation[rater] - own, invSigmaB2);
            var d = others + n / sigma2;
            var scale = 1.0 / (sigma4 * d);
            for (var x = first; x < j; x++)
            {
                var bx = (int)(uint.CreateTruncating(index[x]) >> shift);
                var wx = weights[x] * scale;
                for (var y = first; y <= x; y++) p[bx * nb + (int)(uint.CreateTruncating(index[y]) >> shift)] -= wx * weights[y];
            }
            if (_groups == 0) continue;
            var g = ws.GroupSlot(_raterGroup![rater], nb);
            var factor = others / (sigma2 * d);
            for (var x = first; x < j; x++) ws.GroupVectors[g * nb + (int)(uint.CreateTruncating(index[x]) >> shift)] += weights[x] * factor;
        }
    }

    /// <summary>L⁻¹ (lower triangle, row-major) of the Cholesky factor left in <paramref name="l"/>.</summary>
    internal static void InvertLower(double[] l, int n, double[] inverse)
    {
        for (var j = 0; j < n; j++)
        {
            inverse[j * n + j] = 1.0 / l[j * n + j];
            for (var i = j + 1; i < n; i++)
            {
                double v = 0;
                for (var m = j; m < i; m++) v -= l[i * n + m] * inverse[m * n + j];
                inverse[i * n + j] = v / l[i * n + i];
            }
        }
    }

    /// <summary>A person without evidence: the prior variances plus the behaviour means' uncertainty.</summary>
    private void PriorVariance(int s)
    {
        var nb = _nb;
        double sum = 0;
        for (var b = 0; b < nb; b++)
        {
            _variance[s * nb + b] = (float)(_tauU2 + _tauV2 + _muVariance[b]);
            sum += _muVariance[b];
        }
        _valuesVariance[s] = _tauU2 + _tauV2 / nb + sum / nb / nb;
    }

    /// <summary>In-place Cholesky factor (lower triangle) of a symmetric n × n matrix; false when not positive definite.</summary>
    internal static bool Cholesky(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var d = a[j * n + j];
            for (var m = 0; m < j; m++) d -= a[j * n + m] * a[j * n + m];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var v = a[i * n + j];
                for (var m = 0; m < j; m++) v -= a[i * n + m] * a[j * n + m];
                a[i * n + j] = v / d;
            }
        }
        return true;
    }

    /// <summary>Solves (L·Lᵀ)·x = b in place, L the lower triangle left by <see cref="Cholesky"/>.</summary>
    internal static void CholeskySolve(double[] l, int n, double[] x)
    {
        for (var i = 0; i < n; i++)
        {
            var v = x[i];
            for (var m = 0; m < i; m++) v -= l[i * n + m] * x[m];
            x[i] = v / l[i * n + i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var v = x[i];
            for (var m = i + 1; m < n; m++) v -= l[m * n + i] * x[m];
            x[i] = v / l[i * n + i];
        }
    }
}
