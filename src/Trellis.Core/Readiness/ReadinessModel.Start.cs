namespace Trellis.Core.Readiness;

// Starting values of the fit (only the path to the fixed point depends on them, not the fixed point).
public sealed partial class ReadinessModel
{
    // ---- starting values ----

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
}
