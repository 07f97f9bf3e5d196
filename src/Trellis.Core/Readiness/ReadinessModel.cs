using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trellis.Core.Readiness;

/// <summary>
/// The fitted evidence model behind readiness: per person and behaviour, an estimate of demonstrated behaviour on the
/// 1–5 scale corrected for rater leniency, with its posterior variance.
/// </summary>
/// <remarks>
/// <para>Model (non-self observations only): <c>rating = μ[behaviour] + u[person] + v[person, behaviour] + b[rater] + ε</c>
/// with <c>u ~ N(0, τu²)</c>, <c>v ~ N(0, τv²)</c>, <c>b[rater] = g[group] + e[rater]</c>, <c>g ~ N(0, τg²)</c>,
/// <c>e ~ N(0, σb²)</c> and <c>ε ~ N(0, σ²/w)</c>, where the weight <c>w</c> is recency (exponential decay with a
/// half-life) × relationship weight. Person and rater effects are estimated jointly by backfitting: given the rater
/// effects, the nested person/behaviour effects have a closed-form posterior per person; given those, each rater effect
/// is a ridge (shrunken) mean of its residuals. This is the mixed-model BLUP; the variance components are re-estimated
/// by EM updates between sweeps. Thin evidence is thus shrunk toward the person's other behaviours and the population
/// (empirical Bayes), and intervals come from the posterior variance.</para>
/// <para>Speed: the observations are read once and collapsed into sufficient statistics — per cell (person ×
/// behaviour) the weight and weighted mean rating, per rater the weight and weighted rating sum, and per (cell, rater)
/// pair the total weight. Each person's distinct raters are listed once (its slots), and a pair names its rater by slot
/// (2 bytes) next to its weight (4 bytes). A sweep visits each person once: it loads its raters' effects into a small
/// local array (the only random reads), gathers them per cell from there, solves the person, and sums the fitted cells
/// back per slot, which then goes to each rater's total (the only random writes).</para>
/// <para>Convergence: the department leniencies start from a two-way fit of the (subject department × rater
/// department) table, since backfitting wears that mode down slowly when people mostly rate within their department;
/// and the sweeps are Anderson-accelerated over rater effects, behaviour means and variance components together.
/// Both change only the path, not the fixed point.</para>
/// </remarks>
public sealed class ReadinessModel
{
    private const double Scale = 4294967296.0;
    private const double InvScale = 1.0 / Scale;
    private const double VarianceFloor = 1e-4;
    // Starting values of the variance components, and the centre of their weak priors.
    private const double InitialTauU2 = 0.25, InitialTauV2 = 0.05, InitialSigmaB2 = 0.1, InitialTauG2 = 0.1;
    /// <summary>Weight of each variance component's prior, in effective observations (effects) at the starting value.</summary>
    private const double PriorWeight = 4;
    private const int MaxChunks = 64;
    /// <summary>How many past sweeps Anderson acceleration combines.</summary>
    private const int AccelerationDepth = 5;

    private readonly ObservationTable _obs;
    private readonly int _n;
    private readonly int _nb;
    private readonly int _asOf;
    private readonly double[] _recency;
    private readonly double[] _relationWeight;
    private readonly int _parallelism;

    // Cells (person × behaviour). The cell's weight is the sum of its pairs' weights (plus any added observations).
    private readonly float[] _cellMean;
    /// <summary>The cell's total weight Σw (exact: from the fixed-point collapse).</summary>
    private readonly float[] _cellWeight;
    private readonly int[] _cellCount;
    private readonly float[] _score;
    private readonly float[] _variance;
    /// <summary>Global index of each cell's first pair (cells + 1 entries); pairs of chunk k live in _pairSlot[k] from _chunkBase[k].</summary>
    private readonly int[] _cellPairStart;
    /// <summary>Global index of each person's first rater slot (persons + 1 entries); slots of chunk k live in _slotRater[k] from _slotBase[k].</summary>
    private readonly int[] _personSlotStart;

    // (cell, rater) pairs, per chunk of persons, sorted by rater within each cell.
    private readonly int[] _chunkLo;
    private readonly int[] _chunkBase;
    /// <summary>Per pair, the rater as an index into its person's slots (sorted by rater), and the pair's weight.</summary>
    private readonly ushort[][] _pairSlot;
    private readonly float[][] _pairWeight;
    /// <summary>Per person, its distinct raters (slots), sorted by rater.</summary>
    private readonly int[] _slotBase;
    private readonly int[][] _slotRater;

    // Persons.
    private readonly int[] _evidence, _raterCount, _selfCount, _selfSum;
    private readonly double[] _values, _valuesVariance;

    // Raters (the same person space).
    private readonly double[] _raterN, _raterSy;
    private readonly int[] _raterRatings;
    private readonly double[] _leniency, _leniencyVariance;

    // Observations added after the fit (incremental updates): per cell Σw, Σw·y, Σw·b, and the (subject, rater) pairs.
    private readonly Dictionary<int, (double N, double Sy, double Sb)> _added = [];
    private readonly HashSet<long> _addedPairs = [];

    private readonly double[] _mu;
    private double _sigma2, _tauU2, _tauV2, _sigmaB2;
    private double _sumWy2;

    public int PersonCount { get; }
    public int BehaviorCount { get; }
    public DateOnly AsOf { get; }
    public ReadinessOptions Options { get; }
    /// <summary>Backfitting sweeps used.</summary>
    public int Iterations { get; private set; }
    /// <summary>Passes over the raw observations (the collapse reads them once).</summary>
    public int Passes { get; private set; }
    /// <summary>Passes over the (cell, rater) pairs: one per sweep plus the final person step.</summary>
    public int PairPasses { get; private set; }
    /// <summary>Unique (person × behaviour, rater) pairs the sweeps run over.</summary>
    public long PairCount { get; private set; }
    /// <summary>Largest change of a rater effect in the last sweep (below <see cref="ReadinessOptions.ConvergenceTolerance"/> when converged).</summary>
    public double LastRaterChange { get; private set; }
    /// <summary>Whether the fit met its convergence tolerance within <see cref="ReadinessOptions.MaxIterations"/>.</summary>
    public bool Converged { get; private set; }
    /// <summary>Non-self observations on or before the as-of date.</summary>
    public long ObservationsUsed { get; private set; }
    /// <summary>Whether the input was already grouped by subject (no sort needed).</summary>
    public bool InputGroupedBySubject { get; private set; }

