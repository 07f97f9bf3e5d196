using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Trellis.Core.Readiness;

// Honest posterior variances: each person's variance includes the uncertainty of its raters' effects, of the
// department effects and of the behaviour means, not only the person's posterior with those treated as known.
// Derivation: docs/readiness.md ("Intervals").
public sealed partial class ReadinessModel
{
    // ---- variance ----

    /// <summary>Per-thread scratch of the variance pass: nb × nb matrices and per-group vectors.</summary>
    private sealed class VarianceWorkspace(int behaviors, int groups)
    {
        /// <summary>Row length of the padded matrices: nb rounded up to whole 4-lane vectors (the padding stays zero).</summary>
        public readonly int Stride = (behaviors + 3) & ~3;
        public readonly double[] N = new double[behaviors], C = new double[behaviors], Pv = new double[behaviors];
        /// <summary>Per slot of the chunk (or of the person, in an incremental update): 1/σb² + T_r of its rater, and its rater's group.</summary>
        public double[] SlotPrecision = new double[256];
        public int[] SlotGroup = new int[256];

        public void EnsureSlots(int slots)
        {
            if (slots <= SlotGroup.Length) return;
            var size = Math.Max(slots, 2 * SlotGroup.Length);
            SlotPrecision = new double[size];
            SlotGroup = new int[size];
        }

        /// <summary>The current person's pair weights widened to double (the separate first pass).</summary>
        public double[] PairWeight = new double[1024];

        public void EnsurePairs(int pairs)
        {
            if (pairs > PairWeight.Length) PairWeight = new double[Math.Max(pairs, PairWeight.Length * 2)];
        }

        /// <summary>Where the per-behaviour weights of a rater go when there are no groups (written, never read).</summary>
        public readonly double[] NoGroup = new double[behaviors];
        /// <summary>The marginal precision of the person's θ (nb × nb, row-major), then its Cholesky factor.</summary>
        public readonly double[] Precision = new double[behaviors * behaviors];
        /// <summary>L⁻¹ (upper part and padding zero) and P⁻¹, nb rows of <see cref="Stride"/>; a vector P⁻¹·J and the group terms per cell.</summary>
        public readonly double[] LowerInverse = new double[behaviors * ((behaviors + 3) & ~3)], Inverse = new double[behaviors * ((behaviors + 3) & ~3)];
        public readonly double[] Solve = new double[(behaviors + 3) & ~3], Extra = new double[(behaviors + 3) & ~3];
        /// <summary>Per group among the person's raters: the group, and Σ over its raters of w_r·Q_r/(σ²·d_r) (nb each).</summary>
        public int[] Groups = new int[8];
        public double[] GroupVectors = new double[8 * behaviors];
        public int GroupCount;
        /// <summary>Per group, its place among the person's groups (−1: none yet): one load instead of a search per rater.</summary>
        public readonly int[] GroupMap = NewMap(groups);

        private static int[] NewMap(int groups)
        {
            var map = new int[groups];
            Array.Fill(map, -1);
            return map;
        }

        /// <summary>Forgets the previous person's groups.</summary>
        public void ResetGroups()
        {
            for (var i = 0; i < GroupCount; i++) GroupMap[Groups[i]] = -1;
            GroupCount = 0;
        }

        /// <summary>The group's place among the person's groups, added (with a zero vector) when new.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int GroupSlot(int group, int nb)
        {
            var known = GroupMap[group];
            return known >= 0 ? known : AddGroup(group, nb);
        }

