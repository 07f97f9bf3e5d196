using Trellis.Core.Feedback;

namespace Trellis.Evidence;

// Requests take nullable fields so that missing or malformed input comes back as a field error naming the
// field (400 ValidationProblem), not as a failed model binding.

/// <summary>POST /api/v1/observations. The rater is the signed-in person; the relationship is derived.</summary>
/// <param name="Rating">An integer 1–5; a fractional number is a field error.</param>
/// <param name="RequestId">Optional: the feedback request this answers (marks it answered for the rater).</param>
public sealed record CreateObservationRequest(string? SubjectId, string? Behavior, decimal? Rating, string? Comment = null, string? Visibility = null, string? RequestId = null);

/// <summary>A stored observation and the quality warnings on its comment (which never block saving).</summary>
public sealed record ObservationResponse(
    string Id, string SubjectId, string RaterId, string Relationship, string Behavior, int Rating, DateOnly ObservedOn,
    string? Comment, string Visibility, string? RequestId, IReadOnlyList<FeedbackWarning> Warnings);

/// <summary>The rater's change of their own observation within 7 days: the rating, the comment and the visibility (the behaviour and the colleague stay; withdraw and give new feedback to change those).</summary>
public sealed record EditObservationRequest(decimal? Rating, string? Comment = null, string? Visibility = null);

public sealed record ObservationWithdrawn(string Id, DateTimeOffset WithdrawnAt);

/// <summary>One version of an observation: the kept ones (ended by an edit or the withdrawal) and the current one (<c>change</c> null).</summary>
public sealed record ObservationVersionView(int Version, string? Change, DateTimeOffset? ChangedAt, int Rating, string? Comment, string Visibility);

/// <summary>Feedback the signed-in person gave that they may still edit or withdraw.</summary>
public sealed record GivenFeedback(
    string Id, string SubjectId, string SubjectName, string Behavior, string BehaviorName, int Rating, DateOnly ObservedOn,
    string? Comment, string Visibility, int Version, DateOnly EditableUntil);

public sealed record FeedbackCheckRequest(string? Comment);
public sealed record FeedbackCheckResponse(IReadOnlyList<FeedbackWarning> Warnings);

public sealed record Colleague(string Id, string Name, string? Title, string? Department);

public sealed record CreateFeedbackRequestRequest(string? SubjectId, IReadOnlyList<string>? RaterIds, IReadOnlyList<string>? Behaviors, string? Message = null);

public sealed record BehaviorRef(string Key, string Name);

/// <summary>A colleague a request was sent to. Whether and when they answered is deliberately absent (see <see cref="FeedbackRequestResponse.Answered"/>).</summary>
public sealed record FeedbackRequestRaterResponse(string RaterId, string RaterName);

/// <summary>
/// A feedback request as its sender sees it. Who answered is given only as a count (<paramref name="Answered"/>),
/// never per colleague, with no time or observation id: a subject who could see which colleague answered when could
/// tie a change in their feedback to that colleague.
/// </summary>
public sealed record FeedbackRequestResponse(
    string Id, string SubjectId, string SubjectName, string RequestedById, string RequestedByName,
    IReadOnlyList<BehaviorRef> Behaviors, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? WithdrawnAt,
    IReadOnlyList<FeedbackRequestRaterResponse> Raters, int Answered);

/// <summary>One open request in a rater's inbox, with the link that opens the give-feedback page prefilled.</summary>
public sealed record InboxItem(
    string RequestId, string SubjectId, string SubjectName, string RequestedById, string RequestedByName,
    IReadOnlyList<BehaviorRef> Behaviors, string? Message, DateTimeOffset CreatedAt, string AnswerUrl);

public sealed record CreateRecognitionRequest(string? ToId, string? Value, string? Behavior = null, string? Message = null);

public sealed record RecognitionResponse(
    string Id, string FromId, string FromName, string ToId, string ToName, string Value, string ValueName,
    string? Behavior, string? BehaviorName, string? Message, DateOnly GivenOn);

/// <summary>
/// One page of a recognition list. <c>Total</c> is exact up to <see cref="RecognitionService.CountedUpTo"/> and null
/// beyond ("more than 1,000"): counting a feed of 150,000 on every page was most of its time, and a feed read newest first
/// needs "is there an older page" (<c>HasMore</c>), not the size of its tail.
/// </summary>
public sealed record RecognitionPage(IReadOnlyList<RecognitionResponse> Items, int Page, int PageSize, int? Total, bool HasMore);

/// <summary>POST /api/v1/results: upsert by employee and period.</summary>
public sealed record UpsertResultRequest(string? EmployeeId, string? Period, DateOnly? PeriodEnd, decimal? Score);

public sealed record ResultResponse(string EmployeeId, string EmployeeName, string Period, DateOnly PeriodEnd, double Score, bool Created);

public sealed record CreateConcernRequest(string? EmployeeId, string? Category, bool? Substantiated = null, DateOnly? RecordedOn = null);

public sealed record SetSubstantiatedRequest(bool? Substantiated);

/// <summary>What a committee member learns of a candidate's concerns: that a substantiated one exists, its category and date.</summary>
public sealed record ConcernFlag(string EmployeeId, string EmployeeName, string Category, DateOnly RecordedOn);

public sealed record ConcernResponse(string Id, string EmployeeId, string EmployeeName, string Category, bool Substantiated, DateOnly RecordedOn);