    public double ResidualVariance => _sigma2;
    public double PersonVariance => _tauU2;
    public double PersonBehaviorVariance => _tauV2;
    public double RaterVariance => _sigmaB2;
    public double GroupVariance => _tauG2;
    /// <summary>The leniency shared by a rater group (e.g. a department).</summary>
    public double GroupLeniency(int group) => _groupLeniency[group];
    public double BehaviorMean(int behavior) => _mu[behavior];

    private readonly int[]? _raterGroup;
    private readonly int _groups;
    private readonly double[] _groupLeniency;
    private double _tauG2 = InitialTauG2;

    private ReadinessModel(ObservationTable obs, int persons, int behaviors, ReadinessOptions options, int[]? raterGroups)
    {
        if (raterGroups is not null && raterGroups.Length != persons)
            throw new ArgumentException("one rater group per person", nameof(raterGroups));
        if (persons < 0) throw new ArgumentOutOfRangeException(nameof(persons));
        if (behaviors is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(behaviors), behaviors, "1–256 behaviours");
        if (options.RelationshipWeights.Count != RelationshipCodes.Count)
            throw new ArgumentException($"relationship weights need {RelationshipCodes.Count} entries", nameof(options));
        _raterGroup = raterGroups;
        _groups = raterGroups is null || raterGroups.Length == 0 ? 0 : raterGroups.Max() + 1;
        _groupLeniency = new double[_groups];
        _obs = obs;
        _n = obs.Count;
        PersonCount = persons;
        BehaviorCount = behaviors;
        _nb = behaviors;
        Options = options;
        AsOf = options.AsOf;
        _asOf = options.AsOf.DayNumber;
        _parallelism = Math.Clamp(options.Parallelism > 0 ? options.Parallelism : Environment.ProcessorCount, 1, 64);

        // Recency by age in days, for ages up to ~45 years (older evidence weighs as much as the oldest entry).
        _recency = new double[16384];
        var halfLife = options.RecencyHalfLifeDays > 0 ? options.RecencyHalfLifeDays : double.PositiveInfinity;
        for (var age = 0; age < _recency.Length; age++) _recency[age] = Math.Exp(-Math.Log(2) * age / halfLife);
        _relationWeight = new double[RelationshipCodes.Count];
        for (var k = 1; k < _relationWeight.Length; k++) _relationWeight[k] = Math.Max(0, options.RelationshipWeights[k]);
        _relationWeight[(int)RelationshipCode.Self] = 0; // self-ratings never enter the score

        var cells = checked(persons * behaviors);
        _cellMean = new float[cells];
        _cellWeight = new float[cells];
        _cellCount = new int[cells];
        _score = new float[cells];
        _variance = new float[cells];
        _cellPairStart = new int[cells + 1];
        _personSlotStart = new int[persons + 1];
        _evidence = new int[persons];
        _raterCount = new int[persons];
        _selfCount = new int[persons];
        _selfSum = new int[persons];
        _values = new double[persons];
        _valuesVariance = new double[persons];
        _raterN = new double[persons];
        _raterSy = new double[persons];
        _raterRatings = new int[persons];
        _leniency = new double[persons];
        _leniencyVariance = new double[persons];
        _mu = new double[behaviors];

        var chunks = Math.Max(1, Math.Min(MaxChunks, persons));
        _chunkLo = new int[chunks + 1];
        _chunkBase = new int[chunks + 1];
        _pairSlot = new ushort[chunks][];
        _pairWeight = new float[chunks][];
        _slotBase = new int[chunks + 1];
        _slotRater = new int[chunks][];
    }

    /// <summary>
    /// Fits the model to the observations (which may come in any order). <paramref name="raterGroups"/> (e.g. the
    /// department of each person, 0-based; null = none) lets leniency shared by a whole group be estimated as such
    /// instead of being shrunk toward zero rater by rater.
    /// </summary>
    public static ReadinessModel Fit(ObservationTable observations, int persons, int behaviors, ReadinessOptions options, int[]? raterGroups = null)
    {
        var model = new ReadinessModel(observations, persons, behaviors, options, raterGroups);
        model.Run();
        return model;
    }

    // ---- results -------------------------------------------------------------------------------------------

    public double Score(int person, int behavior) => _score[person * _nb + behavior];
    public double Variance(int person, int behavior) => _variance[person * _nb + behavior];
    public int EvidenceCount(int person, int behavior) => _cellCount[person * _nb + behavior];
    public int EvidenceCount(int person) => _evidence[person];
    /// <summary>Distinct raters other than the person themself.</summary>
    public int RaterCount(int person) => _raterCount[person];
    public double ValuesScore(int person) => _values[person];
    public double ValuesVariance(int person) => _valuesVariance[person];
    public int SelfRatingCount(int person) => _selfCount[person];
    public double? SelfRatingMean(int person) => _selfCount[person] == 0 ? null : (double)_selfSum[person] / _selfCount[person];
    /// <summary>The rater's estimated leniency (+) or severity (−) in rating points.</summary>
    public double Leniency(int rater) => _leniency[rater];
    public double LeniencyVariance(int rater) => _leniencyVariance[rater];
    public int RatingsGiven(int rater) => _raterRatings[rater];