        private int AddGroup(int group, int nb)
        {
            if (GroupCount == Groups.Length)
            {
                Array.Resize(ref Groups, Groups.Length * 2);
                Array.Resize(ref GroupVectors, GroupVectors.Length * 2);
            }
            Groups[GroupCount] = group;
            Array.Clear(GroupVectors, GroupCount * nb, nb);
            GroupMap[group] = GroupCount;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ConditionalPosterior(int s, VarianceWorkspace ws)
    {
        var nb = _nb;
        var (sigma2, tauU2, tauV2) = _informationComponents;
        var ratio = sigma2 / tauV2;
        var invTauV2 = 1.0 / tauV2;
        var precision = 1.0 / tauU2;
        for (var b = 0; b < nb; b++)
        {
            var n = ws.N[b];
            var invDen = 1.0 / (n + ratio);
            var k = n * invDen;
            ws.C[b] = 1 - k;
            ws.Pv[b] = sigma2 * invDen;
            precision += k * invTauV2;
        }
        return 1.0 / precision;
    }

    /// <summary>
    /// After the fit: every person's cell and values variances integrate over the raters' effects, the department
    /// effects and the behaviour means. It needs, per rater, the information its ratings carry about its effect once
    /// each rated person's level is integrated out (T_r), and per department the same for a shift of the whole
    /// department: the third sweep took them (see TakeRaterShares), and a first pass does so only when the fit stopped
    /// sooner. One pass over the pairs then gives each person the marginal precision of its cells with its raters'
    /// effects integrated out (an nb × nb matrix, inverted by Cholesky), and adds the department and behaviour-mean terms.
    /// </summary>
    private void MarginalVariances(ChunkStats all)
    {
        var chunks = _pairWeight.Length;
        var groupCount = Math.Max(_groups, 1);
        // The raters' information taken with the shares (see TakeRaterShares) serves here too; only a fit stopped
        // before the shares were taken computes it now.
        if (_shareGroupInfo is not { } chunkGroupInfo) chunkGroupInfo = TakeRaterInformation();
        _shareGroupInfo = null;
        Marginal(all, chunks, groupCount, _raterInformation, chunkGroupInfo);
    }

    /// <summary>
    /// The first pass with the current components, which it records: per rater T_r (kept in <see cref="_raterInformation"/>)
    /// and per chunk and department Σ_p t_dp (returned).
    /// </summary>
    private double[][] TakeRaterInformation()
    {
        _informationComponents = (NoiseVariance, _tauU2, _tauV2);
        _raterInformation = RaterInformationPass(out var chunkGroupInfo);
        return chunkGroupInfo;
    }

    /// <summary>The first pass: per rater T_r, and per chunk and department Σ_p t_dp.</summary>
    private double[] RaterInformationPass(out double[][] chunkGroupInfo)
    {
        var chunks = _pairWeight.Length;
        var slotInfo = new double[_slotBase[chunks]];
        var groupCount = Math.Max(_groups, 1);
        var chunkGroupInfoLocal = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new VarianceWorkspace(_nb, _groups),
            (k, _, ws) =>
            {
                chunkGroupInfoLocal[k] = new double[groupCount];
                RaterInformation(k, ws, slotInfo, chunkGroupInfoLocal[k]);
                return ws;
            },
            _ => { });
        chunkGroupInfo = chunkGroupInfoLocal;
        return SumPerRater(slotInfo);
    }

    /// <summary>Per rater, the sum of its slots' t_rp, in chunk and slot order (deterministic whatever the threads).</summary>
    private double[] SumPerRater(double[] slotInfo)
    {
        var raterInfo = new double[PersonCount];
        for (var k = 0; k < _slotRater.Length; k++)
        {
            var raters = _slotRater[k];
            var slotBase = _slotBase[k];
            for (var j = 0; j < raters.Length; j++) raterInfo[raters[j]] += slotInfo[slotBase + j];
        }
        return raterInfo;
    }

