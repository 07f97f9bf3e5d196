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
/// <para>Convergence: the department leniencies start from a two-way fit of the (subject department × rater
/// department) table, since backfitting wears that mode down slowly when people mostly rate within their department;
/// each rater starts from its ridge mean residual against the plain cell means (both collected during the collapse);
/// and the sweeps are Anderson-accelerated over rater effects, behaviour means and variance components together.
/// All of this changes only the path, not the fixed point.</para>
/// <para>The type is split by phase: this file holds the constants, every field and the public surface (results and the
/// incremental update); <c>ReadinessModel.Collapse.cs</c> the one pass over the observations; <c>ReadinessModel.Start.cs</c>
/// the starting values; <c>ReadinessModel.Sweep.cs</c> the backfitting sweeps, the person solve and the variance
/// component updates; <c>ReadinessModel.Kernels.cs</c> the stateless inner loops (tested directly).</para>
/// </remarks>
public sealed partial class ReadinessModel
{
    // ---- constants -------------------------------------------------------------------------------------------

    /// <summary>
    /// Fixed-point scale of the exact sums: weights, weighted ratings and the raters' Σw·θ̂ are added as 64-bit
    /// integers in units of 2⁻³² (a full-weight observation is 2³²). Integer addition is associative, so the totals,
    /// and with them every result, are bit for bit the same whatever the thread count or the order in which chunks
    /// finish. Resolution 2.3·10⁻¹⁰ of a weight; Σw·y² (at most 25·2³² per row) stays below 2⁶³ up to about 85
    /// million full-weight observations.
    /// </summary>
    private const double Scale = 4294967296.0;
    private const double InvScale = 1.0 / Scale;
    /// <summary>Smallest value of a variance component (SD 0.01 rating points): keeps the ratios σ²/τ² finite.</summary>
    private const double VarianceFloor = 1e-4;
    /// <summary>
    /// Starting values of the variance components, and the centre of their weak priors, in squared rating points:
    /// people differ by SD 0.5 overall (τu²), a person's behaviours by SD 0.22 around that (τv²), raters by SD 0.32
    /// (σb²) and departments by SD 0.32 (τg²) — typical of 1–5 ratings; the data outweighs them at once.
    /// </summary>
    private const double InitialTauU2 = 0.25, InitialTauV2 = 0.05, InitialSigmaB2 = 0.1, InitialTauG2 = 0.1;
    /// <summary>Weight of each variance component's prior, in effective observations (effects) at the starting value.</summary>
    private const double PriorWeight = 4;
    /// <summary>
    /// Persons are cut into at most this many chunks by index alone: the unit of parallel work and the order in which
    /// partial sums are combined, so it must not depend on the thread count (64 keeps both cores busy with little scratch).
    /// </summary>
    private const int MaxChunks = 64;
    /// <summary>Recency weights are tabulated by age in days up to 2^14 days (~45 years).</summary>
    private const int RecencyBits = 14;
    /// <summary>Distinct raters one person may have (slots are packed in 24 bits).</summary>
    private const int MaxSlots = 1 << 24;
    /// <summary>How many past sweeps Anderson acceleration combines.</summary>
    private const int AccelerationDepth = 5;
    /// <summary>Variance components in the accelerated state: σ², τu², τv², σb², τg² (as logs).</summary>
    private const int Components = 5;
    /// <summary>An accelerated component stays within a factor of two (this, in logs) of its plain EM step.</summary>
    private static readonly double MaxComponentLogStep = Math.Log(2);

    // ---- fields ----------------------------------------------------------------------------------------------
    // Every field of the model is declared here, grouped by what it describes.

    // Input and settings.
    private readonly ObservationTable _obs;
    private readonly int _n;
    private readonly int _nb;
    private readonly int _asOf;
    private readonly double[] _recency;
    private readonly double[] _relationWeight;
    private readonly int _parallelism;
    /// <summary>Rater group (e.g. department, 0-based) per person, or null; <see cref="_groups"/> groups.</summary>
    private readonly int[]? _raterGroup;
    private readonly int _groups;

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
    /// <summary>Per rater, Σw·(y − plain cell mean) from the collapse: the starting rater effects (freed after use).</summary>
    private double[] _raterResid = [];