    /// <summary>Bytes held by the model itself (not counting the observation table): cells, pairs, persons and raters.</summary>
    public long StateBytes
    {
        get
        {
            long pairs = 0;
            foreach (var p in _pairSlot) pairs += p?.Length ?? 0;
            long slots = 0;
            foreach (var t in _slotRater) slots += t?.Length ?? 0;
            return (long)_cellMean.Length * (4 + 4 + 4 + 4 + 4) + (long)_cellPairStart.Length * 4 + pairs * (2 + 4) + slots * 4 + _personSlotStart.Length * 4L +
                   (long)PersonCount * (4 * 4 + 8 * 2 + 8 * 2 + 4 + 8 * 2) + _recency.Length * 8L + _chunkLo.Length * 8L;
        }
    }

    // ---- incremental update --------------------------------------------------------------------------------

    /// <summary>
    /// Reflects one new observation at once: the subject's cell statistics are updated with the current rater
    /// effects and variance components held fixed, and the subject's estimates are re-solved (O(its pairs)).
    /// A later full fit re-estimates the rater effects. Returns false when the observation lies after the as-of date.
    /// Not thread-safe: callers serialise updates and reads.
    /// </summary>
    public bool Add(int subject, int rater, int behavior, RelationshipCode relationship, int rating, int day)
    {
        if ((uint)subject >= (uint)PersonCount) throw new ArgumentOutOfRangeException(nameof(subject));
        if ((uint)rater >= (uint)PersonCount) throw new ArgumentOutOfRangeException(nameof(rater));
        if ((uint)behavior >= (uint)BehaviorCount) throw new ArgumentOutOfRangeException(nameof(behavior));
        if (rating is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(rating));
        if (day > _asOf) return false;
        if (relationship == RelationshipCode.Self)
        {
            _selfCount[subject]++;
            _selfSum[subject] += rating;
            return true;
        }
        var wf = FixedWeight((byte)relationship, day);
        if (wf <= 0) return true;
        var w = wf * InvScale;
        var c = subject * _nb + behavior;
        var added = _added.GetValueOrDefault(c);
        _added[c] = (added.N + w, added.Sy + w * rating, added.Sb + w * _leniency[rater]);
        _cellCount[c]++;
        _evidence[subject]++;
        _raterN[rater] += w;
        _raterSy[rater] += w * rating;
        _raterRatings[rater]++;
        ObservationsUsed++;
        if (!HasRated(subject, rater)) _raterCount[subject]++;
        _addedPairs.Add(((long)subject << 32) | (uint)rater);
        var workspace = new Workspace(_nb, 0);
        Gather(subject, ChunkOf(subject), workspace);
        SolveSubject(subject, workspace, null);
        return true;
    }

    private bool HasRated(int subject, int rater)
    {
        if (_addedPairs.Contains(((long)subject << 32) | (uint)rater)) return true;
        var k = ChunkOf(subject);
        var lo = _personSlotStart[subject] - _slotBase[k];
        var hi = _personSlotStart[subject + 1] - _slotBase[k];
        return Array.BinarySearch(_slotRater[k], lo, hi - lo, rater) >= 0;
    }

    private int ChunkOf(int subject)
    {
        var k = Array.BinarySearch(_chunkLo, subject);
        if (k < 0) return ~k - 1;
        // Empty chunks share a boundary: the subject belongs to the last chunk starting there.
        while (k + 1 < _chunkLo.Length - 1 && _chunkLo[k + 1] == subject) k++;
        return Math.Min(k, _pairSlot.Length - 1);
    }

    // ---- fitting -------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long FixedWeight(byte relationship, int day)
    {
        var age = _asOf - day;
        if (age < 0) return 0;
        if (age >= _recency.Length) age = _recency.Length - 1;
        return (long)(_relationWeight[relationship] * _recency[age] * Scale);
    }

    /// <summary>Time spent reading the observations once (collapse) and in the sweeps (for benchmarks).</summary>
    public TimeSpan CollapseTime { get; private set; }
    public TimeSpan SweepTime { get; private set; }