    /// <summary>The second pass, given the rater information: department and behaviour-mean variances, then every person's.</summary>
    private void Marginal(ChunkStats all, int chunks, int groupCount, double[] raterInfo, double[][] chunkGroupInfo)
    {
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
            () => new VarianceWorkspace(_nb, _groups),
            (k, _, ws) =>
            {
                PrepareSlots(k, 0, _slotRater[k].Length, ws, precision: true);
                for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
                    if (_evidence[s] > 0) PersonMarginalVariance(s, k, ws, null, 0);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RaterInformation<T>(int k, T[] index, VarianceWorkspace ws, double[] slotInfo, double[] groupInfo) where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        var pairBase = _chunkBase[k];
        var weights = _pairWeight[k];
        PrepareSlots(k, 0, _slotRater[k].Length, ws, precision: false);
        ref var chunkSlots = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slotInfo), _slotBase[k]);
        for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
        {
            if (_evidence[s] == 0) continue;
            for (var b = 0; b < nb; b++) ws.N[b] = Widen(_cellWeight[s * nb + b]);
            var pairLo = _personPairStart[s] - pairBase;
            var pairs = _personPairStart[s + 1] - pairBase - pairLo;
            ws.EnsurePairs(pairs);
            WidenWeights(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(weights), pairLo), ref MemoryMarshal.GetArrayDataReference(ws.PairWeight), pairs);
            PersonInformation(s, k, index, ref MemoryMarshal.GetArrayDataReference(ws.PairWeight), ws, ref chunkSlots, groupInfo);
        }
    }

    /// <summary>
    /// Person s's part of the first pass: per slot t_rp into <paramref name="chunkSlots"/> (the chunk's first slot), per
    /// department t_dp added to <paramref name="groupInfo"/>; with the cell weights in ws.N, the person's pair weights at
    /// <paramref name="weight"/> (widened), and the slots' groups prepared (<see cref="PrepareSlots"/>, whole chunk).
    /// Used by the separate pass and by the sweep that takes the information on the way (see Sweep).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PersonInformation<T>(int s, int k, T[] index, ref double weight, VarianceWorkspace ws, ref double chunkSlots, double[] groupInfo)
        where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        // Reciprocals once: a division per slot costs more than the rest of a one-pair slot.
        double invSigma2 = 1.0 / _informationComponents.Noise, invSigma4 = invSigma2 * invSigma2;
        ref var indexRef = ref MemoryMarshal.GetArrayDataReference(index);
        ref var cRef = ref MemoryMarshal.GetArrayDataReference(ws.C);
        ref var pvRef = ref MemoryMarshal.GetArrayDataReference(ws.Pv);
        var grouped = _groups > 0;
        var slotGroup = ws.SlotGroup;
        var pu = ConditionalPosterior(s, ws);
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var shift = PersonShift(_personSlotStart[s + 1] - _personSlotStart[s]);
        var mask = (1u << shift) - 1;
        var pairLo = _personPairStart[s] - _chunkBase[k];
        var pairHi = _personPairStart[s + 1] - _chunkBase[k];
        ref var weightRef = ref Unsafe.Subtract(ref weight, pairLo);
        ws.ResetGroups();
        // Pairs run slot by slot and name each behaviour once per slot: one flat walk, a slot closed when the next begins.
        for (var j = pairLo; j < pairHi;)
        {
            var t = (int)(uint.CreateTruncating(Unsafe.Add(ref indexRef, j)) & mask);
            double n = 0, a = 0, q = 0;
            // The rater's department's per-behaviour weights (a scratch row without departments): no branch per pair.
            // The slot first: adding a group may replace the array.
            var g = grouped ? ws.GroupSlot(slotGroup[slotLo + t], nb) : 0;
            ref var groupRow = ref grouped
                ? ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ws.GroupVectors), g * nb)
                : ref MemoryMarshal.GetArrayDataReference(ws.NoGroup);
            for (; j < pairHi; j++)
            {
                var packed = uint.CreateTruncating(Unsafe.Add(ref indexRef, j));
                if ((packed & mask) != t) break;
                var b = (int)(packed >> shift);
                var w = Unsafe.Add(ref weightRef, j);
                n += w;
                a += Unsafe.Add(ref cRef, b) * w;
                q += Unsafe.Add(ref pvRef, b) * w * w;
                Unsafe.Add(ref groupRow, b) += w;
            }
            Unsafe.Add(ref chunkSlots, slotLo + t) = n * invSigma2 - (q + pu * a * a) * invSigma4;
        }
        for (var i = 0; i < ws.GroupCount; i++)
        {
            double n = 0, a = 0, q = 0;
            for (var b = 0; b < nb; b++)
            {
                var w = ws.GroupVectors[i * nb + b];
                n += w; a += ws.C[b] * w; q += ws.Pv[b] * w * w;
            }
            groupInfo[ws.Groups[i]] += n * invSigma2 - (q + pu * a * a) * invSigma4;
        }
    }

    /// <summary>
    /// Person s's marginal cell and values variances (second pass; also after an incremental update, with the cell
    /// weights in <paramref name="cellWeights"/>, null: the fitted ones).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PersonMarginalVariance(int s, int k, VarianceWorkspace ws, double[]? cellWeights, int preparedFrom)
    {
        var nb = _nb;
        double invSigma2 = 1.0 / NoiseVariance, invTauV2 = 1.0 / _tauV2;
        for (var b = 0; b < nb; b++) ws.N[b] = cellWeights?[b] ?? _cellWeight[s * nb + b];
        var pu = ConditionalPosterior(s, ws);
        // Σθ⁻¹ (the precision of θ = μ + u + v given the rater effects): the prior precision of u·1 + v plus diag(n)/σ².
        var p = ws.Precision;
        var beta = _tauU2 / (_tauV2 * (_tauV2 + nb * _tauU2));
        for (var i = 0; i < nb; i++)
        {
            for (var j = 0; j <= i; j++) p[i * nb + j] = -beta;
            p[i * nb + i] += invTauV2 + ws.N[i] * invSigma2;
        }
        // Minus, per rater, w_r·w_rᵀ/(σ⁴·d_r): its effect integrated out, known from its other ratings with precision
        // Q_r = 1/σb² + T_r − t_rp (this person's own part taken out), so d_r = Q_r + n_rp/σ².
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var shift = PersonShift(_personSlotStart[s + 1] - _personSlotStart[s]);
        var pairLo = _personPairStart[s] - _chunkBase[k];
        var pairHi = _personPairStart[s + 1] - _chunkBase[k];
        ws.ResetGroups();
        if (_pairIndex16[k] is { } index16) SubtractRaters(index16, k, pairLo, pairHi, shift, slotLo - preparedFrom, pu, ws);
        else SubtractRaters(_pairIndex32[k]!, k, pairLo, pairHi, shift, slotLo - preparedFrom, pu, ws);
        if (!Cholesky(p, nb))
        {
            // Not positive definite (only through rounding at extreme weights): keep the conditional variances.
            return;
        }
        // P⁻¹ in full (padded rows): cell variances are its diagonal, the values variance 1ᵀP⁻¹1/nb² = |L⁻¹1|²/nb², and
        // each department's term one product P⁻¹·J_g (rows of P⁻¹ scaled and added, in vectors; no substitutions).
        var stride = ws.Stride;
        InverseFromCholesky(p, nb, ws.LowerInverse, ws.Inverse, stride);
        var baseCell = s * nb;
        ref var lowerInverse = ref MemoryMarshal.GetArrayDataReference(ws.LowerInverse);
        ref var inverse = ref MemoryMarshal.GetArrayDataReference(ws.Inverse);
        double valuesVariance = 0, muMean = 0;
        for (var i = 0; i < nb; i++)
        {
            double row = 0;
            for (var m = 0; m <= i; m++) row += Unsafe.Add(ref lowerInverse, i * stride + m);
            valuesVariance += row * row;
        }
        for (var b = 0; b < nb; b++) muMean += _muVariance[b];
        valuesVariance /= (double)nb * nb;
        valuesVariance += muMean / nb / nb;
        // Departments: a shift δ of department g's effect moves the person's θ by −P⁻¹·J_g·δ.
        ref var extra = ref MemoryMarshal.GetArrayDataReference(ws.Extra);
        ref var solve = ref MemoryMarshal.GetArrayDataReference(ws.Solve);
        ws.Extra.AsSpan().Clear();
        for (var i = 0; i < ws.GroupCount; i++)
        {
            var gv = Vector256.Create(_groupVariance[ws.Groups[i]]);
            CombineRows(ref inverse, stride, ref ws.GroupVectors[i * nb], 1, nb, 1.0, ref solve);
            var sum = Vector256<double>.Zero;
            for (var b = 0; b < stride; b += 4)
            {
                var x = Vector256.LoadUnsafe(ref solve, (nuint)b);
                sum += x;
                (Vector256.LoadUnsafe(ref extra, (nuint)b) + gv * (x * x)).StoreUnsafe(ref extra, (nuint)b);
            }
            var mean = Sum4(sum) / nb;
            valuesVariance += gv.GetElement(0) * mean * mean;
        }
        for (var b = 0; b < nb; b++)
            _variance[baseCell + b] = (float)(Unsafe.Add(ref inverse, b * stride + b) + _muVariance[b] + Unsafe.Add(ref extra, b));
        _valuesVariance[s] = valuesVariance;
    }

    /// <summary>
    /// Per slot of chunk k in [<paramref name="from"/>, <paramref name="to"/>), into the workspace from index 0: its
    /// rater's group and (with <paramref name="precision"/>) 1/σb² + T_r. A tight loop of independent random reads,
    /// which overlap; read in the person loops instead, each waited for in turn behind the branches of the pair walk.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PrepareSlots(int k, int from, int to, VarianceWorkspace ws, bool precision)
    {
        ws.EnsureSlots(to - from);
        var raters = _slotRater[k];
        if (precision)
        {
            var invSigmaB2 = 1.0 / _sigmaB2;
            var information = _raterInformation;
            var slotPrecision = ws.SlotPrecision;
            for (var j = from; j < to; j++) slotPrecision[j - from] = invSigmaB2 + information[raters[j]];
        }
        if (_groups == 0) return;
        var raterGroup = _raterGroup!;
        var slotGroup = ws.SlotGroup;
        for (var j = from; j < to; j++) slotGroup[j - from] = raterGroup[raters[j]];
    }

    /// <summary>
    /// P −= Σ_r w_r·w_rᵀ/(σ⁴·d_r) over the person's raters (lower triangle), and per group the vector J_d; one flat walk
    /// over the pairs, which run slot by slot and name each behaviour once per slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SubtractRaters<T>(T[] index, int k, int pairLo, int pairHi, int shift, int preparedLo, double pu, VarianceWorkspace ws)
        where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        double invSigma2 = 1.0 / NoiseVariance, invSigma4 = invSigma2 * invSigma2, invSigmaB2 = 1.0 / _sigmaB2;
        // The person's own part of T_r with the components T_r was taken with, so that it cancels exactly.
        double ownInvSigma2 = 1.0 / _informationComponents.Noise, ownInvSigma4 = ownInvSigma2 * ownInvSigma2;
        var mask = (1u << shift) - 1;
        var grouped = _groups > 0;
        ref var indexRef = ref MemoryMarshal.GetArrayDataReference(index);
        ref var weightRef = ref MemoryMarshal.GetArrayDataReference(_pairWeight[k]);
        ref var cRef = ref MemoryMarshal.GetArrayDataReference(ws.C);
        ref var pvRef = ref MemoryMarshal.GetArrayDataReference(ws.Pv);
        ref var p = ref MemoryMarshal.GetArrayDataReference(ws.Precision);
        var slotPrecision = ws.SlotPrecision;
        var slotGroup = ws.SlotGroup;
        for (var j = pairLo; j < pairHi;)
        {
            var first = j;
            var t = (int)(uint.CreateTruncating(Unsafe.Add(ref indexRef, j)) & mask);
            double n = 0, a = 0, q = 0;
            for (; j < pairHi; j++)
            {
                var packed = uint.CreateTruncating(Unsafe.Add(ref indexRef, j));
                if ((packed & mask) != t) break;
                var b = (int)(packed >> shift);
                var w = Widen(Unsafe.Add(ref weightRef, j));
                n += w;
                a += Unsafe.Add(ref cRef, b) * w;
                q += Unsafe.Add(ref pvRef, b) * w * w;
            }
            // The same expression as in RaterInformation, so that this person's own part cancels exactly.
            var own = n * ownInvSigma2 - (q + pu * a * a) * ownInvSigma4;
            var others = Math.Max(slotPrecision[preparedLo + t] - own, invSigmaB2);
            var invD = 1.0 / (others + n * invSigma2);
            var scale = invSigma4 * invD;
            for (var x = first; x < j; x++)
            {
                var bx = (int)(uint.CreateTruncating(Unsafe.Add(ref indexRef, x)) >> shift);
                var wx = Widen(Unsafe.Add(ref weightRef, x)) * scale;
                ref var row = ref Unsafe.Add(ref p, bx * nb);
                for (var y = first; y <= x; y++)
                    Unsafe.Add(ref row, (int)(uint.CreateTruncating(Unsafe.Add(ref indexRef, y)) >> shift)) -= wx * Widen(Unsafe.Add(ref weightRef, y));
            }
            if (!grouped) continue;
            var g = ws.GroupSlot(slotGroup[preparedLo + t], nb);
            ref var groupRow = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ws.GroupVectors), g * nb);
            var factor = others * invSigma2 * invD;
            for (var x = first; x < j; x++)
                Unsafe.Add(ref groupRow, (int)(uint.CreateTruncating(Unsafe.Add(ref indexRef, x)) >> shift)) += Widen(Unsafe.Add(ref weightRef, x)) * factor;
        }
    }

    /// <summary>
    /// P⁻¹ in full from the Cholesky factor L of P (lower triangle of <paramref name="l"/>, rows of n): first L⁻¹ into
    /// <paramref name="lowerInverse"/> by forward substitution (one reciprocal per row), then P⁻¹ = L⁻ᵀ·L⁻¹ as the sum of
    /// the outer products of L⁻¹'s rows, in 4-lane vectors. Both outputs have rows of <paramref name="stride"/> (n rounded
    /// up to a multiple of 4); the upper part and the padding of <paramref name="lowerInverse"/> must be zero (they are
    /// never written).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InverseFromCholesky(double[] l, int n, double[] lowerInverse, double[] inverse, int stride)
    {
        if (stride < ((n + 3) & ~3) || lowerInverse.Length < n * stride || inverse.Length < n * stride || l.Length < n * n)
            throw new ArgumentException("matrices too small for n and stride");
        ref var lower = ref MemoryMarshal.GetArrayDataReference(l);
        ref var x = ref MemoryMarshal.GetArrayDataReference(lowerInverse);
        // Row i of L⁻¹ = −(Σ_{m<i} L[i][m]·row m of L⁻¹) / L[i][i], then its diagonal 1/L[i][i]: rows m < i are zero
        // beyond m, so the combination is zero from i on.
        for (var i = 0; i < n; i++)
        {
            var reciprocal = 1.0 / Unsafe.Add(ref lower, i * n + i);
            ref var row = ref Unsafe.Add(ref x, i * stride);
            CombineRows(ref x, stride, ref Unsafe.Add(ref lower, i * n), 1, i, -reciprocal, ref row);
            Unsafe.Add(ref row, i) = reciprocal;
        }
        // Row i of P⁻¹ = Σ_{m≥i} L⁻¹[m][i]·row m of L⁻¹ (L⁻¹[m][i] = 0 for m < i).
        ref var full = ref MemoryMarshal.GetArrayDataReference(inverse);
        for (var i = 0; i < n; i++)
            CombineRows(ref Unsafe.Add(ref x, i * stride), stride, ref Unsafe.Add(ref x, i * stride + i), stride, n - i, 1.0, ref Unsafe.Add(ref full, i * stride));
    }

    /// <summary>
    /// result = factor · Σ_{m&lt;count} coefficient[m·coefficientStride] · row m of <paramref name="rows"/> (rows of
    /// <paramref name="stride"/>, a multiple of 4). Up to 16 columns the sums stay in registers (four vectors) instead of
    /// going through memory each time, which would chain every row's adds to the last through store forwarding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CombineRows(ref double rows, int stride, ref double coefficient, int coefficientStride, int count, double factor, ref double result)
    {
        if (stride <= 16)
        {
            var vectors = stride >> 2;
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            for (var m = 0; m < count; m++)
            {
                var c = Vector256.Create(Unsafe.Add(ref coefficient, m * coefficientStride));
                ref var row = ref Unsafe.Add(ref rows, m * stride);
                s0 += c * Vector256.LoadUnsafe(ref row);
                if (vectors > 1) s1 += c * Vector256.LoadUnsafe(ref row, 4);
                if (vectors > 2) s2 += c * Vector256.LoadUnsafe(ref row, 8);
                if (vectors > 3) s3 += c * Vector256.LoadUnsafe(ref row, 12);
            }
            var f = Vector256.Create(factor);
            (f * s0).StoreUnsafe(ref result);
            if (vectors > 1) (f * s1).StoreUnsafe(ref result, 4);
            if (vectors > 2) (f * s2).StoreUnsafe(ref result, 8);
            if (vectors > 3) (f * s3).StoreUnsafe(ref result, 12);
            return;
        }
        for (var j = 0; j < stride; j += 4)
        {
            var sum = Vector256<double>.Zero;
            for (var m = 0; m < count; m++)
                sum += Vector256.Create(Unsafe.Add(ref coefficient, m * coefficientStride)) * Vector256.LoadUnsafe(ref rows, (nuint)(m * stride + j));
            (Vector256.Create(factor) * sum).StoreUnsafe(ref result, (nuint)j);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool Cholesky(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var d = a[j * n + j];
            for (var m = 0; m < j; m++) d -= a[j * n + m] * a[j * n + m];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            var reciprocal = 1.0 / d;
            for (var i = j + 1; i < n; i++)
            {
                var v = a[i * n + j];
                for (var m = 0; m < j; m++) v -= a[i * n + m] * a[j * n + m];
                a[i * n + j] = v * reciprocal;
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