    // Groups (rater departments): their shared leniency, and Σw and Σw·y by (subject's group × rater's group) from the
    // collapse, for the starting values of the group effects.
    private readonly double[] _groupLeniency;
    private long[] _crossN = [], _crossSy = [];

    // Observations added after the fit (incremental updates): per cell Σw, Σw·y, Σw·b, and the (subject, rater) pairs.
    private readonly Dictionary<int, (double N, double Sy, double Sb)> _added = [];
    private readonly HashSet<long> _addedPairs = [];
    private Workspace? _addWorkspace;
    private ChunkStats? _addStats;

    // The variance components and behaviour means (the fixed-point state besides the rater effects), Σw·y² of every
    // used observation (for the residual sum of squares), and the last sweep's effective number of cell effects.
    private readonly double[] _mu;
    private double _sigma2, _tauU2, _tauV2, _sigmaB2;
    private double _sumWy2;
    private double _tauG2 = InitialTauG2;
    private double _cellDf;

    // What the fit knows about each rater's effect once the people it rated are integrated out (T_r), the variance of
    // each department's shared effect and of each behaviour mean: the parts of a person's variance beyond its own
    // posterior (ReadinessModel.Variance.cs), kept for incremental updates.
    private double[] _raterInformation = [], _groupVariance = [], _muVariance = [];
    /// <summary>
    /// The components T_r was taken with (the noise variance, τu², τv²): once, with the shares after the second sweep,
    /// for both σb²'s degrees of freedom and the intervals; a person's own part of T_r is taken out with the same ones.
    /// </summary>
    private (double Noise, double TauU2, double TauV2) _informationComponents;
    /// <summary>Per chunk and department Σ_p t_dp from the same pass, until the variance pass uses it.</summary>
    private double[][]? _shareGroupInfo;
    /// <summary>N·Σw²/(Σw)² over the used observations (1 when every weight is equal): see <see cref="NoiseVariance"/>.</summary>
    private double _weightDispersion = 1;
    private VarianceWorkspace? _addVarianceWorkspace;

    // Scratch kept only while fitting.
    /// <summary>Per-thread workspaces, kept from sweep to sweep of one fit.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<Workspace> _workspaces = [];

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
    /// <summary>Time spent reading the observations once (collapse) and in the sweeps (for benchmarks).</summary>
    public TimeSpan CollapseTime { get; private set; }
    public TimeSpan SweepTime { get; private set; }
    /// <summary>Time spent in the variance pass after the sweeps (one pass over the pairs, see ReadinessModel.Variance.cs).</summary>
    public TimeSpan VarianceTime { get; private set; }

    private ReadinessModel(ObservationTable obs, int persons, int behaviors, ReadinessOptions options, int[]? raterGroups)
    {
        if (raterGroups is not null && raterGroups.Length != persons)
            throw new ArgumentException("one rater group per person", nameof(raterGroups));
        ArgumentOutOfRangeException.ThrowIfNegative(persons);
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
                   (long)PersonCount * (4 * 4 + 8 * 2 + 8 * 2 + 4 + 8 * 2 + 8) + _recency.Length * 8L + _chunkLo.Length * 8L +
                   (_groupVariance.Length + _muVariance.Length) * 8L;
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
        var chunk = ChunkOf(subject);
        Gather(subject, chunk, workspace);
        SolveSubject(subject, workspace, null);
        var varianceWorkspace = _addVarianceWorkspace ??= new VarianceWorkspace(_nb, _groups);
        var slotLo = _personSlotStart[subject] - _slotBase[chunk];
        PrepareSlots(chunk, slotLo, _personSlotStart[subject + 1] - _slotBase[chunk], varianceWorkspace, precision: true);
        PersonMarginalVariance(subject, chunk, varianceWorkspace, workspace.N, slotLo);
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
}
