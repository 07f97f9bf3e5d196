namespace Trellis.Cycles;

// Requests and responses of the cycles API (snake_case in JSON). Request fields are nullable so that a missing field
// comes back as a 400 field error naming it, not as a deserialisation failure.

public sealed record CreateCycleRequest(
    string? Name, DateOnly? OpensOn, DateOnly? ClosesOn, int? Budget, IReadOnlyList<string>? Committee = null,
    DateOnly? ResponseDeadline = null, IReadOnlyList<string>? EligibleLevels = null, string? Recuse = null);

public sealed record SetPhaseRequest(string? Phase);

public sealed record PersonRef(string EmployeeId, string Name);

public sealed record CycleResponse(
    string Name, DateOnly OpensOn, DateOnly ClosesOn, DateOnly ResponseDeadline, int Budget,
    IReadOnlyList<string> EligibleLevels, IReadOnlyList<PersonRef> Committee, string Phase, DateOnly? PublishedOn,
    int Nominations, bool OnCommittee, string Recuse)
{
    /// <summary>The cycle's history (creation, phase moves, publication with any override and its reason): HR only, else empty.</summary>
    public IReadOnlyList<CycleEventView> History { get; init; } = [];
}

public sealed record CycleEventView(string Kind, string Detail, string? OverrideReason, string By, string? ByName, DateTimeOffset At);

public sealed record PublishRequest(string? OverrideReason);

/// <summary>A candidate who stops the cycle from being published, and why.</summary>
public sealed record PublishBlocker(int NominationId, string EmployeeId, string Name, string Reason);

/// <summary>What publishing now would do: outcomes per kind, promotions against the budget, what blocks it and which overrides it needs.</summary>
public sealed record PublicationPreview(
    string Cycle, IReadOnlyDictionary<string, int> Outcomes, int Promotions, int Budget, DateOnly ResponseDeadline,
    IReadOnlyList<PublishBlocker> Blockers, IReadOnlyList<string> OverridesNeeded);

public sealed record NominateRequest(string? EmployeeId, string? TargetLevel, string? Rationale);

public sealed record RespondRequest(string? Choice, string? Note);

public sealed record DecideRequest(string? Outcome, string? Rationale, int? Version);

public sealed record DecisionView(string Outcome, string Rationale, string? Level, string DecidedBy, DateTimeOffset DecidedAt);

/// <summary>A nomination as the viewer may see it.</summary>
/// <param name="Decision">The committee's decision: for HR and the cycle's committee, except on their own candidacy; for the candidate and their managers once published.</param>
/// <param name="Version">How many times the decision was recorded (send it back with a change); 0 for whoever may not see the decision.</param>
public sealed record NominationResponse(
    int Id, string Cycle, string CyclePhase, string EmployeeId, string EmployeeName, string FromLevel, string TargetLevel,
    string Rationale, string NominatedBy, string NominatedAs, bool Suggested, DateTimeOffset CreatedAt,
    string? Response, string? ResponseNote, DateTimeOffset? RespondedAt, DateOnly ResponseDeadline,
    DecisionView? Decision, int Version, string? Outcome, string? ReachedLevel)
{
    /// <summary>The nominator's name (null when they are no longer in the employee table).</summary>
    public string? NominatedByName { get; init; }
}

public sealed record DecisionChangeView(int Version, string Outcome, string Rationale, string? Level, string DecidedBy, DateTimeOffset DecidedAt);

public sealed record SuggestionView(string EmployeeId, string Name, string? ManagerId, string CurrentLevel, string TargetLevel, string Band, string Explanation);

/// <summary>One page of a cycle's suggestions (<c>GET /api/v1/cycles/{name}/suggestions</c>), the same shape as the other paged lists.</summary>
public sealed record SuggestionsPage(IReadOnlyList<SuggestionView> Items, int Total, int Page, int PageSize);

public sealed record ReflectionNoteView(string Question, string Text, string Answer, DateTimeOffset? UpdatedAt);

public sealed record SaveNotesRequest(IReadOnlyDictionary<string, string?>? Notes);

public sealed record BoardRow(
    int NominationId, string EmployeeId, string Name, string? Department, string CurrentLevel, string TargetLevel,
    string Band, double? ValuesScore, double[]? ValuesCi, string ResultsGate, double? LatestResults,
    int EvidenceCount, int RaterCount, IReadOnlyList<string> Flags, string? Response, string? Decision, string? DecidedLevel, int Version,
    bool Recused = false);