    private void Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Collapse();
        CollapseTime = clock.Elapsed;
        InitialComponents();
        var chunkStats = new ChunkStats[_pairSlot.Length];
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
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            Iterations = iteration;
            SaveState(state);
            var all = Sweep(chunkStats, acc, scatter: true);
            UpdateSubjectComponents(all);
            var maxDelta = RaterStep(acc, all);
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
            var stable = Relative(previousTauG, _tauG2) && Relative(previousSigma2, _sigma2) && Relative(previousTauU, _tauU2) && Relative(previousTauV, _tauV2) && Relative(previousSigmaB, _sigmaB2);
            previousTauG = _tauG2; previousSigma2 = _sigma2; previousTauU = _tauU2; previousTauV = _tauV2; previousSigmaB = _sigmaB2;
            LastRaterChange = maxDelta;
            if (iteration > 1 && maxDelta < Options.ConvergenceTolerance && stable) { Converged = true; break; }
        }
        // Final person estimates against the final rater effects and components.
        Sweep(chunkStats, acc, scatter: false);
        SweepTime = clock.Elapsed - CollapseTime;
    }

    private const int Components = 5;
    private static readonly double MaxComponentLogStep = Math.Log(2);

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

    /// <summary>The one pass over the observations: cell, rater and (cell, rater) pair sufficient statistics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Collapse()
    {
        Passes++;
        var subjects = _obs.Subject;
        // Rows per subject (and whether the rows are already grouped by subject).
        var start = new int[PersonCount + 1];
        var grouped = true;
        var previous = int.MinValue;
        for (var i = 0; i < _n; i++)
        {
            var s = subjects[i];
            if ((uint)s >= (uint)PersonCount) throw new ArgumentOutOfRangeException(nameof(_obs), s, "subject outside the person space");
            start[s + 1]++;
            if (s < previous) grouped = false;
            previous = s;
        }
        for (var p = 0; p < PersonCount; p++) start[p + 1] += start[p];
        InputGroupedBySubject = grouped;
        int[]? order = null;
        if (!grouped)
        {
            // Counting sort of row indices by subject (stable; only the fit's lifetime).
            var next = (int[])start.Clone();
            order = new int[_n];
            for (var i = 0; i < _n; i++) order[next[subjects[i]]++] = i;
        }

        // Chunks of persons by index only: their partial sums are combined in chunk order, so the boundaries must not
        // depend on the thread count nor on rows that do not count (e.g. evidence after the as-of date).
        var chunks = _pairSlot.Length;
        for (var k = 0; k < chunks; k++) _chunkLo[k] = (int)((long)PersonCount * k / chunks);
        _chunkLo[chunks] = PersonCount;

        var weightTable = WeightTable();
        var chunkUsed = new long[chunks];
        var chunkY2 = new long[chunks];
        var sharedLock = new object();
        var raterN = new long[PersonCount];
        var raterSy = new long[PersonCount];
        var crossN = new long[_groups * _groups];
        var crossSy = new long[_groups * _groups];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new CollapseWorkspace(PersonCount, _nb, _groups),
            (k, _, ws) =>
            {
                CollapseChunk(k, start, order, weightTable, ws, out chunkUsed[k], out chunkY2[k]);
                return ws;
            },
            ws =>
            {
                // Exact integer sums: the totals do not depend on which thread collapsed which chunk.
                lock (sharedLock)
                {
                    for (var r = 0; r < PersonCount; r++)
                    {
                        _raterRatings[r] += ws.RaterRatings[r];
                        raterN[r] += ws.RaterNTotal[r];
                        raterSy[r] += ws.RaterSyTotal[r];
                    }
                    for (var g = 0; g < crossN.Length; g++)
                    {
                        crossN[g] += ws.CrossN[g];
                        crossSy[g] += ws.CrossSy[g];
                    }
                }
            });
        for (var r = 0; r < PersonCount; r++)
        {
            _raterN[r] = raterN[r] * InvScale;
            _raterSy[r] = raterSy[r] * InvScale;
        }
        _crossN = crossN;
        _crossSy = crossSy;

        // Global pair indices: chunk k's pairs follow chunk k − 1's.
        for (var k = 0; k < chunks; k++)
        {
            _chunkBase[k + 1] = _chunkBase[k] + _pairSlot[k].Length;
            _slotBase[k + 1] = _slotBase[k] + _slotRater[k].Length;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
        {
            for (var c = _chunkLo[k] * _nb; c < _chunkLo[k + 1] * _nb; c++) _cellPairStart[c] += _chunkBase[k];
            for (var p = _chunkLo[k]; p < _chunkLo[k + 1]; p++) _personSlotStart[p] += _slotBase[k];
        });
        _cellPairStart[PersonCount * _nb] = _chunkBase[chunks];
        _personSlotStart[PersonCount] = _slotBase[chunks];
        PairCount = _chunkBase[chunks];
        ObservationsUsed = chunkUsed.Sum();
        long y2 = 0;
        foreach (var v in chunkY2) y2 += v;
        _sumWy2 = y2 * InvScale;
    }

    private sealed class CollapseWorkspace(int persons, int behaviors, int groups)
    {
        /// <summary>Σw and Σw·y by (subject's group × rater's group), for the starting values of the group effects.</summary>
        public readonly long[] CrossN = new long[groups * groups];
        public readonly long[] CrossSy = new long[groups * groups];
        /// <summary>Per rater: (subject + 1) &lt;&lt; 32 | slot, so one load tells whether and where the rater is in the current subject.</summary>
        public readonly long[] Seen = new long[persons];
        public readonly long[] RaterNTotal = new long[persons];
        public readonly long[] RaterSyTotal = new long[persons];
        public readonly int[] RaterRatings = new int[persons];
        public readonly long[] CellN = new long[behaviors];
        public readonly long[] CellSy = new long[behaviors];
        public readonly int[] CellCount = new int[behaviors];
        /// <summary>Pairs per behaviour of the current subject, then (prefix sums) where each behaviour's pairs go.</summary>
        public readonly int[] CellPairs = new int[behaviors + 1];
        // Per rater of the current subject (slot): the rater, Σw, Σw·y, count, and Σw per behaviour.
        public int[] SlotRater = new int[64];
        public long[] SlotN = new long[64];
        public long[] SlotSy = new long[64];
        public int[] SlotCount = new int[64];
        public long[] PairW = new long[64 * behaviors];
        /// <summary>Pairs of the chunk being collapsed, before they are copied out at their exact size (reused across chunks).</summary>
        public ushort[] ChunkPairSlot = [];
        public float[] ChunkWeight = [];
        public int[] ChunkSlotRater = [];
        public int[] SortedSlot = new int[64];
        public int[] SortedRater = new int[64];

        public void Grow(int behaviors)
        {
            var size = SlotRater.Length * 2;
            Array.Resize(ref SlotRater, size);
            Array.Resize(ref SortedSlot, size);
            Array.Resize(ref SortedRater, size);
            Array.Resize(ref SlotN, size);
            Array.Resize(ref SlotSy, size);
            Array.Resize(ref SlotCount, size);
            Array.Resize(ref PairW, size * behaviors);
        }
    }

    /// <summary>Fixed-point weight by relationship and age in days (index relationship × 16384 + age): a load per row instead of arithmetic.</summary>
    private long[] WeightTable()
    {
        var table = new long[RelationshipCodes.Count * _recency.Length];
        for (var rel = 0; rel < RelationshipCodes.Count; rel++)
            for (var age = 0; age < _recency.Length; age++)
                table[rel * _recency.Length + age] = FixedWeight((byte)rel, _asOf - age);
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CollapseChunk(int k, int[] start, int[]? order, long[] weightTable, CollapseWorkspace ws, out long used, out long y2)
    {
        var raterArr = _obs.Rater; var behaviorArr = _obs.Behavior;
        var relationshipArr = _obs.Relationship; var ratingArr = _obs.Rating; var dayArr = _obs.Day;
        var nb = _nb;
        var maxAge = _recency.Length - 1;
        int lo = _chunkLo[k], hi = _chunkLo[k + 1];
        var capacity = Math.Max(start[hi] - start[lo], 1);
        if (ws.ChunkPairSlot.Length < capacity)
        {
            // Scratch sized for the worst case (every row its own pair); never zeroed, as every entry used is written first.
            ws.ChunkPairSlot = GC.AllocateUninitializedArray<ushort>(capacity);
            ws.ChunkWeight = GC.AllocateUninitializedArray<float>(capacity);
            ws.ChunkSlotRater = GC.AllocateUninitializedArray<int>(capacity);
        }
        var pairSlot = ws.ChunkPairSlot;
        var pairWeight = ws.ChunkWeight;
        var slotRater = ws.ChunkSlotRater;
        var count = 0;
        var slotCount = 0;
        used = 0;
        y2 = 0;
        var seen = ws.Seen;
        var cellN = ws.CellN; var cellSy = ws.CellSy; var cellCount = ws.CellCount; var cellPairs = ws.CellPairs;
        for (var s = lo; s < hi; s++)
        {
            var slots = 0;
            var cellBase = s * nb;
            int selfCount = 0, selfSum = 0;
            var pairW = ws.PairW;
            for (var j = start[s]; j < start[s + 1]; j++)
            {
                var i = order is null ? j : order[j];
                var age = _asOf - dayArr[i];
                if (age < 0) continue;
                var rel = relationshipArr[i];
                int y = ratingArr[i];
                if (rel == (byte)RelationshipCode.Self)
                {
                    selfCount++;
                    selfSum += y;
                    continue;
                }
                var wf = weightTable[rel * _recency.Length + Math.Min(age, maxAge)];
                if (wf <= 0) continue;
                var r = raterArr[i];
                int b = behaviorArr[i];
                if (b >= nb) throw new ArgumentOutOfRangeException(nameof(_obs), b, "behaviour outside the behaviour list");
                int slot;
                var mark = seen[r];
                if ((int)(mark >> 32) == s + 1) slot = (int)mark;
                else
                {
                    slot = slots++;
                    seen[r] = ((long)(s + 1) << 32) | (uint)slot;
                    if (slot == ws.SlotRater.Length) { ws.Grow(nb); pairW = ws.PairW; }
                    ws.SlotRater[slot] = r;
                    ws.SlotN[slot] = 0;
                    ws.SlotSy[slot] = 0;
                    ws.SlotCount[slot] = 0;
                }
                var wy = wf * y;
                var p = slot * nb + b;
                if (pairW[p] == 0) cellPairs[b]++;
                pairW[p] += wf;
                ws.SlotN[slot] += wf;
                ws.SlotSy[slot] += wy;
                ws.SlotCount[slot]++;
                cellN[b] += wf;
                cellSy[b] += wy;
                cellCount[b]++;
                y2 += wy * y;
            }
            _selfCount[s] = selfCount;
            _selfSum[s] = selfSum;
            _raterCount[s] = slots;
            // Rater totals once per (subject, rater) instead of once per row.
            var evidence = 0;
            for (var t = 0; t < slots; t++)
            {
                var r = ws.SlotRater[t];
                ws.RaterNTotal[r] += ws.SlotN[t];
                ws.RaterSyTotal[r] += ws.SlotSy[t];
                ws.RaterRatings[r] += ws.SlotCount[t];
                if (_groups > 0)
                {
                    var cross = _raterGroup![s] * _groups + _raterGroup[r];
                    ws.CrossN[cross] += ws.SlotN[t];
                    ws.CrossSy[cross] += ws.SlotSy[t];
                }
                evidence += ws.SlotCount[t];
            }
            _evidence[s] = evidence;
            used += evidence;
            if (slots > ushort.MaxValue + 1)
                throw new NotSupportedException($"person {s} has {slots:N0} distinct raters; the engine supports at most {ushort.MaxValue + 1:N0} per person");
            // The subject's raters sorted by rater id (the slots' order of first appearance depends on the input order).
            for (var t = 0; t < slots; t++) { ws.SortedRater[t] = ws.SlotRater[t]; ws.SortedSlot[t] = t; }
            SortSlots(ws.SortedRater, ws.SortedSlot, slots);
            _personSlotStart[s] = slotCount;
            for (var t = 0; t < slots; t++) slotRater[slotCount + t] = ws.SortedRater[t];
            slotCount += slots;
            // Cells in behaviour order (a counting sort of the subject's pairs by behaviour).
            var position = count;
            for (var b = 0; b < nb; b++)
            {
                _cellPairStart[cellBase + b] = position;
                var pairsInCell = cellPairs[b];
                cellPairs[b] = position;
                position += pairsInCell;
                if (cellCount[b] == 0) continue;
                _cellCount[cellBase + b] = cellCount[b];
                _cellWeight[cellBase + b] = (float)(cellN[b] * InvScale);
                _cellMean[cellBase + b] = (float)((double)cellSy[b] / cellN[b]);
                cellN[b] = cellSy[b] = 0;
                cellCount[b] = 0;
            }
            // The pairs go out rater by rater in sorted order, each to the next place of its cell: so within each cell
            // they are sorted by rater whatever order the rows came in, and every sum over a cell's pairs is taken in
            // one order. One scan of each rater's row of weights (raters × behaviours) instead of a sort per cell.
            for (var t = 0; t < slots; t++)
            {
                var row = ws.SortedSlot[t] * nb;
                for (var b = 0; b < nb; b++)
                {
                    var w = pairW[row + b];
                    if (w == 0) continue;
                    var at = cellPairs[b]++;
                    pairSlot[at] = (ushort)t;
                    pairWeight[at] = (float)(w * InvScale);
                    pairW[row + b] = 0;
                }
            }
            Array.Clear(cellPairs, 0, nb);
            count = position;
        }
        _pairSlot[k] = GC.AllocateUninitializedArray<ushort>(count);
        _pairWeight[k] = GC.AllocateUninitializedArray<float>(count);
        _slotRater[k] = GC.AllocateUninitializedArray<int>(slotCount);
        Array.Copy(pairSlot, _pairSlot[k], count);
        Array.Copy(pairWeight, _pairWeight[k], count);
        Array.Copy(slotRater, _slotRater[k], slotCount);
    }

    /// <summary>Sorts a person's raters (with their slots): insertion sort for the usual few dozen, else the library sort.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortSlots(int[] raters, int[] slots, int count)
    {
        if (count > 64)
        {
            Array.Sort(raters, slots, 0, count);
            return;
        }
        for (var i = 1; i < count; i++)
        {
            int r = raters[i], t = slots[i];
            var j = i - 1;
            while (j >= 0 && raters[j] > r)
            {
                raters[j + 1] = raters[j];
                slots[j + 1] = slots[j];
                j--;
            }
            raters[j + 1] = r;
            slots[j + 1] = t;
        }
    }


    /// <summary>Starting values: behaviour means, pooled within-cell variance, modest between-person and rater variances.</summary>
    private void InitialComponents()
    {
        var sumN = new double[_nb];
        var sumY = new double[_nb];
        double betweenSs = 0;
        long observedCells = 0;
        var ws = new Workspace(_nb, 0);
        for (var k = 0; k < _pairSlot.Length; k++)
        {
            for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
            {
                Gather(s, k, ws);
                for (var b = 0; b < _nb; b++)
                {
                    var n = ws.N[b];
                    if (n <= 0) continue;
                    var sy = n * _cellMean[s * _nb + b];
                    sumN[b] += n;
                    sumY[b] += sy;
                    betweenSs += sy * sy / n;
                    observedCells++;
                }
            }
        }
        double total = 0, totalN = 0;
        for (var b = 0; b < _nb; b++)
        {
            total += sumY[b]; totalN += sumN[b];
        }
        var grand = totalN > 0 ? total / totalN : 3.0;
        for (var b = 0; b < _nb; b++) _mu[b] = sumN[b] > 0 ? sumY[b] / sumN[b] : grand;
        var withinDf = ObservationsUsed - observedCells;
        var within = withinDf > 0 ? (_sumWy2 - betweenSs) / withinDf : 0.5;
        _sigma2 = Math.Max(within, 0.05);
        _tauU2 = InitialTauU2;
        _tauV2 = InitialTauV2;
        _sigmaB2 = InitialSigmaB2;
        StartingGroupEffects();
    }

    private long[] _crossN = [], _crossSy = [];

    /// <summary>
    /// Starting values of the group (department) leniencies from a two-way additive fit of the mean rating by
    /// (subject's group, rater's group) — a 10 × 10 table for ten departments. Where raters mostly rate their own
    /// department, a department's leniency and its people's level are separated only by the ratings across departments,
    /// and backfitting wears that mode down slowly sweep by sweep; starting near it saves most of those sweeps.
    /// Only the start changes: the fixed point the fit converges to is the same.
    /// </summary>
    private void StartingGroupEffects()
    {
        if (_groups < 2) return;
        var g = _groups;
        var level = new double[g];
        var effect = new double[g];
        for (var iteration = 0; iteration < 500; iteration++)
        {
            for (var d = 0; d < g; d++)
            {
                double num = 0, den = 0;
                for (var r = 0; r < g; r++)
                {
                    var n = _crossN[d * g + r];
                    if (n == 0) continue;
                    num += _crossSy[d * g + r] - n * effect[r];
                    den += n;
                }
                level[d] = den > 0 ? num / den : 0;
            }
            double change = 0, centre = 0;
            var withRatings = 0;
            for (var r = 0; r < g; r++)
            {
                double num = 0, den = 0;
                for (var d = 0; d < g; d++)
                {
                    var n = _crossN[d * g + r];
                    if (n == 0) continue;
                    num += _crossSy[d * g + r] - n * level[d];
                    den += n;
                }
                var e = den > 0 ? num / den : 0;
                change = Math.Max(change, Math.Abs(e - effect[r]));
                effect[r] = e;
                if (den > 0) { centre += e; withRatings++; }
            }
            if (withRatings > 0) for (var r = 0; r < g; r++) effect[r] -= centre / withRatings;
            if (change < 1e-9) break;
        }
        for (var r = 0; r < g; r++) _groupLeniency[r] = effect[r];
        for (var p = 0; p < PersonCount; p++) _leniency[p] = effect[_raterGroup![p]];
    }

    /// <summary>Per-thread scratch for one person: cell weight, rater-corrected mean, Σw·b and the fitted scores.</summary>
    private sealed class Workspace(int behaviors, int persons)
    {
        public readonly double[] N = new double[behaviors], Mean = new double[behaviors], Sb = new double[behaviors], Theta = new double[behaviors],
            K = new double[behaviors], Pv = new double[behaviors];
        /// <summary>Per rater, the effect the sweep reads next to the sum it scatters into (see <see cref="RaterEntry"/>).</summary>
        public readonly RaterEntry[] Raters = new RaterEntry[persons];
        /// <summary>Per slot of the current person: its rater's effect, and Σw·θ̂ over the person's cells.</summary>
        public double[] Local = new double[256], LocalAcc = new double[256];

        public void EnsureSlots(int slots)
        {
            if (slots <= Local.Length) return;
            var size = Math.Max(slots, Local.Length * 2);
            Local = new double[size];
            LocalAcc = new double[size];
        }
    }

    /// <summary>
    /// A rater's effect and this thread's Σw·θ̂ for it, side by side: the scatter after a person's gather finds the
    /// rater's cache line already there instead of a second random miss.
    /// </summary>
    private struct RaterEntry
    {
        public double Leniency;
        public long Acc;
    }

    /// <summary>Σw and Σw·b[rater] of the subject's cells from its pairs (plus added observations).</summary>
    private void Gather(int s, int k, Workspace ws)
    {
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var slots = _personSlotStart[s + 1] - _slotBase[k] - slotLo;
        ws.EnsureSlots(slots);
        var raters = _slotRater[k];
        for (var t = 0; t < slots; t++) ws.Local[t] = _leniency[raters[slotLo + t]];
        GatherCells(s, k, ws);
        if (_added.Count == 0) return;
        var cellBase = s * _nb;
        for (var b = 0; b < _nb; b++)
        {
            if (!_added.TryGetValue(cellBase + b, out var a)) continue;
            var n = ws.N[b];
            var sy = n * _cellMean[cellBase + b] + a.Sy;
            var sb = ws.Sb[b] + a.Sb;
            n += a.N;
            ws.N[b] = n;
            ws.Sb[b] = sb;
            ws.Mean[b] = n > 0 ? (sy - sb) / n : 0;
        }
    }

    /// <summary>Per cell of the subject: Σw and Σw·b from its pairs, with the raters' effects already in <see cref="Workspace.Local"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GatherCells(int s, int k, Workspace ws)
    {
        ref var slot = ref MemoryMarshal.GetArrayDataReference(_pairSlot[k]);
        ref var weight = ref MemoryMarshal.GetArrayDataReference(_pairWeight[k]);
        var local = ws.Local;
        var baseIndex = _chunkBase[k];
        var cellBase = s * _nb;
        var starts = _cellPairStart;
        var j = starts[cellBase] - baseIndex;
        for (var b = 0; b < _nb; b++)
        {
            var c = cellBase + b;
            double n = _cellWeight[c], sb0 = 0, sb1 = 0;
            var hi = starts[c + 1] - baseIndex;
            // Two sums break the dependency chain; the pairs' order is fixed, so the result is too.
            for (; j + 1 < hi; j += 2)
            {
                sb0 += Unsafe.Add(ref weight, j) * local[Unsafe.Add(ref slot, j)];
                sb1 += Unsafe.Add(ref weight, j + 1) * local[Unsafe.Add(ref slot, j + 1)];
            }
            if (j < hi) { sb0 += Unsafe.Add(ref weight, j) * local[Unsafe.Add(ref slot, j)]; j++; }
            var sb = sb0 + sb1;
            ws.N[b] = n;
            ws.Sb[b] = sb;
            ws.Mean[b] = n > 0 ? _cellMean[c] - sb / n : 0;
        }
    }

    private sealed class ChunkStats(int behaviors)
    {
        public readonly double[] MuNum = new double[behaviors], MuDen = new double[behaviors];
        public double SumU2, SumV2, CellDf, PersonDf;
        public long Persons, Cells;
        // For the residual sum of squares: Σ θ·Σwy, Σ N·θ², Σ θ·Σwb over cells.
        public double ThetaSy, NTheta2, ThetaSb;

        public void Clear()
        {
            Array.Clear(MuNum); Array.Clear(MuDen);
            SumU2 = SumV2 = CellDf = PersonDf = ThetaSy = NTheta2 = ThetaSb = 0;
            Persons = Cells = 0;
        }

        public void Add(ChunkStats o)
        {
            for (var b = 0; b < MuNum.Length; b++) { MuNum[b] += o.MuNum[b]; MuDen[b] += o.MuDen[b]; }
            SumU2 += o.SumU2; SumV2 += o.SumV2; CellDf += o.CellDf; PersonDf += o.PersonDf; Persons += o.Persons; Cells += o.Cells;
            ThetaSy += o.ThetaSy; NTheta2 += o.NTheta2; ThetaSb += o.ThetaSb;
        }
    }

    /// <summary>
    /// One pass over the pairs: for each person, gather the rater effects of its cells, solve its nested posterior
    /// and (when <paramref name="scatter"/>) add Σw·θ̂ of its cells to each rater's total in <paramref name="acc"/>.
    /// </summary>
    private ChunkStats Sweep(ChunkStats[] chunkStats, long[] acc, bool scatter)
    {
        PairPasses++;
        Array.Clear(acc);
        var sharedLock = new object();
        Parallel.For(0, chunkStats.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () =>
            {
                var ws = new Workspace(_nb, PersonCount);
                var raters = ws.Raters;
                for (var r = 0; r < raters.Length; r++) raters[r].Leniency = _leniency[r];
                return ws;
            },
            (k, _, ws) =>
            {
                SweepChunk(k, chunkStats[k], ws, scatter);
                return ws;
            },
            ws =>
            {
                if (!scatter) return;
                // Exact integer sums: the total does not depend on which thread did which chunk.
                lock (sharedLock) for (var r = 0; r < acc.Length; r++) acc[r] += ws.Raters[r].Acc;
            });
        var all = new ChunkStats(_nb);
        foreach (var c in chunkStats) all.Add(c); // chunk order: deterministic whatever the thread count
        _cellDf = all.CellDf;
        return all;
    }

    /// <summary>The sweep over one chunk of persons (see <see cref="Sweep"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepChunk(int k, ChunkStats stats, Workspace ws, bool scatter)
    {
        stats.Clear();
        if (_added.Count > 0)
        {
            // After incremental updates (rare: a refit normally replaces the model) take the general path.
            for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
            {
                if (_evidence[s] == 0) { SolveSubject(s, null, stats); continue; }
                Gather(s, k, ws);
                SolveSubject(s, ws, stats);
                if (scatter) Scatter(s, k, ws, stats);
            }
            return;
        }
        var entries = ws.Raters;
        var raters = _slotRater[k];
        var slotBase = _slotBase[k];
        for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
        {
            if (_evidence[s] == 0) { SolveSubject(s, null, stats); continue; }
            var slotLo = _personSlotStart[s] - slotBase;
            var slots = _personSlotStart[s + 1] - slotBase - slotLo;
            ws.EnsureSlots(slots);
            var local = ws.Local;
            for (var t = 0; t < slots; t++) local[t] = entries[raters[slotLo + t]].Leniency;
            GatherCells(s, k, ws);
            SolveSubject(s, ws, stats);
            if (scatter) Scatter(s, k, ws, stats);
        }
    }

    /// <summary>Adds Σw·θ̂ of the subject's cells to each of its raters' totals (exact fixed point, per thread).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scatter(int s, int k, Workspace ws, ChunkStats stats)
    {
        ref var slot = ref MemoryMarshal.GetArrayDataReference(_pairSlot[k]);
        ref var weight = ref MemoryMarshal.GetArrayDataReference(_pairWeight[k]);
        var baseIndex = _chunkBase[k];
        var slotLo = _personSlotStart[s] - _slotBase[k];
        var slots = _personSlotStart[s + 1] - _slotBase[k] - slotLo;
        var acc = ws.LocalAcc;
        Array.Clear(acc, 0, slots);
        var cellBase = s * _nb;
        for (var b = 0; b < _nb; b++)
        {
            var n = ws.N[b];
            if (n <= 0) continue;
            var c = cellBase + b;
            var theta = ws.Theta[b];
            stats.ThetaSy += theta * n * _cellMean[c];
            stats.NTheta2 += n * theta * theta;
            stats.ThetaSb += theta * ws.Sb[b];
            var hi = _cellPairStart[c + 1] - baseIndex;
            for (var j = _cellPairStart[c] - baseIndex; j < hi; j++) acc[Unsafe.Add(ref slot, j)] += Unsafe.Add(ref weight, j) * theta;
        }
        var raters = _slotRater[k];
        var entries = ws.Raters;
        for (var t = 0; t < slots; t++)
            entries[raters[slotLo + t]].Acc += double.ConvertToIntegerNative<long>(acc[t] * Scale);
    }

    private double _cellDf;

    /// <summary>EM updates of μ, τu², τv² from a sweep's person statistics.</summary>
    private void UpdateSubjectComponents(ChunkStats all)
    {
        for (var b = 0; b < _nb; b++)
            if (all.MuDen[b] > 0) _mu[b] = all.MuNum[b] / all.MuDen[b];
        _tauU2 = Component(all.SumU2, all.PersonDf, InitialTauU2);
        _tauV2 = Component(all.SumV2, all.CellDf, InitialTauV2);
    }

    /// <summary>
    /// Update of a variance component from its effects: Σ effect² / Σ shrinkage factors (the fixed point of the EM
    /// update, reached in far fewer sweeps), with a weak prior worth <see cref="PriorWeight"/> effects at the starting
    /// value. The prior is negligible with thousands of effects; it keeps a small organisation (say one person with
    /// evidence) from collapsing a component to zero, which would freeze that person's scores.
    /// </summary>
    private static double Component(double sumSquares, double effectiveCount, double prior) =>
        Math.Max((sumSquares + PriorWeight * prior) / (effectiveCount + PriorWeight), VarianceFloor);

    /// <summary>The person's nested posterior given the rater effects (ws null: no evidence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SolveSubject(int s, Workspace? ws, ChunkStats? stats)
    {
        int nb = _nb;
        var baseCell = s * nb;
        double sigma2 = _sigma2, tauV2 = _tauV2, ratio = sigma2 / tauV2, invTauV2 = 1.0 / tauV2;
        double precision = 1.0 / _tauU2, numerator = 0;
        var any = false;
        var mu = _mu;
        if (ws is not null)
        {
            // Per cell one division: k = n/(n + σ²/τv²), posterior variance of v given u = σ²/(n + σ²/τv²) and the
            // cell's precision for u, 1/(τv² + σ²/n) = k/τv².
            for (var b = 0; b < nb; b++)
            {
                var n = ws.N[b];
                if (n <= 0) { ws.K[b] = 0; continue; }
                any = true;
                var invDen = 1.0 / (n + ratio);
                var k = n * invDen;
                ws.K[b] = k;
                ws.Pv[b] = sigma2 * invDen;
                var a = k * invTauV2;
                precision += a;
                numerator += a * (ws.Mean[b] - mu[b]);
            }
        }
        var u = numerator / precision;
        var pu = 1.0 / precision;
        double sum = 0, sumK = 0, sumPv = 0;
        for (var b = 0; b < nb; b++)
        {
            var c = baseCell + b;
            double k = 0, v = 0, pv = tauV2;
            if (ws is not null && ws.N[b] > 0)
            {
                var ybar = ws.Mean[b];
                k = ws.K[b];
                v = k * (ybar - mu[b] - u);
                pv = ws.Pv[b];
                if (stats is not null)
                {
                    var a = k * invTauV2;
                    stats.MuNum[b] += a * (ybar - u);
                    stats.MuDen[b] += a;
                    stats.SumV2 += v * v;
                    stats.Cells++;
                    stats.CellDf += k;
                }
            }
            var theta = mu[b] + u + v;
            if (ws is not null) ws.Theta[b] = theta;
            _score[c] = (float)theta;
            var oneMinusK = 1 - k;
            _variance[c] = (float)(oneMinusK * oneMinusK * pu + pv);
            sum += theta;
            sumK += k;
            sumPv += pv;
        }
        _values[s] = sum / nb;
        var kbar = sumK / nb;
        _valuesVariance[s] = (1 - kbar) * (1 - kbar) * pu + sumPv / ((double)nb * nb);
        if (stats is not null && any)
        {
            stats.SumU2 += u * u;
            stats.PersonDf += 1 - pu / _tauU2;
            stats.Persons++;
        }
    }

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
        var residualSs = Math.Max(0, _sumWy2 - 2 * all.ThetaSy + all.NTheta2 + 2 * all.ThetaSb + raterTerms);

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
        double sumE2 = 0, raterDf = 0, maxDelta = 0;
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
        _sigmaB2 = Component(sumE2, raterDf, InitialSigmaB2);
        var df = ObservationsUsed - _cellDf - raterDf - _nb - _groups;
        if (df > 1) _sigma2 = Math.Max(residualSs / df, 0.01);
        return maxDelta;
    }
}
