using System.Runtime.CompilerServices;

namespace Trellis.Core.Readiness;

/// <summary>
/// The fitted evidence model behind readiness: per person and behaviour, an estimate of demonstrated behaviour on the
/// 1–5 scale corrected for rater leniency, with its posterior variance.
/// </summary>
/// <remarks>
/// <para>Model (non-self observations only): <c>rating = μ[behaviour] + u[person] + v[person, behaviour] + b[rater] + ε</c>
/// with <c>u ~ N(0, τu²)</c>, <c>v ~ N(0, τv²)</c>, <c>b ~ N(0, σb²)</c> and <c>ε ~ N(0, σ²/w)</c>, where the weight
/// <c>w</c> is recency (exponential decay with a half-life) × relationship weight. Person and rater effects are
/// estimated jointly by backfitting: given the rater effects, the nested person/behaviour effects have a closed-form
/// posterior per person; given those, each rater effect is a ridge (shrunken) mean of its residuals. This is the
/// mixed-model BLUP; the variance components are re-estimated by EM updates between sweeps. Thin evidence is thus shrunk
/// toward the person's other behaviours and the population (empirical Bayes), and intervals come from the posterior
/// variance.</para>
/// <para>Determinism: every sum over observations is accumulated in 64-bit fixed point (2⁻³² resolution), so it is
/// exact and independent of the order of observations and of how the passes are split across threads.</para>
/// </remarks>
public sealed class ReadinessModel
{
    private const double Scale = 4294967296.0;
    private const double InvScale = 1.0 / Scale;
    private const int SubjectChunks = 16;
    private const double VarianceFloor = 1e-4;

    private readonly ObservationTable _obs;
    private readonly int _n;
    private readonly int _asOf;
    private readonly double[] _recency;
    private readonly double[] _relationWeight;
    private readonly int _parallelism;

    // Cells: person × behaviour.
    private readonly long[] _cellN, _cellSy, _cellSb;
    private readonly int[] _cellCount;
    private readonly double[] _score, _variance;

    // Persons.
    private readonly int[] _evidence, _raterCount, _selfCount, _selfSum;
    private readonly double[] _values, _valuesVariance;

    // Raters (the same person space).
    private readonly long[] _raterN;
    private readonly int[] _raterRatings;
    private readonly double[] _leniency, _leniencyVariance;

    // Observations grouped by subject: _start[s].._start[s+1] in _order (or in the table itself when it is sorted).
    private readonly int[] _start;
    private readonly int[]? _order;
    private readonly HashSet<long> _addedPairs = [];

    private readonly double[] _mu;
    private double _sigma2, _tauU2, _tauV2, _sigmaB2;

    public int PersonCount { get; }
    public int BehaviorCount { get; }
    public DateOnly AsOf { get; }
    public ReadinessOptions Options { get; }
    /// <summary>Backfitting sweeps used.</summary>
    public int Iterations { get; private set; }
    /// <summary>Passes over the observations (for benchmarks).</summary>
    public int Passes { get; private set; }
    /// <summary>Non-self observations on or before the as-of date.</summary>
    public long ObservationsUsed { get; private set; }
    /// <summary>Whether the input was already grouped by subject (the fast path).</summary>
    public bool InputGroupedBySubject => _order is null;

    public double ResidualVariance => _sigma2;
    public double PersonVariance => _tauU2;
    public double PersonBehaviorVariance => _tauV2;
    public double RaterVariance => _sigmaB2;
    public double GroupVariance => _tauG2;
    /// <summary>The leniency shared by a rater group (e.g. a department).</summary>
    public double GroupLeniency(int group) => _groupLeniency[group];
    public double BehaviorMean(int behavior) => _mu[behavior];

    // Rater groups (departments): b[rater] = g[group] + e[rater], g ~ N(0, τg²), e ~ N(0, σb²).
    private readonly int[]? _raterGroup;
    private readonly int _groups;
    private readonly double[] _groupLeniency;
    private double _tauG2 = 0.1;

