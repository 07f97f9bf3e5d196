namespace Trellis.Growth;

public sealed record PlanActionRequest(string? Behavior, string? Text, DateOnly? DueOn);

/// <param name="Watchers">Colleagues to ask for feedback on exactly these behaviours (one feedback request, sent when the plan starts).</param>
public sealed record CreatePlanRequest(string? EmployeeId, IReadOnlyList<string>? Behaviors, IReadOnlyList<PlanActionRequest>? Actions, IReadOnlyList<string>? Watchers = null, string? Message = null);

/// <summary>An action to change (<c>id</c>) or add (no <c>id</c>); <c>done</c> marks it done today or not done.</summary>
public sealed record PlanActionUpdate(int? Id, string? Behavior, string? Text, DateOnly? DueOn, bool? Done);

/// <summary>Every part is optional: actions to change or add, a comment, or closing the plan (<c>met</c>, <c>changed</c>, <c>dropped</c>).</summary>
public sealed record UpdatePlanRequest(IReadOnlyList<PlanActionUpdate>? Actions = null, string? Comment = null, string? Status = null, string? ClosingNote = null, int? Version = null);

/// <param name="Expected">What the person's next level expects of it (the line on the chart).</param>
public sealed record PlanBehavior(string Key, string Name, string Value, bool Gap, int? Expected);

public sealed record PlanActionView(int Id, string Behavior, string Text, DateOnly DueOn, DateOnly? DoneOn);

public sealed record PlanCommentView(string AuthorId, string AuthorName, string Text, DateTimeOffset At);

/// <summary>Feedback on one behaviour of the plan dated on or after its start (observations by others; raters are never named).</summary>
public sealed record PlanFeedback(string Behavior, int Observations, int Raters);

/// <summary>One point of a behaviour's series: the estimate as of that date, equal to <c>trellis readiness --as-of</c>.</summary>
public sealed record SeriesPoint(DateOnly AsOf, double? Score, double[]? Ci);

public sealed record PlanSummary(int Id, string EmployeeId, string Name, IReadOnlyList<string> Behaviors, DateOnly StartedOn, string Status, DateOnly? ClosedOn, int ActionsDone, int Actions);

public sealed record PlanView(
    int Id, string EmployeeId, string Name, string CreatedBy, DateOnly StartedOn, string Status, DateOnly? ClosedOn, string? ClosingNote,
    IReadOnlyList<PlanBehavior> Behaviors, IReadOnlyList<PlanActionView> Actions, IReadOnlyList<PlanCommentView> Comments,
    IReadOnlyList<PlanFeedback> FeedbackSince, string? FeedbackRequestId, IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>> Series, int Version);

/// <summary>
/// One behaviour across the organisation's plans, for HR: no names; counts and movements below the anonymity
/// threshold of people are withheld (<c>hidden</c>).
/// </summary>
/// <param name="Before">Mean estimate at the plans' start, with its 95% interval across people.</param>
/// <param name="After">Mean estimate at closing (or today for open plans).</param>
/// <param name="Change">Mean of each person's change, with its 95% interval.</param>
public sealed record PlanBehaviorAggregate(
    string Behavior, string Name, bool Hidden, int? People, int? Open, int? Met, int? Changed, int? Dropped,
    MeanWithInterval? Before, MeanWithInterval? After, MeanWithInterval? Change);

public sealed record MeanWithInterval(double Mean, double[] Ci, int People);

public sealed record PlanAggregate(int AnonymityThreshold, int Plans, IReadOnlyList<PlanBehaviorAggregate> Behaviors);