/// <summary>A cycle's calibration board.</summary>
/// <param name="BudgetUsed">
/// Promotions the board's decisions would use (after publication: promotions made). Before publication, for a viewer who is
/// a candidate in the cycle, it is counted without their own candidacy (<see cref="BudgetUsedWithoutOwn"/>), so that it
/// says nothing of their own decision.
/// </param>
public sealed record BoardResponse(
    string Cycle, string Phase, int Budget, int BudgetUsed, int Candidates, IReadOnlyDictionary<string, int> Bands, IReadOnlyList<BoardRow> Rows)
{
    /// <summary>True when <c>budget_used</c> leaves out the viewer's own candidacy (they are a candidate and the cycle is not published).</summary>
    public bool BudgetUsedWithoutOwn { get; init; }
}

/// <summary>Board filters and sort (query string of the API and the page).</summary>
public sealed record BoardQuery(string? Band = null, string? Flag = null, string? Response = null, string? Decision = null, string? Q = null, string? Sort = null, string? Dir = null);

public sealed record RelationshipEvidence(string Relationship, int Observations, int Raters, double? MeanRating, bool Suppressed);

public sealed record EvidenceSummary(
    int NominationId, string EmployeeId, string Name, string Band, string Explanation, IReadOnlyList<Core.Readiness.BehaviorReadiness> Behaviors,
    IReadOnlyList<string> Gaps, IReadOnlyList<RelationshipEvidence> Relationships, IReadOnlyList<string> Comments, int AnonymityThreshold,
    IReadOnlyList<ResultView> Results, int RecognitionsReceived, bool SubstantiatedConcern);

public sealed record ResultView(string Period, DateOnly PeriodEnd, double Score);

public sealed record NotificationView(long Id, string Title, string Body, string? Link, DateTimeOffset CreatedAt, bool Read);

public sealed record CheckInView(int Day, DateOnly DueOn, DateTimeOffset? CompletedAt, string? CompletedBy, string? Note);

/// <summary>The upward pulse of a transition plan, for the new leader, their managers and HR.</summary>
/// <param name="Respondents">How many team members have answered so far (never who).</param>
/// <param name="Threshold">The anonymity threshold: the averages and comments move only in whole batches of this many answers.</param>
/// <param name="Shown">Whether at least one whole batch stands behind the averages and comments.</param>
/// <param name="Clarity">Average over the <paramref name="Summarised"/> answers, as are <paramref name="Safety"/>, <paramref name="Growth"/> and the comments.</param>
/// <param name="Summarised">
/// How many answers the averages and comments stand on: the first whole batches in the order answers arrived (a multiple of
/// <paramref name="Threshold"/>). Later answers wait until a batch is complete, so no single answer can be read off a change.
/// </param>
public sealed record PulseSummary(int Respondents, int Threshold, bool Shown, double? Clarity, double? Safety, double? Growth, IReadOnlyList<string> Comments, int Summarised);

public sealed record TransitionPlanView(
    int Id, string EmployeeId, string Name, string? ManagerId, string Cycle, string Level, DateOnly StartsOn,
    IReadOnlyList<CheckInView> CheckIns, PulseSummary Pulse, bool CanAnswerPulse, bool CanCheckIn)
{
    /// <summary>Set when the plan ended early (the leader moved back to the expert track).</summary>
    public DateOnly? ClosedOn { get; init; }
    public string? ClosedReason { get; init; }
}

public sealed record CheckInRequest(string? Note);

public sealed record PulseRequest(int? Clarity, int? Safety, int? Growth, string? Comment);

public sealed record TrackReturnRequest(string? Reason);

/// <summary>HR's approval of a move back to the expert track: who takes the person's direct reports (default: their manager).</summary>
public sealed record ApproveReturnRequest(string? ReportsTo);

public sealed record EmployeeEventView(string Kind, string Detail, string By, string? ByName, DateTimeOffset At);

public sealed record TrackReturnView(
    int Id, string EmployeeId, string Name, string FromLevel, string ToLevel, string? Reason, string Status,
    DateTimeOffset RequestedAt, string? DecidedBy, DateTimeOffset? DecidedAt);

public sealed record ConversationRequestBody(string? WithId, string? Message);

public sealed record ConversationView(int Id, int NominationId, PersonRef Candidate, PersonRef With, string Kind, string? Message, DateTimeOffset CreatedAt);

/// <summary>Whom a candidate may ask for a conversation: their manager, HR, and people now at the target level.</summary>
public sealed record ConversationPartners(PersonRef? Manager, IReadOnlyList<PersonRef> Hr, string TargetLevel, IReadOnlyList<PersonRef> AtTargetLevel);

/// <summary>A behaviour of the target level the candidate already meets, with what stands behind it.</summary>
public sealed record LeadingBehavior(string Behavior, string Name, double Score, int Expected, int EvidenceCount, int Recognitions);

public sealed record LevelChoice(string Key, string Name, string Track);

/// <summary>Someone the viewer may nominate, and the levels they may be nominated for (empty when not eligible in the cycle).</summary>
public sealed record NomineeView(string EmployeeId, string Name, string? Department, string Level, string LevelName, IReadOnlyList<LevelChoice> Targets);
