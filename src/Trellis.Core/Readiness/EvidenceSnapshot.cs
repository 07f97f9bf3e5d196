namespace Trellis.Core.Readiness;

/// <summary>One results period of one person (results.csv).</summary>
public readonly record struct ResultEntry(int Person, string Period, DateOnly PeriodEnd, double Score);

/// <summary>A substantiated conduct concern (concerns.csv, substantiated = true only).</summary>
public readonly record struct ConcernEntry(int Person, DateOnly RecordedOn);

/// <summary>
/// Everything the engine reads, as plain arrays: the person space (subjects and raters, active or not), the
/// current level of each active person (null = not active: rates others but gets no report), the behaviour keys in
/// framework order (indices of <see cref="ObservationTable.Behavior"/>), observations, results and concerns.
/// </summary>
public sealed class EvidenceSnapshot
{
    public required IReadOnlyList<string> PersonIds { get; init; }
    public required IReadOnlyList<string?> CurrentLevels { get; init; }
    public required IReadOnlyList<string> BehaviorKeys { get; init; }
    public required ObservationTable Observations { get; init; }
    public IReadOnlyList<ResultEntry> Results { get; init; } = [];
    public IReadOnlyList<ConcernEntry> Concerns { get; init; } = [];
}
