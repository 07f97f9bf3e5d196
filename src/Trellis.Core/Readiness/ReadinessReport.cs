namespace Trellis.Core.Readiness;

/// <summary>Readiness bands (CONTRACTS.md), in the JSON spelling.</summary>
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
    string Explanation);

public sealed record BehaviorReadiness(
    string Behavior,
    double? Score,
    double[]? Ci,
    int EvidenceCount,
    int? Expected);
