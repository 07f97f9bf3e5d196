namespace Trellis.Core.Readiness;

/// <summary>Settings of the readiness engine. The defaults are the documented rules (docs/readiness.md).</summary>
public sealed record ReadinessOptions
{
    /// <summary>Only evidence dated on or before this day counts; recency is measured from it.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>An observation this many days old counts half as much as one from the as-of day.</summary>
    public double RecencyHalfLifeDays { get; init; } = 365;

    /// <summary>Weight of each relationship (indexed by <see cref="RelationshipCode"/>); self is always 0 (kept out of the score).</summary>
    public IReadOnlyList<double> RelationshipWeights { get; init; } = [0.0, 1.0, 1.0, 1.0, 0.75, 0.5];

    /// <summary>Below this many non-self observations the band is <c>insufficient_evidence</c>.</summary>
    public int MinEvidence { get; init; } = 6;

    /// <summary>Below this many distinct non-self raters the band is <c>insufficient_evidence</c>.</summary>
    public int MinRaters { get; init; } = 3;

    /// <summary>Coverage of the reported intervals.</summary>
    public double IntervalLevel { get; init; } = 0.95;

    /// <summary>A behaviour meets an expectation E when its estimate is at least E − tolerance (ratings are whole steps).</summary>
    public double Tolerance { get; init; } = 0.25;

    /// <summary>Ready needs, for every behaviour, posterior probability ≥ this that the true level is at least E − tolerance.</summary>
    public double ReadyConfidence { get; init; } = 0.8;

    /// <summary>Soon: at most this many gaps ...</summary>
    public int SoonMaxGaps { get; init; } = 2;

    /// <summary>... and no behaviour more than this far below its expectation.</summary>
    public double SoonMaxShortfall { get; init; } = 0.75;

    /// <summary>A substantiated concern recorded within this many days before the as-of date blocks readiness.</summary>
    public int ConcernWindowDays { get; init; } = 365;

    /// <summary>Backfitting sweeps at most (each is one pass over the unique (cell, rater) pairs). A safety cap: the fit
    /// normally stops well before it, when it meets <see cref="ConvergenceTolerance"/> (see <see cref="ReadinessModel.Converged"/>).</summary>
    public int MaxIterations { get; init; } = 60;

    /// <summary>Backfitting stops when no rater effect moves by more than this in a sweep and the variance components have settled.</summary>
    public double ConvergenceTolerance { get; init; } = 1e-4;

    /// <summary>Parallel partitions (0 = processor count). Results do not depend on it: sums are exact fixed-point.</summary>
    public int Parallelism { get; init; }

    /// <summary>Tests only: keep pair indices in 4 bytes even where 2 would do (the layout must not change any result).</summary>
    internal bool WidePairIndex { get; init; }

    /// <summary>Tests only: write the pairs by scanning every behaviour instead of following the behaviour masks.</summary>
    internal bool ScanBehaviours { get; init; }
}
