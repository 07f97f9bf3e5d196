using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Trellis.Core.Readiness;

// The fit: backfitting sweeps over the pairs with Anderson acceleration, the closed-form person solve, the rater step and the EM updates of the variance components.
public sealed partial class ReadinessModel
{
    // ---- sweep ----

    private void Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Collapse();
        CollapseTime = clock.Elapsed;
        InitialComponents();
        var chunkStats = new ChunkStats[_pairWeight.Length];
        for (var k = 0; k < chunkStats.Length; k++) chunkStats[k] = new ChunkStats(_nb);
        var acc = new long[PersonCount];
        // The fixed-point state that is accelerated: rater effects, behaviour means and the (log) variance components.
        var stateSize = PersonCount + _nb + Components;
        var accelerator = new AndersonAcceleration(stateSize, AccelerationDepth);
        var state = new double[stateSize];
        var image = new double[stateSize];
        var plainComponents = new double[Components];
        double previousTauG = 0, previousSigma2 = 0, previousTauU = 0, previousTauV = 0, previousSigmaB = 0;
        var maxIterations = Math.Max(1, Options.MaxIterations);
        ChunkStats? last = null;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            Iterations = iteration;
            SaveState(state);
            var all = last = Sweep(chunkStats, acc);
            UpdateSubjectComponents(all);
            var maxDelta = RaterStep(acc, all);
            // The behaviour means count too: a person without evidence sits at them.
            for (var b = 0; b < _nb; b++) maxDelta = Math.Max(maxDelta, Math.Abs(_mu[b] - state[PersonCount + b]));
            var stable = Relative(previousTauG, _tauG2) && Relative(previousSigma2, _sigma2) && Relative(previousTauU, _tauU2) && Relative(previousTauV, _tauV2) && Relative(previousSigmaB, _sigmaB2);
            previousTauG = _tauG2; previousSigma2 = _sigma2; previousTauU = _tauU2; previousTauV = _tauV2; previousSigmaB = _sigmaB2;
            LastRaterChange = maxDelta;
            // Converged: keep this plain step, whose rater effects are the ridge means given the persons just solved.
            // The raters' shares of information (see TakeRaterShares) are taken once, after a fixed number of sweeps,
            // when the components have roughly settled: they depend on the design and the components, not on the
            // effects. Taken at a fixed sweep, every tolerance reaches the same fixed point.
            if (iteration == ShareStart)
            {
                // The next sweep takes the raters' information on its way over the pairs, with these components.
                _informationComponents = (NoiseVariance, _tauU2, _tauV2);
                _informationSweep = true;
                accelerator.Reset();
            }
            // Converged: keep this plain step, whose rater effects are the ridge means given the persons just solved.
            else if (iteration > ShareStart && maxDelta < Options.ConvergenceTolerance && stable) { Converged = true; break; }
            // One plain backfitting step gave image = F(state); the accelerated next state mixes the last few.
            SaveState(image);
            var c0 = PersonCount + _nb;
            Array.Copy(image, c0, plainComponents, 0, Components);
            accelerator.Step(state, image);
            // Near a zero component (no such variation in the data) extrapolating it can run away: the accelerated
            // components stay within a factor of two of their plain EM step, and a clamped step restarts the history.
            var clamped = false;
            for (var c = 0; c < Components; c++)
            {
                var limited = Math.Clamp(image[c0 + c], plainComponents[c] - MaxComponentLogStep, plainComponents[c] + MaxComponentLogStep);
                if (limited != image[c0 + c]) { image[c0 + c] = limited; clamped = true; }
            }
            if (clamped) accelerator.Reset();
            LoadState(image);
        }
        // The person estimates are those of the last sweep: given rater effects and components that moved by less than
        // the tolerance in that sweep, so a further pass over the pairs would change them by less than that too.
        SweepTime = clock.Elapsed - CollapseTime;
        MarginalVariances(last!);
        _workspaces.Clear();
        VarianceTime = clock.Elapsed - CollapseTime - SweepTime;
    }

    /// <summary>Per rater: the share of its information about its effect that is left once the rated people's levels are integrated out (T_r·σ²/n_r); null before it is taken.</summary>
    private double[]? _raterShare;
    /// <summary>The sweep after which the shares are taken: the variance components have roughly settled by then (later costs sweeps, see docs/readiness.md).</summary>
    private const int ShareStart = 2;

    /// <summary>Whether the next sweep takes the raters' information (T_r, t_dp) on its way, for <see cref="TakeRaterShares"/>.</summary>
    private bool _informationSweep;

    /// <summary>
    /// The EM update of σb² counts each rater's degrees of freedom from what its ratings say about its effect once the
    /// rated people's levels are integrated out (T_r of the variance pass), not given them. Given them, a rater whose
    /// people are rated by nobody else (ratings from managers only) looks certain, σb² collapses towards zero and the
    /// intervals leave the raters' uncertainty out. Called after the sweep that took T_r.
    /// </summary>
    private void TakeRaterShares()
    {
        var info = _raterInformation;
        var noise = _informationComponents.Noise;
        var share = new double[PersonCount];
        for (var r = 0; r < PersonCount; r++)
            if (_raterRatings[r] > 0 && _raterN[r] > 0) share[r] = Math.Clamp(info[r] * noise / _raterN[r], 0, 1);
        _raterShare = share;
    }

    private void SaveState(double[] x)
    {
        _leniency.CopyTo(x, 0);
        _mu.CopyTo(x, PersonCount);
        var c = PersonCount + _nb;
        // Logs keep the components positive whatever the mixing does.
        x[c] = Math.Log(_sigma2); x[c + 1] = Math.Log(_tauU2); x[c + 2] = Math.Log(_tauV2);
        x[c + 3] = Math.Log(_sigmaB2); x[c + 4] = Math.Log(_tauG2);
    }

    private void LoadState(double[] x)
    {
        Array.Copy(x, 0, _leniency, 0, PersonCount);
        Array.Copy(x, PersonCount, _mu, 0, _nb);
        var c = PersonCount + _nb;
        _sigma2 = Math.Max(Math.Exp(x[c]), 0.01); _tauU2 = Math.Max(Math.Exp(x[c + 1]), VarianceFloor); _tauV2 = Math.Max(Math.Exp(x[c + 2]), VarianceFloor);
        _sigmaB2 = Math.Max(Math.Exp(x[c + 3]), VarianceFloor); _tauG2 = Math.Max(Math.Exp(x[c + 4]), VarianceFloor);
    }

    private static bool Relative(double before, double after) => Math.Abs(after - before) <= 1e-3 * Math.Max(after, VarianceFloor);

    /// <summary>Per-thread scratch for one person: cell weight, rater-corrected mean, Σw·b and the fitted scores.</summary>
    private sealed class Workspace(int behaviors, int persons)
    {
        /// <summary>Per cell of the current person: Σw, the rater-corrected Σw·(y − b), the fitted θ̂, and the solve's k, 1/(n + σ²/τv²) and posterior variance.</summary>
        public readonly double[] N = new double[behaviors], Resid = new double[behaviors], Theta = new double[behaviors],
            K = new double[behaviors], InvDen = new double[behaviors], Pv = new double[behaviors];
        /// <summary>This thread's Σw·θ̂ per rater (exact fixed point, so the total does not depend on the threads).</summary>
        public readonly long[] Acc = new long[persons];
        /// <summary>Per slot of the current person (general path): its rater's effect, then its Σw·θ̂.</summary>
        public double[] Local = new double[256];
        /// <summary>Four banks of Σw·θ̂ per slot (see <see cref="ScatterPairs{T}"/>).</summary>
        public double[] SlotBanks = new double[4 * 256];
        /// <summary>Four banks of Σw·b per behaviour: consecutive pairs add into different banks, so no add waits for the last.</summary>
        public readonly double[] CellBanks = new double[4 * behaviors];
        /// <summary>The current person's pair weights widened to double once for both loops (see <see cref="WidenWeights"/>).</summary>
        public double[] PairWeight = new double[1024];
        /// <summary>One value per slot of the chunk being swept: its rater's effect before a person's gather, its Σw·θ̂ after the scatter.</summary>
        public double[] SlotValues = [];
        /// <summary>In the sweep that takes the raters' information: its scratch, the chunk's t_rp per slot, and this thread's T_r per rater (exact fixed point).</summary>
        public VarianceWorkspace? Information;
        public double[] SlotInformation = [];
        public long[]? InformationTotals;

        public void EnsurePairs(int pairs)
        {
            if (pairs > PairWeight.Length) PairWeight = new double[Math.Max(pairs, PairWeight.Length * 2)];
        }

        public void EnsureSlots(int slots)
        {
            if (slots <= Local.Length) return;
            var size = Math.Max(slots, Local.Length * 2);
            Local = new double[size];
            SlotBanks = new double[4 * size];
        }
    }

    private sealed class ChunkStats(int behaviors)
    {
        public readonly double[] MuNum = new double[behaviors], MuDen = new double[behaviors];
        /// <summary>Σ d·pu/τu² per behaviour (d = k/τv², a cell's precision for μ): the μ normal matrix times 1, for the common shift of μ (see <see cref="UpdateSubjectComponents"/>).</summary>
        public readonly double[] MuShift = new double[behaviors];
        public double SumU2, SumV2, CellDf, PersonDf;
        /// <summary>Σ k²·pu/τv² over cells: the part of the cell effects' posterior variance that comes from the person effect u.</summary>
        public double CellShared;
        /// <summary>Σ k·(1 − k)·pu/τv² over cells: the person effect's share of the fitted cells' degrees of freedom.</summary>
        public double PersonShare;
        public long Persons, Cells;
        // For the residual sum of squares: Σ θ·Σwy, Σ N·θ², Σ θ·Σwb over cells.
        public double ThetaResid, NTheta2;

        public void Clear()
        {
            Array.Clear(MuNum); Array.Clear(MuDen); Array.Clear(MuShift);
            SumU2 = SumV2 = CellDf = PersonDf = CellShared = PersonShare = ThetaResid = NTheta2 = 0;
            Persons = Cells = 0;
        }

        public void Add(ChunkStats o)
        {
            for (var b = 0; b < MuNum.Length; b++) { MuNum[b] += o.MuNum[b]; MuDen[b] += o.MuDen[b]; MuShift[b] += o.MuShift[b]; }
            SumU2 += o.SumU2; SumV2 += o.SumV2; CellDf += o.CellDf; CellShared += o.CellShared; PersonShare += o.PersonShare; PersonDf += o.PersonDf; Persons += o.Persons; Cells += o.Cells;
            ThetaResid += o.ThetaResid; NTheta2 += o.NTheta2;
        }
    }

    /// <summary>
    /// One pass over the pairs: for each person, gather the rater effects of its cells, solve its nested posterior
    /// and add Σw·θ̂ of its cells to each rater's total in <paramref name="acc"/>.
    /// </summary>
    private ChunkStats Sweep(ChunkStats[] chunkStats, long[] acc)
    {
        PairPasses++;
        Array.Clear(acc);
        var sharedLock = new object();
        var information = _informationSweep ? new double[_pairWeight.Length][] : null;
        var informationTotals = information is null ? null : new long[PersonCount];
        Parallel.For(0, chunkStats.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => _workspaces.TryTake(out var ws) ? ws : new Workspace(_nb, PersonCount),
            (k, _, ws) =>
            {
                SweepChunk(k, chunkStats[k], ws, information);
                return ws;
            },
            ws =>
            {
                // Exact integer sums: the total does not depend on which thread did which chunk.
                lock (sharedLock)
                {
                    for (var r = 0; r < acc.Length; r++) acc[r] += ws.Acc[r];
                    if (ws.InformationTotals is { } totals)
                        for (var r = 0; r < totals.Length; r++) informationTotals![r] += totals[r];
                }
                Array.Clear(ws.Acc);
                ws.InformationTotals = null;
                _workspaces.Add(ws);
            });
        if (information is not null)
        {
            _raterInformation = new double[PersonCount];
            for (var r = 0; r < PersonCount; r++) _raterInformation[r] = informationTotals![r] * InvScale;
            _shareGroupInfo = information;
            _informationSweep = false;
            TakeRaterShares();
        }
        var all = new ChunkStats(_nb);
        foreach (var c in chunkStats) all.Add(c); // chunk order: deterministic whatever the thread count
        // Degrees of freedom the persons' fit takes from σ²: the trace of the fitted cells' hat matrix, Σ n·∂θ̂/∂(Σw·y) =
        // Σ k + Σ k·(1 − k)·pu/τv² — the cell effects' share and the person effect's (one per person when cells are thin).
        _cellDf = all.CellDf + all.PersonShare;
        return all;
    }

    /// <summary>The sweep over one chunk of persons (see <see cref="Sweep"/>). Sweeps run only while fitting, before any
    /// incremental update, so they read the pairs alone.</summary>
    private void SweepChunk(int k, ChunkStats stats, Workspace ws, double[][]? information)
    {
        stats.Clear();
        if (information is not null) information[k] = new double[Math.Max(_groups, 1)];
        if (_pairIndex16[k] is { } index) SweepChunk(k, index, stats, ws, information?[k]);
        else SweepChunk(k, _pairIndex32[k]!, stats, ws, information?[k]);
    }

    /// <summary>
    /// The chunk's rater effects are first copied into its slots in one tight loop (random reads, but independent
    /// ones, so they overlap), the persons then read them in order, the scatter leaves each slot's Σw·θ̂ in its place,
    /// and a last tight loop adds those to the raters' totals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepChunk<T>(int k, T[] index, ChunkStats stats, Workspace ws, double[]? groupInformation) where T : unmanaged, IBinaryInteger<T>
    {
        var raters = _slotRater[k];
        var slotBase = _slotBase[k];
        // The chunk's slots only: a buffer per thread that stays in cache, not one for every slot of the model.
        if (ws.SlotValues.Length < raters.Length) ws.SlotValues = GC.AllocateUninitializedArray<double>(Math.Max(raters.Length, 2 * ws.SlotValues.Length));
        ref var values = ref MemoryMarshal.GetArrayDataReference(ws.SlotValues);
        var leniency = _leniency;
        for (var j = 0; j < raters.Length; j++) Unsafe.Add(ref values, j) = leniency[raters[j]];
        // Taking the raters' information here rather than in a pass of its own: each person's pairs and weights are
        // still in cache from the gather and the scatter.
        VarianceWorkspace? information = null;
        if (groupInformation is not null)
        {
            information = ws.Information ??= new VarianceWorkspace(_nb, _groups);
            PrepareSlots(k, 0, raters.Length, information, precision: false);
            if (ws.SlotInformation.Length < raters.Length) ws.SlotInformation = new double[Math.Max(raters.Length, 2 * ws.SlotInformation.Length)];
        }
        for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
        {
            if (_evidence[s] == 0) { SolveSubject(s, null, stats); continue; }
            ref var local = ref Unsafe.Add(ref values, _personSlotStart[s] - slotBase);
            GatherCells(s, k, index, ws, ref local);
            SolveCells(s, ws, stats);
            Scatter(s, k, index, ws, stats, ref local);
            if (information is null) continue;
            ws.N.CopyTo(information.N, 0);
            PersonInformation(s, k, index, ref MemoryMarshal.GetArrayDataReference(ws.PairWeight), information,
                ref MemoryMarshal.GetArrayDataReference(ws.SlotInformation), groupInformation!);
        }
        var acc = ws.Acc;
        for (var j = 0; j < raters.Length; j++) acc[raters[j]] += double.ConvertToIntegerNative<long>(Unsafe.Add(ref values, j) * Scale);
        if (information is null) return;
        // T_r in exact fixed point, as the Σw·θ̂ above: the total does not depend on which thread took which chunk.
        var informationTotals = ws.InformationTotals ??= new long[PersonCount];
        for (var j = 0; j < raters.Length; j++) informationTotals[raters[j]] += double.ConvertToIntegerNative<long>(ws.SlotInformation[j] * Scale);
    }

    /// <summary>Σw·θ̂ of the subject's cells per slot, written to <paramref name="slotTotals"/>; and the residual statistics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private void Scatter<T>(int s, int k, T[] index, Workspace ws, ChunkStats stats, ref double slotTotals) where T : unmanaged, IBinaryInteger<T>
    {
        var slots = _personSlotStart[s + 1] - _personSlotStart[s];
        ws.EnsureSlots(slots);
        var banks = ws.SlotBanks;
        banks.AsSpan(0, 4 * slots).Clear();
        // Local sums, added to the chunk's once: a += on an object's field each cell would chain every add to the last.
        // Cells without evidence have n = 0 and Resid = 0, so they add nothing: no branch needed.
        var nb = _nb;
        ref var nRef = ref MemoryMarshal.GetArrayDataReference(ws.N);
        ref var residRef = ref MemoryMarshal.GetArrayDataReference(ws.Resid);
        ref var thetaRef = ref MemoryMarshal.GetArrayDataReference(ws.Theta);
        var thetaResid4 = Vector256<double>.Zero;
        var nTheta24 = Vector256<double>.Zero;
        var b = 0;
        for (; b + 4 <= nb; b += 4)
        {
            var theta = Vector256.LoadUnsafe(ref thetaRef, (nuint)b);
            thetaResid4 += theta * Vector256.LoadUnsafe(ref residRef, (nuint)b);
            nTheta24 += Vector256.LoadUnsafe(ref nRef, (nuint)b) * theta * theta;
        }
        double thetaResid = Sum4(thetaResid4), nTheta2 = Sum4(nTheta24);
        for (; b < nb; b++)
        {
            var theta = ws.Theta[b];
            thetaResid += theta * ws.Resid[b];
            nTheta2 += ws.N[b] * theta * theta;
        }
        stats.ThetaResid += thetaResid;
        stats.NTheta2 += nTheta2;
        // ws.PairWeight still holds this person's weights from the gather.
        var lo = _personPairStart[s] - _chunkBase[k];
        ScatterPairs(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(index), lo), ref MemoryMarshal.GetArrayDataReference(ws.PairWeight),
            _personPairStart[s + 1] - _chunkBase[k] - lo, PersonShift(slots), ref MemoryMarshal.GetArrayDataReference(ws.Theta),
            ref MemoryMarshal.GetArrayDataReference(banks), slots);
        ref var bank = ref MemoryMarshal.GetArrayDataReference(banks);
        var t = 0;
        for (; t + 4 <= slots; t += 4)
        {
            var total = (Vector256.LoadUnsafe(ref bank, (nuint)t) + Vector256.LoadUnsafe(ref bank, (nuint)(slots + t)))
                        + (Vector256.LoadUnsafe(ref bank, (nuint)(2 * slots + t)) + Vector256.LoadUnsafe(ref bank, (nuint)(3 * slots + t)));
            total.StoreUnsafe(ref slotTotals, (nuint)t);
        }
        for (; t < slots; t++)
            Unsafe.Add(ref slotTotals, t) = (banks[t] + banks[slots + t]) + (banks[2 * slots + t] + banks[3 * slots + t]);
    }

    /// <summary>Σw and Σw·b[rater] of the subject's cells from its pairs (plus added observations).</summary>
    private void Gather(int s, int k, Workspace ws)
    {
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var slots = _personSlotStart[s + 1] - _slotBase[k] - slotLo;
        ws.EnsureSlots(slots);
        var raters = _slotRater[k];
        for (var t = 0; t < slots; t++) ws.Local[t] = _leniency[raters[slotLo + t]];
        if (_pairIndex16[k] is { } index16) GatherCells(s, k, index16, ws, ref MemoryMarshal.GetArrayDataReference(ws.Local));
        else GatherCells(s, k, _pairIndex32[k]!, ws, ref MemoryMarshal.GetArrayDataReference(ws.Local));
        if (_added.Count == 0) return;
        var cellBase = s * _nb;
        for (var b = 0; b < _nb; b++)
        {
            if (!_added.TryGetValue(cellBase + b, out var a)) continue;
            ws.N[b] += a.N;
            ws.Resid[b] += a.Sy - a.Sb;
        }
    }

    /// <summary>Per cell of the subject: Σw and Σw·(y − b) from its pairs, with its raters' effects (by slot) at <paramref name="local"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private void GatherCells<T>(int s, int k, T[] index, Workspace ws, ref double local) where T : unmanaged, IBinaryInteger<T>
    {
        var nb = _nb;
        var banks = ws.CellBanks;
        banks.AsSpan().Clear();
        var baseIndex = _chunkBase[k];
        var lo = _personPairStart[s] - baseIndex;
        var pairs = _personPairStart[s + 1] - baseIndex - lo;
        ws.EnsurePairs(pairs);
        WidenWeights(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pairWeight[k]), lo), ref MemoryMarshal.GetArrayDataReference(ws.PairWeight), pairs);
        GatherPairs(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(index), lo), ref MemoryMarshal.GetArrayDataReference(ws.PairWeight),
            pairs, PersonShift(_personSlotStart[s + 1] - _personSlotStart[s]), ref local, ref MemoryMarshal.GetArrayDataReference(banks), nb);
        var cellBase = s * nb;
        ref var bank = ref MemoryMarshal.GetArrayDataReference(banks);
        ref var weight = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cellWeight), cellBase);
        ref var mean = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cellMean), cellBase);
        var b = 0;
        // Four cells at a time (every operation is the same per lane as in the scalar tail, so results do not depend on it).
        for (; b + 4 <= nb; b += 4)
        {
            var n = Widen4(ref Unsafe.Add(ref weight, b));
            var sb = (Vector256.LoadUnsafe(ref bank, (nuint)b) + Vector256.LoadUnsafe(ref bank, (nuint)(nb + b)))
                     + (Vector256.LoadUnsafe(ref bank, (nuint)(2 * nb + b)) + Vector256.LoadUnsafe(ref bank, (nuint)(3 * nb + b)));
            n.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(ws.N), (nuint)b);
            (n * Widen4(ref Unsafe.Add(ref mean, b)) - sb).StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(ws.Resid), (nuint)b);
        }
        for (; b < nb; b++)
        {
            var n = Widen(Unsafe.Add(ref weight, b));
            var sb = (banks[b] + banks[nb + b]) + (banks[2 * nb + b] + banks[3 * nb + b]);
            ws.N[b] = n;
            ws.Resid[b] = n * Widen(Unsafe.Add(ref mean, b)) - sb;
        }
    }

    /// <summary>
    /// The person's nested posterior given the rater effects (<paramref name="ws"/> null: no evidence); its statistics
    /// for the variance components go to <paramref name="stats"/> (null: an incremental update, which keeps none).
    /// </summary>
    private void SolveSubject(int s, Workspace? ws, ChunkStats? stats)
    {
        if (ws is not null)
        {
            if (stats is null) (_addStats ??= new ChunkStats(_nb)).Clear();
            SolveCells(s, ws, stats ?? _addStats!);
            return;
        }
        // No evidence: u = 0 and every v = 0, so each behaviour sits at its mean with the prior variances.
        var nb = _nb;
        var baseCell = s * nb;
        var variance = (float)(_tauU2 + _tauV2);
        double sum = 0;
        for (var b = 0; b < nb; b++)
        {
            _score[baseCell + b] = (float)_mu[b];
            _variance[baseCell + b] = variance;
            sum += _mu[b];
        }
        _values[s] = sum / nb;
        _valuesVariance[s] = _tauU2 + _tauV2 / nb;
    }

    /// <summary>
    /// <see cref="SolveSubject"/> for a person with evidence, four cells at a time. Without branches per cell: a cell
    /// without evidence has n = 0 and Resid = 0, so k = 0, v = 0 and its posterior variance is τv², exactly as
    /// the general formulas give.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private void SolveCells(int s, Workspace ws, ChunkStats stats)
    {
        var nb = _nb;
        var baseCell = s * nb;
        double sigma2 = _sigma2, tauV2 = _tauV2, ratio = sigma2 / tauV2, invTauV2 = 1.0 / tauV2;
        ref var nRef = ref MemoryMarshal.GetArrayDataReference(ws.N);
        ref var residRef = ref MemoryMarshal.GetArrayDataReference(ws.Resid);
        ref var kRef = ref MemoryMarshal.GetArrayDataReference(ws.K);
        ref var invDenRef = ref MemoryMarshal.GetArrayDataReference(ws.InvDen);
        ref var pvRef = ref MemoryMarshal.GetArrayDataReference(ws.Pv);
        ref var thetaRef = ref MemoryMarshal.GetArrayDataReference(ws.Theta);
        ref var muRef = ref MemoryMarshal.GetArrayDataReference(_mu);
        ref var muNumRef = ref MemoryMarshal.GetArrayDataReference(stats.MuNum);
        ref var muDenRef = ref MemoryMarshal.GetArrayDataReference(stats.MuDen);
        ref var muShiftRef = ref MemoryMarshal.GetArrayDataReference(stats.MuShift);
        ref var scoreRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_score), baseCell);
        ref var varianceRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_variance), baseCell);

        // Per cell one division: k = n/(n + σ²/τv²), the posterior variance of v given u, σ²/(n + σ²/τv²), and the
        // cell's precision for u, k/τv²; with ȳ = Resid/n the terms k·(ȳ − μ) are 1/(n + σ²/τv²)·(Resid − n·μ).
        var ratio4 = Vector256.Create(ratio);
        var sigma24 = Vector256.Create(sigma2);
        var invTauV24 = Vector256.Create(invTauV2);
        var precision4 = Vector256<double>.Zero;
        var numerator4 = Vector256<double>.Zero;
        var cells = 0;
        var b = 0;
        for (; b + 4 <= nb; b += 4)
        {
            var n = Vector256.LoadUnsafe(ref nRef, (nuint)b);
            var invDen = Vector256<double>.One / (n + ratio4);
            var k = n * invDen;
            k.StoreUnsafe(ref kRef, (nuint)b);
            invDen.StoreUnsafe(ref invDenRef, (nuint)b);
            (sigma24 * invDen).StoreUnsafe(ref pvRef, (nuint)b);
            precision4 += k * invTauV24;
            numerator4 += invDen * invTauV24 * (Vector256.LoadUnsafe(ref residRef, (nuint)b) - n * Vector256.LoadUnsafe(ref muRef, (nuint)b));
            cells += BitOperations.PopCount(Vector256.GreaterThan(n, Vector256<double>.Zero).ExtractMostSignificantBits());
        }
        double precision = 1.0 / _tauU2 + Sum4(precision4), numerator = Sum4(numerator4);
        var vectorEnd = b;
        for (; b < nb; b++)
        {
            var n = ws.N[b];
            var invDen = 1.0 / (n + ratio);
            var k = n * invDen;
            ws.K[b] = k;
            ws.InvDen[b] = invDen;
            ws.Pv[b] = sigma2 * invDen;
            precision += k * invTauV2;
            numerator += invDen * invTauV2 * (ws.Resid[b] - n * _mu[b]);
            if (n > 0) cells++;
        }
        var u = numerator / precision;
        var pu = 1.0 / precision;

        var u4 = Vector256.Create(u);
        var pu4 = Vector256.Create(pu);
        var shift = invTauV2 * pu / _tauU2;
        var shift4 = Vector256.Create(shift);
        Vector256<double> sum4 = default, sumK4 = default, sumK24 = default, sumPv4 = default, sumV24 = default;
        for (b = 0; b < vectorEnd; b += 4)
        {
            var n = Vector256.LoadUnsafe(ref nRef, (nuint)b);
            var resid = Vector256.LoadUnsafe(ref residRef, (nuint)b);
            var invDen = Vector256.LoadUnsafe(ref invDenRef, (nuint)b);
            var k = Vector256.LoadUnsafe(ref kRef, (nuint)b);
            var pv = Vector256.LoadUnsafe(ref pvRef, (nuint)b);
            var mu = Vector256.LoadUnsafe(ref muRef, (nuint)b);
            var v = invDen * (resid - n * (mu + u4));
            var theta = mu + u4 + v;
            theta.StoreUnsafe(ref thetaRef, (nuint)b);
            Narrow4(theta, ref Unsafe.Add(ref scoreRef, b));
            var oneMinusK = Vector256<double>.One - k;
            Narrow4(oneMinusK * oneMinusK * pu4 + pv, ref Unsafe.Add(ref varianceRef, b));
            (Vector256.LoadUnsafe(ref muNumRef, (nuint)b) + invDen * invTauV24 * (resid - n * u4)).StoreUnsafe(ref muNumRef, (nuint)b);
            (Vector256.LoadUnsafe(ref muDenRef, (nuint)b) + k * invTauV24).StoreUnsafe(ref muDenRef, (nuint)b);
            (Vector256.LoadUnsafe(ref muShiftRef, (nuint)b) + k * shift4).StoreUnsafe(ref muShiftRef, (nuint)b);
            sumV24 += v * v;
            sum4 += theta;
            sumK4 += k;
            sumK24 += k * k;
            sumPv4 += pv;
        }
        double sum = Sum4(sum4), sumK = Sum4(sumK4), sumK2 = Sum4(sumK24), sumPv = Sum4(sumPv4), sumV2 = Sum4(sumV24);
        for (; b < nb; b++)
        {
            var n = ws.N[b];
            var resid = ws.Resid[b];
            var invDen = ws.InvDen[b];
            var k = ws.K[b];
            var pv = ws.Pv[b];
            var v = invDen * (resid - n * (_mu[b] + u));
            var theta = _mu[b] + u + v;
            ws.Theta[b] = theta;
            Unsafe.Add(ref scoreRef, b) = (float)theta;
            var oneMinusK = 1 - k;
            Unsafe.Add(ref varianceRef, b) = (float)(oneMinusK * oneMinusK * pu + pv);
            stats.MuNum[b] += invDen * invTauV2 * (resid - n * u);
            stats.MuDen[b] += k * invTauV2;
            stats.MuShift[b] += k * shift;
            sumV2 += v * v;
            sum += theta;
            sumK += k;
            sumK2 += k * k;
            sumPv += pv;
        }
        _values[s] = sum / nb;
        var kbar = sumK / nb;
        _valuesVariance[s] = (1 - kbar) * (1 - kbar) * pu + sumPv / ((double)nb * nb);
        if (cells == 0) return;
        // Cells without evidence add nothing to these (k = 0, v = 0).
        stats.SumV2 += sumV2;
        stats.Cells += cells;
        stats.CellDf += sumK;
        stats.CellShared += sumK2 * pu * invTauV2;
        stats.PersonShare += (sumK - sumK2) * pu * invTauV2;
        stats.SumU2 += u * u;
        stats.PersonDf += 1 - pu / _tauU2;
        stats.Persons++;
    }

    /// <summary>
    /// Updates of μ, τu², τv² from a sweep's person statistics. μ: the EM step μ_b = Σ d·(ȳ − u)/Σ d (d = k/τv²) plus
    /// the exact solve along μ's slow direction. Given the rater effects, μ solves the generalised least squares
    /// equations A·μ = r with u and v integrated out, A = Σ_persons (diag(d) − pu·d·dᵀ); the EM step uses diag(A) only,
    /// and a common shift of every μ_b (traded against every person's u) then shrinks by only about pu/τu² per sweep —
    /// for well-rated people a few percent, so it lingered for dozens of sweeps, moving the scores of people with little
    /// evidence by up to 10⁻³ after the rater effects had settled. That one direction is solved exactly: μ = μ_EM + c·1
    /// with c minimising the GLS objective, from A·1 = Σ d·pu/τu² (accumulated per person) alone. At the fixed point
    /// c = 0 and μ_EM = μ, so the fixed point is the same; only the path is shorter.
    /// </summary>
    private void UpdateSubjectComponents(ChunkStats all)
    {
        // 1ᵀr = 1ᵀ(MuNum − M·μ_old) with M·1 = MuDen − A·1 (the EM numerator includes M·μ_old through û); c = (1ᵀr − (A·1)ᵀμ_EM) / 1ᵀA·1.
        double sumShift = 0, oneR = 0, shiftMu = 0;
        for (var b = 0; b < _nb; b++)
        {
            if (!(all.MuDen[b] > 0)) continue;
            var em = all.MuNum[b] / all.MuDen[b];
            sumShift += all.MuShift[b];
            oneR += all.MuNum[b] - (all.MuDen[b] - all.MuShift[b]) * _mu[b];
            shiftMu += all.MuShift[b] * em;
            _mu[b] = em;
        }
        var common = sumShift > 0 ? (oneR - shiftMu) / sumShift : 0;
        for (var b = 0; b < _nb; b++)
            if (all.MuDen[b] > 0) _mu[b] += common;
        _tauU2 = Component(all.SumU2, all.PersonDf, InitialTauU2);
        // The EM fixed point of τv²: Σ v̂² = Σ (τv² − Var(v | y)), where Var(v | y) = pv + k²·pu includes the
        // uncertainty v̂ inherits from û (v̂ = k·(ȳ − μ − û)); with pv alone (cells as if u were known) τv² comes out low.
        _tauV2 = Component(all.SumV2, all.CellDf - all.CellShared, InitialTauV2);
    }

    /// <summary>
    /// Update of a variance component from its effects: Σ effect² / Σ shrinkage factors (the fixed point of the EM
    /// update, reached in far fewer sweeps), with a weak prior worth <see cref="PriorWeight"/> effects at the starting
    /// value. The prior is negligible with thousands of effects; it keeps a small organisation (say one person with
    /// evidence) from collapsing a component to zero, which would freeze that person's scores.
    /// </summary>
    internal static double Component(double sumSquares, double effectiveCount, double prior) =>
        Math.Max((sumSquares + PriorWeight * prior) / (effectiveCount + PriorWeight), VarianceFloor);

    /// <summary>
    /// Given the person estimates: each rater's shrunken mean residual, nested in its group (closed form per group,
    /// like persons and their behaviours); EM updates of τg², σb² and σ².
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double RaterStep(long[] acc, ChunkStats all)
    {
        // Residual sum of squares Σw(y − θ̂ − b)² with the rater effects the sweep used, from sufficient statistics.
        double raterTerms = 0;
        for (var r = 0; r < PersonCount; r++)
        {
            if (_raterRatings[r] == 0) continue;
            var b0 = _leniency[r];
            raterTerms += -2 * b0 * _raterSy[r] + _raterN[r] * b0 * b0;
        }
        var residualSs = Math.Max(0, _sumWy2 - 2 * all.ThetaResid + all.NTheta2 + raterTerms);

        double sigma2 = _sigma2, sigmaB2 = _sigmaB2, lambda = sigma2 / sigmaB2;
        // Group effects: precision-weighted mean of the raters' mean residuals, marginalising the individual effects.
        var groupPrecision = new double[Math.Max(_groups, 1)];
        var groupNumerator = new double[Math.Max(_groups, 1)];
        for (var g = 0; g < groupPrecision.Length; g++) groupPrecision[g] = _groups == 0 ? double.PositiveInfinity : 1.0 / _tauG2;
        if (_groups > 0)
        {
            for (var r = 0; r < PersonCount; r++)
            {
                if (_raterRatings[r] == 0) continue;
                var n = _raterN[r];
                var ybar = (_raterSy[r] - acc[r] * InvScale) / n;
                var a = 1.0 / (sigmaB2 + sigma2 / n);
                groupPrecision[_raterGroup![r]] += a;
                groupNumerator[_raterGroup[r]] += a * ybar;
            }
            // Shifting every rater effect by c and every behaviour mean by −c leaves the fit unchanged; only the
            // prior decides, and it wants the group effects to average zero. Backfitting drifts along that direction
            // very slowly, so it is set directly: centre the groups with raters and move the behaviour means.
            double centre = 0;
            var withRaters = 0;
            for (var g = 0; g < _groups; g++)
            {
                if (groupNumerator[g] == 0 && groupPrecision[g] == 1.0 / _tauG2) continue;
                centre += groupNumerator[g] / groupPrecision[g];
                withRaters++;
            }
            centre = withRaters > 0 ? centre / withRaters : 0;
            for (var b = 0; b < _nb; b++) _mu[b] += centre;
            double sumG2 = 0, groupDf = 0;
            for (var g = 0; g < _groups; g++)
            {
                _groupLeniency[g] = groupNumerator[g] / groupPrecision[g];
                if (!(groupNumerator[g] == 0 && groupPrecision[g] == 1.0 / _tauG2)) _groupLeniency[g] -= centre;
                if (groupNumerator[g] == 0 && groupPrecision[g] == 1.0 / _tauG2) continue;
                sumG2 += _groupLeniency[g] * _groupLeniency[g];
                groupDf += 1 - 1.0 / groupPrecision[g] / _tauG2;
            }
            _tauG2 = Component(sumG2, groupDf, InitialTauG2);
        }
        double sumE2 = 0, raterDf = 0, marginalDf = 0, maxDelta = 0;
        long raters = 0;
        for (var r = 0; r < PersonCount; r++)
        {
            var g = _groups > 0 ? _raterGroup![r] : 0;
            var groupEffect = _groups > 0 ? _groupLeniency[g] : 0;
            var groupVariance = _groups > 0 ? 1.0 / groupPrecision[g] : 0;
            if (_raterRatings[r] == 0) { _leniency[r] = groupEffect; _leniencyVariance[r] = groupVariance + sigmaB2; continue; }
            var n = _raterN[r];
            var ybar = (_raterSy[r] - acc[r] * InvScale) / n;
            var k = n / (n + lambda);
            var e = k * (ybar - groupEffect);
            var pe = sigma2 / (n + lambda);
            var target = groupEffect + e;
            var step = target - _leniency[r];
            // Convergence is judged on the fixed-point residual: how far this plain backfitting step moves the effect.
            maxDelta = Math.Max(maxDelta, Math.Abs(step));
            _leniency[r] = target;
            _leniencyVariance[r] = (1 - k) * (1 - k) * groupVariance + pe;
            sumE2 += e * e;
            raterDf += k;
            if (_raterShare is { } share) { var effective = share[r] * n; marginalDf += effective / (effective + lambda); } else marginalDf += k;
            raters++;
        }
        if (_groups == 0 && raters > 0)
        {
            // Without groups the same holds for the individual effects: they average zero over raters with ratings.
            double centre = 0;
            for (var r = 0; r < PersonCount; r++) if (_raterRatings[r] > 0) centre += _leniency[r];
            centre /= raters;
            for (var r = 0; r < PersonCount; r++) if (_raterRatings[r] > 0) _leniency[r] -= centre;
            for (var b = 0; b < _nb; b++) _mu[b] += centre;
        }
        _sigmaB2 = Component(sumE2, marginalDf, InitialSigmaB2);
        var df = ObservationsUsed - _cellDf - raterDf - _nb - _groups;
        if (df > 1) _sigma2 = Math.Max(residualSs / df, 0.01);
        return maxDelta;
    }
}
