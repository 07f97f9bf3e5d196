using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// pair the total weight. Each person's distinct raters are listed once (its slots, sorted by rater), and its pairs
/// follow rater by rater, each naming its behaviour and slot packed in 2 bytes next to its weight (4 bytes). A sweep
/// visits each person once in one flat pass over its pairs — no loop per cell — to gather the rater effects per cell,
/// solves the person in closed form, and in a second flat pass sums the fitted cells back per slot; the rater effects
/// are read from, and the slot sums added to, the raters in tight loops of their own (the only random accesses).</para>
/// /// <para>Convergence: the department leniencies start from a two-way fit of the (subject department × rater
/// department) table, since backfitting wears that mode down slowly when people mostly rate within their department;
/// each rater starts from its ridge mean residual against the plain cell means (both collected during the collapse);
/// and the sweeps are Anderson-accelerated over rater effects, behaviour means and variance components together.
/// All of this changes only the path, not the fixed point.</para>
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
    /// <summary>Recency weights are tabulated by age in days up to 2^14 days (~45 years).</summary>
    private const int RecencyBits = 14;
    /// <summary>Distinct raters one person may have (slots are packed in 24 bits).</summary>
    private const int MaxSlots = 1 << 24;
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
    /// <summary>Global index of each person's first pair (persons + 1 entries); pairs of chunk k live in its arrays from _chunkBase[k].</summary>
    private readonly int[] _personPairStart;
    /// <summary>Global index of each person's first rater slot (persons + 1 entries); slots of chunk k live in _slotRater[k] from _slotBase[k].</summary>
    private readonly int[] _personSlotStart;

    // (cell, rater) pairs, per chunk of persons: each person's pairs rater by rater (slot order), behaviour order within.
    private readonly int[] _chunkLo;
    private readonly int[] _chunkBase;
    /// <summary>
    /// Per pair, the behaviour and the rater's slot packed as <c>behaviour &lt;&lt; shift | slot</c> (shift per person: the
    /// bits its slot numbers need, see <see cref="PersonShift"/>), in 2 bytes where every person of the chunk fits (the
    /// usual case) and in 4 where one does not; and the pair's weight. A person's pairs are one flat run, no loop per cell.
    /// </summary>
    private readonly ushort[]?[] _pairIndex16;
    private readonly uint[]?[] _pairIndex32;
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
    private Workspace? _addWorkspace;

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
    /// <summary>Passes over the (cell, rater) pairs: one per sweep.</summary>
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
        _recency = new double[1 << RecencyBits];
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
        _personPairStart = new int[persons + 1];
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
        _pairIndex16 = new ushort[chunks][];
        _pairIndex32 = new uint[chunks][];
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
            foreach (var p in _pairIndex16) pairs += (p?.Length ?? 0) * (2L + 4);
            foreach (var p in _pairIndex32) pairs += (p?.Length ?? 0) * (4L + 4);
            long slots = 0;
            foreach (var t in _slotRater) slots += t?.Length ?? 0;
            return (long)_cellMean.Length * (4 + 4 + 4 + 4 + 4) + pairs + slots * 4 + _personSlotStart.Length * 4L + _personPairStart.Length * 4L +
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
        var workspace = _addWorkspace ??= new Workspace(_nb, 0);
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
        return Math.Min(k, _pairWeight.Length - 1);
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
        _slotValues = GC.AllocateUninitializedArray<double>(_slotBase[^1]);
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
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            Iterations = iteration;
            SaveState(state);
            var all = Sweep(chunkStats, acc);
            UpdateSubjectComponents(all);
            var maxDelta = RaterStep(acc, all);
            var stable = Relative(previousTauG, _tauG2) && Relative(previousSigma2, _sigma2) && Relative(previousTauU, _tauU2) && Relative(previousTauV, _tauV2) && Relative(previousSigmaB, _sigmaB2);
            previousTauG = _tauG2; previousSigma2 = _sigma2; previousTauU = _tauU2; previousTauV = _tauV2; previousSigmaB = _sigmaB2;
            LastRaterChange = maxDelta;
            // Converged: keep this plain step, whose rater effects are the ridge means given the persons just solved.
            if (iteration > 1 && maxDelta < Options.ConvergenceTolerance && stable) { Converged = true; break; }
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
        _slotValues = [];
        _workspaces.Clear();
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
        // Rows grouped by subject (as the app loads them) are read in place; otherwise a counting sort orders them.
        var grouped = _n == 0 || ((uint)subjects[0] < (uint)PersonCount && (uint)subjects[_n - 1] < (uint)PersonCount && _obs.IsGroupedBySubject());
        InputGroupedBySubject = grouped;
        int[]? start = null, order = null;
        if (!grouped)
        {
            start = new int[PersonCount + 1];
            for (var i = 0; i < _n; i++)
            {
                var s = subjects[i];
                if ((uint)s >= (uint)PersonCount) throw new ArgumentOutOfRangeException(nameof(_obs), s, "subject outside the person space");
                start[s + 1]++;
            }
            for (var p = 0; p < PersonCount; p++) start[p + 1] += start[p];
            // Counting sort of row indices by subject (stable; only the fit's lifetime).
            var next = (int[])start.Clone();
            order = new int[_n];
            for (var i = 0; i < _n; i++) order[next[subjects[i]]++] = i;
        }

        // Chunks of persons by index only: their partial sums are combined in chunk order, so the boundaries must not
        // depend on the thread count nor on rows that do not count (e.g. evidence after the as-of date).
        var chunks = _pairWeight.Length;
        for (var k = 0; k < chunks; k++) _chunkLo[k] = (int)((long)PersonCount * k / chunks);
        _chunkLo[chunks] = PersonCount;

        var weightTable = WeightTable();
        var chunkUsed = new long[chunks];
        var chunkY2 = new long[chunks];
        var sharedLock = new object();
        var raterN = new long[PersonCount];
        var raterSy = new long[PersonCount];
        var raterResid = new long[PersonCount];
        var crossN = new long[_groups * _groups];
        var crossSy = new long[_groups * _groups];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new CollapseWorkspace(PersonCount, _nb, _groups),
            (k, _, ws) =>
            {
                var rows = start is null ? FirstRowOf(subjects, _chunkLo[k]) : 0;
                CollapseChunk(k, rows, start, order, weightTable, ws, out chunkUsed[k], out chunkY2[k]);
                return ws;
            },
            ws =>
            {
                // Exact integer sums: the totals do not depend on which thread collapsed which chunk.
                lock (sharedLock)
                {
                    for (var r = 0; r < PersonCount; r++)
                    {
                        ref var totals = ref ws.RaterTotals[r];
                        _raterRatings[r] += (int)totals.Count;
                        raterN[r] += totals.N;
                        raterSy[r] += totals.Sy;
                        raterResid[r] += totals.Resid;
                    }
                    for (var g = 0; g < crossN.Length; g++)
                    {
                        crossN[g] += ws.CrossN[g];
                        crossSy[g] += ws.CrossSy[g];
                    }
                }
            });
        _raterResid = new double[PersonCount];
        for (var r = 0; r < PersonCount; r++)
        {
            _raterN[r] = raterN[r] * InvScale;
            _raterSy[r] = raterSy[r] * InvScale;
            _raterResid[r] = raterResid[r] * InvScale;
        }
        _crossN = crossN;
        _crossSy = crossSy;

        // Global pair indices: chunk k's pairs follow chunk k − 1's.
        for (var k = 0; k < chunks; k++)
        {
            _chunkBase[k + 1] = _chunkBase[k] + _pairWeight[k].Length;
            _slotBase[k + 1] = _slotBase[k] + _slotRater[k].Length;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
        {
            for (var p = _chunkLo[k]; p < _chunkLo[k + 1]; p++)
            {
                _personPairStart[p] += _chunkBase[k];
                _personSlotStart[p] += _slotBase[k];
            }
        });
        _personPairStart[PersonCount] = _chunkBase[chunks];
        _personSlotStart[PersonCount] = _slotBase[chunks];
        PairCount = _chunkBase[chunks];
        ObservationsUsed = chunkUsed.Sum();
        long y2 = 0;
        foreach (var v in chunkY2) y2 += v;
        _sumWy2 = y2 * InvScale;
    }

    /// <summary>The first row whose subject is at least <paramref name="person"/> in rows grouped by subject.</summary>
    private int FirstRowOf(int[] subjects, int person)
    {
        int lo = 0, hi = _n;
        while (lo < hi)
        {
            var mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (subjects[mid] < person) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>A rater's exact fixed-point totals in one collapse thread, in one cache line.</summary>
    private struct RaterTotal
    {
        public long N, Sy, Count, Resid;
    }

    private struct CellTotal
    {
        public long N, Sy;
        public int Count;
    }

    private struct SlotTotal
    {
        public long N, Sy;
        /// <summary>Behaviours rated (bit b; used when there are at most 64 behaviours).</summary>
        public ulong Mask;
        public int Count, Rater;
    }

    private sealed class CollapseWorkspace(int persons, int behaviors, int groups)
    {
        /// <summary>Σw and Σw·y by (subject's group × rater's group), for the starting values of the group effects.</summary>
        public readonly long[] CrossN = new long[groups * groups];
        public readonly long[] CrossSy = new long[groups * groups];
        /// <summary>
        /// Per rater, the serial number its slot got when it last appeared: serials only grow, so a serial at least the
        /// current subject's first one names this subject's slot (serial − first), in one 4-byte load.
        /// </summary>
        public readonly int[] Seen = new int[persons];
        public int NextSerial = 1;
        public readonly RaterTotal[] RaterTotals = new RaterTotal[persons];
        /// <summary>Per behaviour of the current subject: Σw, Σw·y and the count.</summary>
        public readonly CellTotal[] Cells = new CellTotal[behaviors];
        /// <summary>Per rater of the current subject (slot): the rater, Σw, Σw·y, count and behaviours rated; and Σw per behaviour.</summary>
        public SlotTotal[] Slots = new SlotTotal[64];
        public long[] PairW = new long[64 * behaviors];
        /// <summary>Pairs of the chunk being collapsed, before they are copied out at their exact size (reused across chunks).</summary>
        /// <summary>Per pair, behaviour &lt;&lt; shift | slot: in 2 bytes until a person of the chunk needs more.</summary>
        public ushort[] ChunkPairIndex = [];
        public uint[] ChunkPairIndexWide = [];
        public float[] ChunkWeight = [];
        public int[] ChunkSlotRater = [];
        /// <summary>Per slot of the chunk (in order): Σw, Σw·y and the count, for the rater totals at the chunk's end.</summary>
        public long[] ChunkSlotN = [], ChunkSlotSy = [], ChunkSlotResid = [];
        public int[] ChunkSlotRatings = [];
        /// <summary>Per slot, rater &lt;&lt; 32 | slot; then the same sorted (by rater).</summary>
        public long[] SlotKeys = new long[64], SortedKeys = new long[64];

        public void Grow(int behaviors)
        {
            var size = Slots.Length * 2;
            Array.Resize(ref Slots, size);
            Array.Resize(ref SlotKeys, size);
            Array.Resize(ref SortedKeys, size);
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
    private void CollapseChunk(int k, int firstRow, int[]? start, int[]? order, long[] weightTable, CollapseWorkspace ws, out long used, out long y2)
    {
        var nb = _nb;
        int lo = _chunkLo[k], hi = _chunkLo[k + 1];
        var subjects = _obs.Subject;
        var rowEnd = firstRow;
        if (start is null) rowEnd = FirstRowOf(subjects, hi);
        // Scratch for every row as its own pair (and slot), the most a chunk can need.
        var capacity = Math.Max(start is null ? rowEnd - firstRow : start[hi] - start[lo], 1);
        if (ws.ChunkPairIndex.Length < capacity)
        {
            // Scratch sized for the worst case (every row its own pair); never zeroed, as every entry used is written first.
            ws.ChunkPairIndex = GC.AllocateUninitializedArray<ushort>(capacity);
            ws.ChunkPairIndexWide = [];
            ws.ChunkWeight = GC.AllocateUninitializedArray<float>(capacity);
            ws.ChunkSlotRater = GC.AllocateUninitializedArray<int>(capacity);
            ws.ChunkSlotN = GC.AllocateUninitializedArray<long>(capacity);
            ws.ChunkSlotSy = GC.AllocateUninitializedArray<long>(capacity);
            ws.ChunkSlotRatings = GC.AllocateUninitializedArray<int>(capacity);
            ws.ChunkSlotResid = GC.AllocateUninitializedArray<long>(capacity);
        }
        var slotN = ws.ChunkSlotN;
        var slotSy = ws.ChunkSlotSy;
        var slotRatings = ws.ChunkSlotRatings;
        var slotResid = ws.ChunkSlotResid;
        var pairIndex = ws.ChunkPairIndex;
        var wideIndex = ws.ChunkPairIndexWide;
        var wide = false;
        var pairWeight = ws.ChunkWeight;
        var slotRater = ws.ChunkSlotRater;
        var count = 0;
        var slotCount = 0;
        used = 0;
        y2 = 0;
        var row = firstRow;
        for (var s = lo; s < hi; s++)
        {
            var cellBase = s * nb;
            int from, to;
            if (start is null)
            {
                from = row;
                while (row < rowEnd && subjects[row] == s) row++;
                to = row;
            }
            else
            {
                from = start[s];
                to = start[s + 1];
            }
            var firstSerial = ws.NextSerial;
            var slots = order is null
                ? AccumulateRows<InPlace>(from, to, order, weightTable, ws, firstSerial, ref y2, out var selfCount, out var selfSum)
                : AccumulateRows<Ordered>(from, to, order, weightTable, ws, firstSerial, ref y2, out selfCount, out selfSum);
            ws.NextSerial = checked(firstSerial + slots);
            _selfCount[s] = selfCount;
            _selfSum[s] = selfSum;
            _raterCount[s] = slots;
            var evidence = 0;
            if (slots > MaxSlots)
                throw new NotSupportedException($"person {s} has {slots:N0} distinct raters; the engine supports at most {MaxSlots:N0} per person");
            var shift = PersonShift(slots);
            if (!wide && (Options.WidePairIndex || ((long)(nb - 1) << shift) > ushort.MaxValue))
            {
                // This person's pairs need 4 bytes, so the whole chunk's do (rare: thousands of raters for one person).
                if (wideIndex.Length < capacity) wideIndex = ws.ChunkPairIndexWide = GC.AllocateUninitializedArray<uint>(capacity);
                for (var j = 0; j < count; j++) wideIndex[j] = pairIndex[j];
                wide = true;
            }
            // The subject's raters sorted by rater id (the slots' order of first appearance depends on the input order).
            var slotTotals = ws.Slots;
            var pairW = ws.PairW;
            for (var t = 0; t < slots; t++) ws.SlotKeys[t] = ((long)slotTotals[t].Rater << 32) | (uint)t;
            SortSlots(ws.SlotKeys, ws.SortedKeys, slots);
            _personSlotStart[s] = slotCount;
            var cells = ws.Cells;
            for (var b = 0; b < nb; b++)
            {
                ref var cell = ref cells[b];
                if (cell.Count == 0) continue;
                _cellCount[cellBase + b] = cell.Count;
                _cellWeight[cellBase + b] = (float)(cell.N * InvScale);
                _cellMean[cellBase + b] = (float)((double)cell.Sy / cell.N);
                cell = default;
            }
            // The pairs go out rater by rater in sorted order, behaviours in order within a rater: one order whatever
            // order the rows came in, so every sum over them is taken in one order. Each rater's behaviours are the set
            // bits of its mask, so only the pairs that exist are visited.
            _personPairStart[s] = count;
            for (var t = 0; t < slots; t++)
            {
                var key = ws.SortedKeys[t];
                var slot = (int)(uint)key;
                var j = slotCount + t;
                slotRater[j] = (int)(key >> 32);
                ref var total = ref slotTotals[slot];
                slotN[j] = total.N;
                slotSy[j] = total.Sy;
                slotRatings[j] = total.Count;
                evidence += total.Count;
                var weights = slot * nb;
                var useMask = nb <= 64 && !Options.ScanBehaviours;
                var mask = total.Mask;
                double fitted = 0;
                for (var b = -1; NextBehaviour(useMask, ref mask, pairW, weights, nb, ref b);)
                {
                    var w = pairW[weights + b];
                    var packed = ((uint)b << shift) | (uint)t;
                    if (wide) wideIndex[count] = packed; else pairIndex[count] = (ushort)packed;
                    fitted += w * Widen(_cellMean[cellBase + b]);
                    pairWeight[count] = (float)(w * InvScale);
                    pairW[weights + b] = 0;
                    count++;
                }
                slotResid[j] = total.Sy - (long)fitted;
            }
            slotCount += slots;
            slotTotals.AsSpan(0, slots).Clear();
            _evidence[s] = evidence;
            used += evidence;
        }
        // Rater totals once per (subject, rater) instead of once per row, in a loop of their own: its random
        // accesses are independent and overlap, and they stay out of the cache the loop over the rows works in.
        var totals = ws.RaterTotals;
        for (var p = lo; p < hi; p++)
        {
            var from = _personSlotStart[p];
            var to = p + 1 < hi ? _personSlotStart[p + 1] : slotCount;
            var crossRow = _groups > 0 ? _raterGroup![p] * _groups : 0;
            for (var j = from; j < to; j++)
            {
                var r = slotRater[j];
                ref var total = ref totals[r];
                total.N += slotN[j];
                total.Sy += slotSy[j];
                total.Count += slotRatings[j];
                total.Resid += slotResid[j];
                if (_groups == 0) continue;
                var cross = crossRow + _raterGroup![r];
                ws.CrossN[cross] += slotN[j];
                ws.CrossSy[cross] += slotSy[j];
            }
        }
        if (wide) _pairIndex32[k] = wideIndex.AsSpan(0, count).ToArray();
        else _pairIndex16[k] = pairIndex.AsSpan(0, count).ToArray();
        _pairWeight[k] = GC.AllocateUninitializedArray<float>(count);
        _slotRater[k] = GC.AllocateUninitializedArray<int>(slotCount);
        Array.Copy(pairWeight, _pairWeight[k], count);
        Array.Copy(slotRater, _slotRater[k], slotCount);
    }

    /// <summary>
    /// The next behaviour a slot rated after <paramref name="b"/>: the next set bit of its mask (up to 64 behaviours:
    /// only the pairs that exist are visited), else the next non-zero weight in its row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool NextBehaviour(bool useMask, ref ulong mask, long[] pairW, int weights, int nb, ref int b)
    {
        if (useMask)
        {
            if (mask == 0) return false;
            b = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            return true;
        }
        do b++; while (b < nb && pairW[weights + b] == 0);
        return b < nb;
    }

    /// <summary>Bits a person's slot numbers take in its packed pair indices (the behaviour sits above them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PersonShift(int slots) => slots <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(slots - 1));

    /// <summary>
    /// One subject's rows into its per-behaviour and per-rater totals and the rater × behaviour weights; returns the
    /// number of distinct raters (slots). A method of its own, so that the loop keeps its few values in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AccumulateRows<TRows>(int from, int to, int[]? order, long[] weightTable, CollapseWorkspace ws, int firstSerial, ref long y2,
        out int selfCount, out int selfSum) where TRows : struct, IRowOrder
    {
        // Plain references and explicit range checks: the loop's values stay in registers.
        ref var raterRef = ref MemoryMarshal.GetArrayDataReference(_obs.Rater);
        ref var behaviorRef = ref MemoryMarshal.GetArrayDataReference(_obs.Behavior);
        ref var relationshipRef = ref MemoryMarshal.GetArrayDataReference(_obs.Relationship);
        ref var ratingRef = ref MemoryMarshal.GetArrayDataReference(_obs.Rating);
        ref var dayRef = ref MemoryMarshal.GetArrayDataReference(_obs.Day);
        ref var weightRef = ref MemoryMarshal.GetArrayDataReference(weightTable);
        ref var seenRef = ref MemoryMarshal.GetArrayDataReference(ws.Seen);
        ref var cellsRef = ref MemoryMarshal.GetArrayDataReference(ws.Cells);
        var nb = _nb;
        var persons = PersonCount;
        var asOf = _asOf;
        var maxAge = _recency.Length - 1;
        var slotTotals = ws.Slots;
        var pairW = ws.PairW;
        var slots = 0;
        long squares = 0;
        int selves = 0, selfRatings = 0;
        for (var j = from; j < to; j++)
        {
            var i = TRows.Row(order, j);
            var age = asOf - Unsafe.Add(ref dayRef, i);
            if (age < 0) continue;
            var rel = Unsafe.Add(ref relationshipRef, i);
            int y = Unsafe.Add(ref ratingRef, i);
            if (rel == (byte)RelationshipCode.Self)
            {
                selves++;
                selfRatings += y;
                continue;
            }
            if (rel >= RelationshipCodes.Count) throw new ArgumentOutOfRangeException(nameof(_obs), rel, "unknown relationship code");
            var wf = Unsafe.Add(ref weightRef, (rel << RecencyBits) + Math.Min(age, maxAge));
            if (wf <= 0) continue;
            var r = Unsafe.Add(ref raterRef, i);
            if ((uint)r >= (uint)persons) throw new ArgumentOutOfRangeException(nameof(_obs), r, "rater outside the person space");
            int b = Unsafe.Add(ref behaviorRef, i);
            if (b >= nb) throw new ArgumentOutOfRangeException(nameof(_obs), b, "behaviour outside the behaviour list");
            // The rater's slot in this subject, or the next free one — without a branch: about one row in five brings
            // a new rater, too often and too irregularly for a branch to be predicted. Slot totals start at zero
            // (cleared after each subject), so a new slot needs no set-up beyond its rater.
            ref var mark = ref Unsafe.Add(ref seenRef, r);
            var existing = mark - firstSerial;
            var isNew = existing >> 31; // −1 when the rater is new to this subject
            var slot = existing + (isNew & (slots - existing));
            slots -= isNew;
            mark = firstSerial + slot;
            if (slots > slotTotals.Length)
            {
                ws.Grow(nb);
                slotTotals = ws.Slots;
                pairW = ws.PairW;
            }
            var wy = wf * y;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pairW), slot * nb + b) += wf;
            ref var total = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slotTotals), slot);
            total.Rater = r;
            total.Mask |= 1UL << b;
            total.N += wf;
            total.Sy += wy;
            total.Count++;
            ref var cell = ref Unsafe.Add(ref cellsRef, b);
            cell.N += wf;
            cell.Sy += wy;
            cell.Count++;
            squares += wy * y;
        }
        y2 += squares;
        selfCount = selves;
        selfSum = selfRatings;
        return slots;
    }

    /// <summary>Rows in place (grouped by subject) or through an order: a type argument, so each loop is compiled without the test.</summary>
    private interface IRowOrder
    {
        static abstract int Row(int[]? order, int j);
    }

    private struct InPlace : IRowOrder
    {
        public static int Row(int[]? order, int j) => j;
    }

    private struct Ordered : IRowOrder
    {
        public static int Row(int[]? order, int j) => order![j];
    }

    /// <summary>
    /// Sorts a person's (rater, slot) keys into <paramref name="sorted"/>. The usual few dozen are placed by rank — each
    /// key's rank is the number of smaller keys, counted four at a time — without the unpredictable branches of a
    /// comparison sort; more than that take the library sort.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortSlots(long[] keys, long[] sorted, int count)
    {
        if (count > 48)
        {
            keys.AsSpan(0, count).CopyTo(sorted);
            sorted.AsSpan(0, count).Sort();
            return;
        }
        ref var first = ref MemoryMarshal.GetArrayDataReference(keys);
        for (var i = 0; i < count; i++)
        {
            var key = Unsafe.Add(ref first, i);
            var key4 = Vector256.Create(key);
            var rank = 0;
            var j = 0;
            for (; j + 4 <= count; j += 4)
                rank += BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref first, (nuint)j), key4).ExtractMostSignificantBits());
            for (; j < count; j++) rank += Unsafe.Add(ref first, j) < key ? 1 : 0;
            sorted[rank] = key;
        }
    }

    /// <summary>Starting values: behaviour means, pooled within-cell variance, modest between-person and rater variances.</summary>
    private void InitialComponents()
    {
        // Per chunk of persons on the worker threads, combined in chunk order (deterministic whatever the threads).
        var chunks = _pairWeight.Length;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
        {
            // Σn and Σn·ȳ per behaviour, then Σn·ȳ² and the observed cells.
            var sums = new double[2 * _nb + 2];
            for (var c = _chunkLo[k] * _nb; c < _chunkLo[k + 1] * _nb; c++)
            {
                var n = Widen(_cellWeight[c]);
                if (n <= 0) continue;
                var mean = Widen(_cellMean[c]);
                var b = c % _nb;
                sums[b] += n;
                sums[_nb + b] += n * mean;
                sums[2 * _nb] += n * mean * mean;
                sums[2 * _nb + 1]++;
            }
            partial[k] = sums;
        });
        var sumN = new double[_nb];
        var sumY = new double[_nb];
        double betweenSs = 0;
        long observedCells = 0;
        foreach (var sums in partial)
        {
            for (var b = 0; b < _nb; b++) { sumN[b] += sums[b]; sumY[b] += sums[_nb + b]; }
            betweenSs += sums[2 * _nb];
            observedCells += (long)sums[2 * _nb + 1];
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
        StartingRaterEffects();
    }

    private long[] _crossN = [], _crossSy = [];
    private double[] _raterResid = [];

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

    /// <summary>
    /// Starting values of the individual rater effects: each rater's ridge mean of its ratings against the plain means
    /// of the cells it rated (collected during the collapse). A rough first backfitting step for free; it saves a
    /// sweep, and only the start changes.
    /// </summary>
    private void StartingRaterEffects()
    {
        var lambda = _sigma2 / _sigmaB2;
        for (var p = 0; p < PersonCount; p++)
            if (_raterN[p] > 0) _leniency[p] += _raterResid[p] / (_raterN[p] + lambda);
        _raterResid = [];
    }

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

    /// <summary>Four floats widened to doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen4(ref float source)
    {
        var v = Vector128.LoadUnsafe(ref source);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
    }

    /// <summary>Four doubles narrowed to floats and stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Narrow4(Vector256<double> value, ref float destination) =>
        Vector128.Narrow(value.GetLower(), value.GetUpper()).StoreUnsafe(ref destination);

    /// <summary>The sum of the four lanes, in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum4(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));

    /// <summary>
    /// Σw·b per behaviour over one person's pairs, in one flat loop (no loop per cell, whose short and uneven trip counts
    /// cost a mispredicted branch each). Four banks take turns, so the adds do not queue behind one another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherPairs<T>(ref T index, ref double weight, int hi, int shift, ref double local, ref double bank0, int nb)
        where T : unmanaged, IBinaryInteger<T> =>
        PairProducts(ref index, ref weight, hi, shift, uint.MaxValue, 0, (1u << shift) - 1, ref local, ref bank0, nb);

    /// <summary>Σw·θ̂ per slot over one person's pairs (see <see cref="GatherPairs{T}"/>): four banks of <paramref name="stride"/> slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterPairs<T>(ref T index, ref double weight, int hi, int shift, ref double theta, ref double bank0, int stride)
        where T : unmanaged, IBinaryInteger<T> =>
        PairProducts(ref index, ref weight, hi, 0, (1u << shift) - 1, shift, uint.MaxValue, ref theta, ref bank0, stride);

    /// <summary>
    /// For each pair j: bank[j mod 4][target] += w[j] · source[from], where target and from are the two halves of the
    /// packed index (behaviour above the slot): (index &gt;&gt; shift) &amp; mask for each. The four banks are
    /// <paramref name="stride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairProducts<T>(ref T index, ref double weight, int count, int targetShift, uint targetMask, int sourceShift, uint sourceMask,
        ref double source, ref double bank0, int stride)
        where T : unmanaged, IBinaryInteger<T>
    {
        nint s1 = stride, s2 = 2 * (nint)stride, s3 = 3 * (nint)stride;
        ref var end = ref Unsafe.Add(ref index, count & ~3);
        while (Unsafe.IsAddressLessThan(ref index, ref end))
        {
            var i0 = uint.CreateTruncating(index);
            var i1 = uint.CreateTruncating(Unsafe.Add(ref index, 1));
            var i2 = uint.CreateTruncating(Unsafe.Add(ref index, 2));
            var i3 = uint.CreateTruncating(Unsafe.Add(ref index, 3));
            Unsafe.Add(ref bank0, (nint)((i0 >> targetShift) & targetMask)) += weight * Unsafe.Add(ref source, (nint)((i0 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i1 >> targetShift) & targetMask) + s1) += Unsafe.Add(ref weight, 1) * Unsafe.Add(ref source, (nint)((i1 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i2 >> targetShift) & targetMask) + s2) += Unsafe.Add(ref weight, 2) * Unsafe.Add(ref source, (nint)((i2 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i3 >> targetShift) & targetMask) + s3) += Unsafe.Add(ref weight, 3) * Unsafe.Add(ref source, (nint)((i3 >> sourceShift) & sourceMask));
            index = ref Unsafe.Add(ref index, 4);
            weight = ref Unsafe.Add(ref weight, 4);
        }
        for (var j = 0; j < (count & 3); j++)
        {
            var i0 = uint.CreateTruncating(Unsafe.Add(ref index, j));
            Unsafe.Add(ref bank0, (nint)((i0 >> targetShift) & targetMask)) += Unsafe.Add(ref weight, j) * Unsafe.Add(ref source, (nint)((i0 >> sourceShift) & sourceMask));
        }
    }

    /// <summary>
    /// float → double without a dependency on the register's previous contents: the plain conversion the JIT emits
    /// (<c>vcvtss2sd x, x, m</c>) merges into its destination and so waits for whatever last wrote it, which chains one
    /// cell's division to the next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Widen(float value) =>
        Sse2.IsSupported ? Sse2.ConvertScalarToVector128Double(Vector128<double>.Zero, Vector128.CreateScalarUnsafe(value)).ToScalar() : value;

    /// <summary>
    /// Pair weights are kept as float (4 bytes) but summed in double. A scalar float-to-double conversion in the loops
    /// would merge into its destination register and chain every pair to the one before; widening the person's weights
    /// in vectors first leaves the loops free of that chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenWeights(ref float source, ref double destination, int count)
    {
        var j = 0;
        for (; j + Vector256<float>.Count <= count; j += Vector256<float>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
            lower.StoreUnsafe(ref destination, (nuint)j);
            upper.StoreUnsafe(ref destination, (nuint)(j + Vector256<double>.Count));
        }
        for (; j < count; j++) Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, j);
    }


    private sealed class ChunkStats(int behaviors)
    {
        public readonly double[] MuNum = new double[behaviors], MuDen = new double[behaviors];
        public double SumU2, SumV2, CellDf, PersonDf;
        public long Persons, Cells;
        // For the residual sum of squares: Σ θ·Σwy, Σ N·θ², Σ θ·Σwb over cells.
        public double ThetaResid, NTheta2;

        public void Clear()
        {
            Array.Clear(MuNum); Array.Clear(MuDen);
            SumU2 = SumV2 = CellDf = PersonDf = ThetaResid = NTheta2 = 0;
            Persons = Cells = 0;
        }

        public void Add(ChunkStats o)
        {
            for (var b = 0; b < MuNum.Length; b++) { MuNum[b] += o.MuNum[b]; MuDen[b] += o.MuDen[b]; }
            SumU2 += o.SumU2; SumV2 += o.SumV2; CellDf += o.CellDf; PersonDf += o.PersonDf; Persons += o.Persons; Cells += o.Cells;
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
        Parallel.For(0, chunkStats.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => _workspaces.TryTake(out var ws) ? ws : new Workspace(_nb, PersonCount),
            (k, _, ws) =>
            {
                SweepChunk(k, chunkStats[k], ws);
                return ws;
            },
            ws =>
            {
                // Exact integer sums: the total does not depend on which thread did which chunk.
                lock (sharedLock) for (var r = 0; r < acc.Length; r++) acc[r] += ws.Acc[r];
                Array.Clear(ws.Acc);
                _workspaces.Add(ws);
            });
        var all = new ChunkStats(_nb);
        foreach (var c in chunkStats) all.Add(c); // chunk order: deterministic whatever the thread count
        _cellDf = all.CellDf;
        return all;
    }

    /// <summary>Per-thread workspaces, kept from sweep to sweep of one fit.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<Workspace> _workspaces = [];
    /// <summary>During a fit, one value per slot: its rater's effect before a person's gather, its Σw·θ̂ after the scatter.</summary>
    private double[] _slotValues = [];

    /// <summary>The sweep over one chunk of persons (see <see cref="Sweep"/>). Sweeps run only while fitting, before any
    /// incremental update, so they read the pairs alone.</summary>
    private void SweepChunk(int k, ChunkStats stats, Workspace ws)
    {
        stats.Clear();
        if (_pairIndex16[k] is { } index) SweepChunk(k, index, stats, ws);
        else SweepChunk(k, _pairIndex32[k]!, stats, ws);
    }

    /// <summary>
    /// The chunk's rater effects are first copied into its slots in one tight loop (random reads, but independent
    /// ones, so they overlap), the persons then read them in order, the scatter leaves each slot's Σw·θ̂ in its place,
    /// and a last tight loop adds those to the raters' totals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SweepChunk<T>(int k, T[] index, ChunkStats stats, Workspace ws) where T : unmanaged, IBinaryInteger<T>
    {
        var raters = _slotRater[k];
        var slotBase = _slotBase[k];
        ref var values = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slotValues), slotBase);
        var leniency = _leniency;
        for (var j = 0; j < raters.Length; j++) Unsafe.Add(ref values, j) = leniency[raters[j]];
        for (var s = _chunkLo[k]; s < _chunkLo[k + 1]; s++)
        {
            if (_evidence[s] == 0) { SolveSubject(s, null, stats); continue; }
            ref var local = ref Unsafe.Add(ref values, _personSlotStart[s] - slotBase);
            GatherCells(s, k, index, ws, ref local);
            SolveCells(s, ws, stats);
            Scatter(s, k, index, ws, stats, ref local);
        }
        var acc = ws.Acc;
        for (var j = 0; j < raters.Length; j++) acc[raters[j]] += double.ConvertToIntegerNative<long>(Unsafe.Add(ref values, j) * Scale);
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

    private ChunkStats? _addStats;

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
        Vector256<double> sum4 = default, sumK4 = default, sumPv4 = default, sumV24 = default;
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
            sumV24 += v * v;
            sum4 += theta;
            sumK4 += k;
            sumPv4 += pv;
        }
        double sum = Sum4(sum4), sumK = Sum4(sumK4), sumPv = Sum4(sumPv4), sumV2 = Sum4(sumV24);
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
            sumV2 += v * v;
            sum += theta;
            sumK += k;
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
        stats.SumU2 += u * u;
        stats.PersonDf += 1 - pu / _tauU2;
        stats.Persons++;
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