    private ReadinessModel(ObservationTable obs, int persons, int behaviors, ReadinessOptions options, int[]? raterGroups)
    {
        if (raterGroups is not null && raterGroups.Length != persons)
            throw new ArgumentException("one rater group per person", nameof(raterGroups));
        _raterGroup = raterGroups;
        _groups = raterGroups is null || raterGroups.Length == 0 ? 0 : raterGroups.Max() + 1;
        _groupLeniency = new double[_groups];
        if (persons < 0) throw new ArgumentOutOfRangeException(nameof(persons));
        if (behaviors is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(behaviors), behaviors, "1–256 behaviours");
        if (options.RelationshipWeights.Count != RelationshipCodes.Count)
            throw new ArgumentException($"relationship weights need {RelationshipCodes.Count} entries", nameof(options));
        _obs = obs;
        _n = obs.Count;
        PersonCount = persons;
        BehaviorCount = behaviors;
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
        _cellN = new long[cells];
        _cellSy = new long[cells];
        _cellSb = new long[cells];
        _cellCount = new int[cells];
        _score = new double[cells];
        _variance = new double[cells];
        _evidence = new int[persons];
        _raterCount = new int[persons];
        _selfCount = new int[persons];
        _selfSum = new int[persons];
        _values = new double[persons];
        _valuesVariance = new double[persons];
        _raterN = new long[persons];
        _raterRatings = new int[persons];
        _leniency = new double[persons];
        _leniencyVariance = new double[persons];
        _mu = new double[behaviors];
        _start = new int[persons + 1];

        _order = IsGroupedBySubject() ? null : SortBySubject();
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

    public double Score(int person, int behavior) => _score[person * BehaviorCount + behavior];
    public double Variance(int person, int behavior) => _variance[person * BehaviorCount + behavior];
    public int EvidenceCount(int person, int behavior) => _cellCount[person * BehaviorCount + behavior];
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

    /// <summary>Bytes held by the model itself (not counting the observation table).</summary>
    public long StateBytes =>
        (long)_cellN.Length * (8 + 8 + 8 + 4 + 8 + 8) + (long)PersonCount * (4 * 4 + 8 * 2 + 8 + 4 + 8 * 2) + (long)_start.Length * 4 +
        (_order is null ? 0 : (long)_order.Length * 4) + _recency.Length * 8L;

    // ---- incremental update --------------------------------------------------------------------------------

    /// <summary>
    /// Reflects one new observation at once: the subject's cell statistics are updated with the current rater
    /// effects and variance components held fixed, and the subject's estimates are re-solved (O(behaviours)).
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
        var c = subject * BehaviorCount + behavior;
        _cellN[c] += wf;
        _cellSy[c] += wf * rating;
        _cellSb[c] += (long)(wf * _leniency[rater]);
        _cellCount[c]++;
        _evidence[subject]++;
        _raterN[rater] += wf;
        _raterRatings[rater]++;
        ObservationsUsed++;
        if (!HasRated(subject, rater)) _raterCount[subject]++;
        _addedPairs.Add(((long)subject << 32) | (uint)rater);
        SolveSubject(subject, null);
        return true;
    }

