namespace Trellis.Core.Readiness;

/// <summary>Readiness bands (docs/readiness.md, "Bands"), in the JSON spelling.</summary>
public static class ReadinessBands
{
    public const string Ready = "ready";
    public const string Soon = "soon";
    public const string Developing = "developing";
    public const string InsufficientEvidence = "insufficient_evidence";
    public const string Blocked = "blocked";

    public static readonly IReadOnlyList<string> All = [Ready, Soon, Developing, InsufficientEvidence, Blocked];
}

public static class ResultsGates
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Unknown = "unknown";
}

/// <summary>
/// One person's readiness for a target level: the object of <c>trellis readiness --format json</c>
/// (field names become snake_case in JSON). Extra optional fields may be added; none may be removed.
/// </summary>
public sealed record ReadinessReport(
    string EmployeeId,
    string CurrentLevel,
    string? TargetLevel,
    string Band,
    double? ValuesScore,
    double[]? ValuesCi,
    int EvidenceCount,
    int RaterCount,
    string ResultsGate,
    IReadOnlyList<BehaviorReadiness> Behaviors,
    IReadOnlyList<string> Gaps,
    string Explanation)
{
    /// <summary><c>promotion</c>, <c>lateral</c> (equal band on another track), <c>current</c> or <c>lower</c>; null when a level is unknown.</summary>
    public string? Move { get; init; }

    /// <summary>Mean of the person's self-ratings, shown apart: self-ratings never enter the score.</summary>
    public double? SelfRatingMean { get; init; }

    public int SelfRatingCount { get; init; }

    /// <summary>The date the evidence was taken up to.</summary>
    public DateOnly? AsOf { get; init; }
}

public sealed record BehaviorReadiness(
    string Behavior,
    double? Score,
    double[]? Ci,
    int EvidenceCount,
    int? Expected)
{
    /// <summary>Posterior probability that the true level is at least the expectation minus the tolerance.</summary>
    public double? ProbabilityMeets { get; init; }
}