    private bool HasRated(int subject, int rater)
    {
        if (_addedPairs.Contains(((long)subject << 32) | (uint)rater)) return true;
        var subjects = _obs.Subject; var raters = _obs.Rater;
        for (var j = _start[subject]; j < _start[subject + 1]; j++)
        {
            var i = _order is null ? j : _order[j];
            if (raters[i] == rater && subjects[i] == subject && FixedWeight(_obs.Relationship[i], _obs.Day[i]) > 0) return true;
        }
        return false;
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

    private bool IsGroupedBySubject()
    {
        var s = _obs.Subject;
        for (var i = 1; i < _n; i++)
            if (s[i] < s[i - 1]) return false;
        return true;
    }

    /// <summary>Counting sort of observation indices by subject (only when the input is not already grouped).</summary>
    private int[] SortBySubject()
    {
        var s = _obs.Subject;
        var counts = _start;
        for (var i = 0; i < _n; i++) counts[s[i] + 1]++;
        for (var p = 0; p < PersonCount; p++) counts[p + 1] += counts[p];
        var next = (int[])counts.Clone();
        var order = new int[_n];
        for (var i = 0; i < _n; i++) order[next[s[i]]++] = i;
        return order;
    }

    /// <summary>Splits the subject-grouped sequence into ranges that never split a subject, so cell writes never race.</summary>
    private (int Lo, int Hi)[] Partitions()
    {
        var parts = Math.Max(1, Math.Min(_parallelism, _n / 65536 + 1));
        var result = new List<(int, int)>();
        var lo = 0;
        for (var t = 1; t <= parts; t++)
        {
            var hi = t == parts ? _n : (int)((long)_n * t / parts);
            while (hi < _n && hi > 0 && SubjectAt(hi) == SubjectAt(hi - 1)) hi++;
            if (hi > lo) result.Add((lo, hi));
            lo = Math.Max(lo, hi);
        }
        // With no observations there is still one (empty) partition, so every pass has somewhere to sum into.
        if (result.Count == 0) result.Add((0, 0));
        return [.. result];
    }

    private int SubjectAt(int j) => _obs.Subject[_order is null ? j : _order[j]];

    private void Run()
    {
        var partitions = Partitions();
        FirstPass(partitions);
        InitialComponents();

        double previousTauG = 0, previousSigma2 = 0, previousTauU = 0, previousTauV = 0, previousSigmaB = 0;
        for (var iteration = 1; iteration <= Math.Max(1, Options.MaxIterations); iteration++)
        {
            Iterations = iteration;
            if (iteration > 1) RaterSumsPerCell(partitions);
            SubjectStep(updateComponents: true);
            var residual = CellResidualsPerRater(partitions, out var raterSums);
            var maxDelta = RaterStep(raterSums, residual);
            var stable = Relative(previousTauG, _tauG2) && Relative(previousSigma2, _sigma2) && Relative(previousTauU, _tauU2) && Relative(previousTauV, _tauV2) && Relative(previousSigmaB, _sigmaB2);
            previousTauG = _tauG2; previousSigma2 = _sigma2; previousTauU = _tauU2; previousTauV = _tauV2; previousSigmaB = _sigmaB2;
            if (iteration > 1 && maxDelta < Options.ConvergenceTolerance && stable) break;
        }
        // Final person estimates against the final rater effects.
        RaterSumsPerCell(partitions);
        SubjectStep(updateComponents: false);
        ComputeStarts();
    }

    private static bool Relative(double before, double after) => Math.Abs(after - before) <= 1e-3 * Math.Max(after, VarianceFloor);

    private void FirstPass((int Lo, int Hi)[] partitions)
    {
        Passes++;
        var raterN = new long[partitions.Length][];
        var raterRatings = new int[partitions.Length][];
        var sumY2 = new long[partitions.Length];
        var used = new long[partitions.Length];
        Parallel.For(0, partitions.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, t =>
        {
            var (lo, hi) = partitions[t];
            var rn = raterN[t] = new long[PersonCount];
            var rr = raterRatings[t] = new int[PersonCount];
            var stamp = new int[PersonCount];
            Array.Fill(stamp, -1);
            var subject = _obs.Subject; var rater = _obs.Rater; var behavior = _obs.Behavior;
            var relationship = _obs.Relationship; var rating = _obs.Rating; var day = _obs.Day;
            var order = _order;
            int b = BehaviorCount;
            long y2 = 0, count = 0;
            for (var j = lo; j < hi; j++)
            {
                var i = order is null ? j : order[j];
                var s = subject[i];
                if (day[i] > _asOf) continue;
                var rel = relationship[i];
                int y = rating[i];
                if (rel == (byte)RelationshipCode.Self)
                {
                    _selfCount[s]++;
                    _selfSum[s] += y;
                    continue;
                }
                var wf = FixedWeight(rel, day[i]);
                if (wf <= 0) continue;
                var c = s * b + behavior[i];
                var r = rater[i];
                _cellN[c] += wf;
                _cellSy[c] += wf * y;
                _cellCount[c]++;
                rn[r] += wf;
                rr[r]++;
                y2 += wf * y * y;
                count++;
                _evidence[s]++;
                if (stamp[r] != s) { stamp[r] = s; _raterCount[s]++; }
            }
            sumY2[t] = y2;
            used[t] = count;
        });
        for (var t = 0; t < partitions.Length; t++)
        {
            AddInto(_raterN, raterN[t]);
            for (var r = 0; r < PersonCount; r++) _raterRatings[r] += raterRatings[t][r];
        }
        ObservationsUsed = used.Sum();
        _firstPassSumY2 = sumY2.Sum() * InvScale;
    }

    private double _firstPassSumY2;

    private static void AddInto(long[] target, long[] source)
    {
        for (var k = 0; k < target.Length; k++) target[k] += source[k];
    }

    /// <summary>Starting values: behaviour means, pooled within-cell variance, modest between-person and rater variances.</summary>
    private void InitialComponents()
    {
        var sumN = new double[BehaviorCount];
        var sumY = new double[BehaviorCount];
        double betweenSs = 0;
        long observedCells = 0;
        for (var c = 0; c < _cellN.Length; c++)
        {
            if (_cellN[c] <= 0) continue;
            var n = _cellN[c] * InvScale;
            var sy = _cellSy[c] * InvScale;
            sumN[c % BehaviorCount] += n;
            sumY[c % BehaviorCount] += sy;
            betweenSs += sy * sy / n;
            observedCells++;
        }
        double total = 0, totalN = 0;
        for (var b = 0; b < BehaviorCount; b++)
        {
            total += sumY[b]; totalN += sumN[b];
        }
        var grand = totalN > 0 ? total / totalN : 3.0;
        for (var b = 0; b < BehaviorCount; b++) _mu[b] = sumN[b] > 0 ? sumY[b] / sumN[b] : grand;
        var withinDf = ObservationsUsed - observedCells;
        var within = withinDf > 0 ? (_firstPassSumY2 - betweenSs) / withinDf : 0.5;
        _sigma2 = Math.Max(within, 0.05);
        _tauU2 = 0.25;
        _tauV2 = 0.05;
        _sigmaB2 = 0.1;
    }

    /// <summary>Pass: Σ w·b[rater] per cell.</summary>
    private void RaterSumsPerCell((int Lo, int Hi)[] partitions)
    {
        Passes++;
        Array.Clear(_cellSb);
        Parallel.For(0, partitions.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, t =>
        {
            var (lo, hi) = partitions[t];
            var subject = _obs.Subject; var rater = _obs.Rater; var behavior = _obs.Behavior;
            var relationship = _obs.Relationship; var day = _obs.Day;
            var order = _order; var leniency = _leniency; var sb = _cellSb;
            int b = BehaviorCount;
            for (var j = lo; j < hi; j++)
            {
                var i = order is null ? j : order[j];
                var wf = FixedWeight(relationship[i], day[i]);
                if (wf <= 0) continue;
                sb[subject[i] * b + behavior[i]] += (long)(wf * leniency[rater[i]]);
            }
        });
    }

    /// <summary>Pass: Σ w·(rating − cell estimate) per rater, and the weighted residual sum of squares.</summary>
    private double CellResidualsPerRater((int Lo, int Hi)[] partitions, out long[] raterSums)
    {
        Passes++;
        var sums = new long[partitions.Length][];
        var residuals = new long[partitions.Length];
        Parallel.For(0, partitions.Length, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, t =>
        {
            var (lo, hi) = partitions[t];
            var acc = sums[t] = new long[PersonCount];
            var subject = _obs.Subject; var rater = _obs.Rater; var behavior = _obs.Behavior;
            var relationship = _obs.Relationship; var rating = _obs.Rating; var day = _obs.Day;
            var order = _order; var leniency = _leniency; var score = _score;
            int b = BehaviorCount;
            long rss = 0;
            for (var j = lo; j < hi; j++)
            {
                var i = order is null ? j : order[j];
                var wf = FixedWeight(relationship[i], day[i]);
                if (wf <= 0) continue;
                var r = rater[i];
                var e = rating[i] - score[subject[i] * b + behavior[i]];
                acc[r] += (long)(wf * e);
                var d = e - leniency[r];
                rss += (long)(wf * d * d);
            }
            residuals[t] = rss;
        });
        raterSums = sums[0];
        for (var t = 1; t < partitions.Length; t++) AddInto(raterSums, sums[t]);
        return residuals.Sum() * InvScale;
    }

    private double _cellDf;

    /// <summary>Given the rater effects: each person's nested posterior in closed form; EM updates of μ, τu², τv².</summary>
    private void SubjectStep(bool updateComponents)
    {
        var chunks = new SubjectStats[SubjectChunks];
        Parallel.For(0, SubjectChunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
        {
            var stats = new SubjectStats(BehaviorCount);
            var lo = (int)((long)PersonCount * k / SubjectChunks);
            var hi = (int)((long)PersonCount * (k + 1) / SubjectChunks);
            for (var s = lo; s < hi; s++) SolveSubject(s, stats);
            chunks[k] = stats;
        });
        // Combine in chunk order: deterministic whatever the thread count.
        var all = new SubjectStats(BehaviorCount);
        foreach (var c in chunks) all.Add(c);
        _cellDf = all.CellDf;
        if (!updateComponents) return;
        for (var b = 0; b < BehaviorCount; b++)
            if (all.MuDen[b] > 0) _mu[b] = all.MuNum[b] / all.MuDen[b];
        if (all.Persons > 0) _tauU2 = Math.Max(all.SumU2 / all.Persons, VarianceFloor);
        if (all.Cells > 0) _tauV2 = Math.Max(all.SumV2 / all.Cells, VarianceFloor);
    }

    private sealed class SubjectStats(int behaviors)
    {
        public readonly double[] MuNum = new double[behaviors], MuDen = new double[behaviors];
        public double SumU2, SumV2, CellDf;
        public long Persons, Cells;

        public void Add(SubjectStats o)
        {
            for (var b = 0; b < MuNum.Length; b++) { MuNum[b] += o.MuNum[b]; MuDen[b] += o.MuDen[b]; }
            SumU2 += o.SumU2; SumV2 += o.SumV2; CellDf += o.CellDf; Persons += o.Persons; Cells += o.Cells;
        }
    }

    private void SolveSubject(int s, SubjectStats? stats)
    {
        int nb = BehaviorCount;
        var baseCell = s * nb;
        double sigma2 = _sigma2, tauV2 = _tauV2;
        double precision = 1.0 / _tauU2, numerator = 0;
        var any = false;
        for (var b = 0; b < nb; b++)
        {
            var c = baseCell + b;
            if (_cellN[c] <= 0) continue;
            any = true;
            var n = _cellN[c] * InvScale;
            var ybar = (_cellSy[c] - _cellSb[c]) * InvScale / n;
            var a = 1.0 / (tauV2 + sigma2 / n);
            precision += a;
            numerator += a * (ybar - _mu[b]);
        }
        var u = numerator / precision;
        var pu = 1.0 / precision;
        double sum = 0, sumK = 0, sumPv = 0;
        for (var b = 0; b < nb; b++)
        {
            var c = baseCell + b;
            double k = 0, v = 0, pv = tauV2;
            if (_cellN[c] > 0)
            {
                var n = _cellN[c] * InvScale;
                var ybar = (_cellSy[c] - _cellSb[c]) * InvScale / n;
                k = n / (n + sigma2 / tauV2);
                v = k * (ybar - _mu[b] - u);
                pv = k * sigma2 / n;
                if (stats is not null)
                {
                    var a = 1.0 / (tauV2 + sigma2 / n);
                    stats.MuNum[b] += a * (ybar - u);
                    stats.MuDen[b] += a;
                    stats.SumV2 += v * v + pv;
                    stats.Cells++;
                    stats.CellDf += k;
                }
            }
            _score[c] = _mu[b] + u + v;
            _variance[c] = (1 - k) * (1 - k) * pu + pv;
            sum += _score[c];
            sumK += k;
            sumPv += pv;
        }
        _values[s] = sum / nb;
        var kbar = sumK / nb;
        _valuesVariance[s] = (1 - kbar) * (1 - kbar) * pu + sumPv / ((double)nb * nb);
        if (stats is not null && any)
        {
            stats.SumU2 += u * u + pu;
            stats.Persons++;
        }
    }

    /// <summary>
    /// Given the person estimates: each rater's shrunken mean residual, nested in its group (closed form per group,
    /// like persons and their behaviours); EM updates of τg², σb² and σ².
    /// </summary>
    private double RaterStep(long[] raterSums, double residualSs)
    {
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
                var n = _raterN[r] * InvScale;
                var ybar = raterSums[r] * InvScale / n;
                var a = 1.0 / (sigmaB2 + sigma2 / n);
                groupPrecision[_raterGroup![r]] += a;
                groupNumerator[_raterGroup[r]] += a * ybar;
            }
            double sumG2 = 0;
            var used = 0;
            for (var g = 0; g < _groups; g++)
            {
                _groupLeniency[g] = groupNumerator[g] / groupPrecision[g];
                if (groupNumerator[g] == 0 && groupPrecision[g] == 1.0 / _tauG2) continue;
                sumG2 += _groupLeniency[g] * _groupLeniency[g] + 1.0 / groupPrecision[g];
                used++;
            }
            if (used > 0) _tauG2 = Math.Max(sumG2 / used, VarianceFloor);
        }
        double sumE2 = 0, raterDf = 0, maxDelta = 0;
        long raters = 0;
        for (var r = 0; r < PersonCount; r++)
        {
            var g = _groups > 0 ? _raterGroup![r] : 0;
            var groupEffect = _groups > 0 ? _groupLeniency[g] : 0;
            var groupVariance = _groups > 0 ? 1.0 / groupPrecision[g] : 0;
            if (_raterRatings[r] == 0) { _leniency[r] = groupEffect; _leniencyVariance[r] = groupVariance + sigmaB2; continue; }
            var n = _raterN[r] * InvScale;
            var ybar = raterSums[r] * InvScale / n;
            var k = n / (n + lambda);
            var e = k * (ybar - groupEffect);
            var pe = sigma2 / (n + lambda);
            var b = groupEffect + e;
            maxDelta = Math.Max(maxDelta, Math.Abs(b - _leniency[r]));
            _leniency[r] = b;
            _leniencyVariance[r] = (1 - k) * (1 - k) * groupVariance + pe;
            sumE2 += e * e + pe;
            raterDf += k;
            raters++;
        }
        if (raters > 0) _sigmaB2 = Math.Max(sumE2 / raters, VarianceFloor);
        var df = ObservationsUsed - _cellDf - raterDf - BehaviorCount - _groups;
        if (df > 1) _sigma2 = Math.Max(residualSs / df, 0.01);
        return maxDelta;
    }

    private void ComputeStarts()
    {
        if (_order is not null) return; // already set by the counting sort
        var s = _obs.Subject;
        Array.Fill(_start, -1);
        _start[PersonCount] = _n;
        for (var i = _n - 1; i >= 0; i--) _start[s[i]] = i;
        for (var p = PersonCount - 1; p >= 0; p--)
            if (_start[p] < 0) _start[p] = _start[p + 1];
    }
}
