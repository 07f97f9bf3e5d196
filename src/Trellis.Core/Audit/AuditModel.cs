namespace Trellis.Core.Audit;

// ---------------------------------------------------------------- inputs (plain data, no I/O)

/// <summary>Everything the culture audit looks at, gathered by the app (or a test) beforehand.</summary>
public sealed record AuditInput
{
    public required DateOnly AsOf { get; init; }
    public int MaxDirectReports { get; init; } = 12;
    public int AnonymityThreshold { get; init; } = 3;
    public IReadOnlyList<AuditLevel> Levels { get; init; } = [];
    /// <summary>Value keys of the framework, so that values nobody recognises are named.</summary>
    public IReadOnlyList<string> ValueKeys { get; init; } = [];
    public IReadOnlyList<AuditPerson> People { get; init; } = [];
    public IReadOnlyList<AuditCandidate> Candidates { get; init; } = [];
    public IReadOnlyList<AuditConcern> Concerns { get; init; } = [];
    public IReadOnlyList<AuditRecognition> Recognitions { get; init; } = [];
    /// <summary>Current readiness band per active employee (may be empty: readiness rates are then not reported).</summary>
    public IReadOnlyList<AuditReadiness> Readiness { get; init; } = [];
    /// <summary>Approved requests of people leaders to move back to the equal-band expert level (no cycle needed).</summary>
    public IReadOnlyList<AuditTrackReturn> TrackReturns { get; init; } = [];
    /// <summary>Published promotion stories and the values each names (the celebrated-versus-rewarded section).</summary>
    public IReadOnlyList<AuditStory> Stories { get; init; } = [];
    /// <summary>Restrict cycles, drivers, flags and groups to one cycle (null = all decided cycles).</summary>
    public string? Cycle { get; init; }
    public AuditOptions Options { get; init; } = new();
}

/// <summary>Thresholds of the audit; the defaults are documented in docs/audit.md.</summary>
public sealed record AuditOptions
{
    /// <summary>Fewest usable candidates for a regression.</summary>
    public int MinimumN { get; init; } = 20;
    /// <summary>Fewest events (promotions, or non-promotions if rarer) per predictor for a regression.</summary>
    public int MinimumEventsPerPredictor { get; init; } = 5;
    /// <summary>A promoted person is flagged low_values when their values score is this far below the target level's expectation…</summary>
    public double LowValuesMargin { get; init; } = 0.5;
    /// <summary>…or in this bottom share of the cycle's candidates (when the cycle has at least 10 with a score).</summary>
    public double LowValuesBottomShare { get; init; } = 0.10;
    /// <summary>results_only: results in this top share of the cycle's candidates, with values below the median.</summary>
    public double TopResultsShare { get; init; } = 0.25;
    /// <summary>Impact ratio under which a group is adversely treated (the four-fifths rule).</summary>
    public double FourFifths { get; init; } = 0.8;
    /// <summary>Significance level for Fisher's exact test.</summary>
    public double Alpha { get; init; } = 0.05;
}

public sealed record AuditLevel(string Key, string Track, string TrackKind, int Band, double? ExpectedValuesScore, int MaxDirectReports);

public sealed record AuditPerson(
    string Id, string? ManagerId, string? Department, string? Location, string? Gender,
    string Track, string Level, DateOnly HireDate, bool Active);

/// <summary>One candidate considered in one cycle, with the scores as of the cycle's decided_on (null = no evidence).</summary>
public sealed record AuditCandidate(
    string Cycle, DateOnly DecidedOn, string EmployeeId, string FromLevel, string ToLevel, string Outcome,
    double? ResultsScore, double? ValuesScore, double TenureYears);

public sealed record AuditConcern(string Id, string EmployeeId, string Category, bool Substantiated, DateOnly RecordedOn);

public sealed record AuditRecognition(string FromId, string ToId, string Value, DateOnly GivenOn);

public sealed record AuditReadiness(string EmployeeId, string Band);

/// <summary>One published promotion story: its cycle, its person and the value keys it names.</summary>
public sealed record AuditStory(string Cycle, string EmployeeId, IReadOnlyList<string> Values);

public sealed record AuditTrackReturn(string EmployeeId, string FromLevel, string ToLevel, DateOnly On);

// ---------------------------------------------------------------- output: the audit object (docs/audit.md) plus optional sections

/// <summary>The object of <c>trellis audit --format json</c> and <c>GET /api/v1/audit</c> (snake_case in JSON; contract fields first).</summary>
public sealed record AuditReport(
    DateOnly AsOf,
    IReadOnlyList<CycleSummary> Cycles,
    DriverFit Drivers,
    double? SayDoIndex,
    IReadOnlyList<AuditFlag> Flags,
    IReadOnlyList<SpanOutlier> SpanOfControl,
    IReadOnlyList<GroupRate> Groups,
    string SayDoReading,
    IReadOnlyList<SegmentFit> DriversByCycle,
    IReadOnlyList<SegmentFit> DriversByDepartment,
    IReadOnlyList<SpanBucket> SpanDistribution,
    int SpanLimit,
    RecognitionMap Recognition,
    TrackReality Tracks,
    IReadOnlyList<MoveSummary> Moves,
    IReadOnlyList<TrackReturnYear> TrackReturns,
    IReadOnlyList<GroupReadiness> ReadinessByGroup,
    IReadOnlyList<SuppressedGroup> SuppressedGroups,
    IReadOnlyList<string> Notes)
{
    /// <summary>Which values the published promotion stories name, next to what the drivers show (added after the contract fields).</summary>
    public CelebratedValues? PromotionStories { get; init; }
}

/// <summary>
/// What the organisation celebrates next to what it rewards: per value the published stories naming it (and its share of
/// recognition), with the drivers' values and results effects and the say–do index.
/// </summary>
public sealed record CelebratedValues(int Stories, IReadOnlyList<CelebratedValue> Values, DriverEffect? ValuesDriver, DriverEffect? ResultsDriver,
    double? SayDoIndex, string Reading);

/// <param name="Share">Share of the published stories that name the value.</param>
/// <param name="RecognitionShare">Share of all recognition given for the value.</param>
public sealed record CelebratedValue(string Value, int Stories, double Share, int Recognitions, double RecognitionShare);

public sealed record CycleSummary(string Cycle, int Candidates, int Promoted, int Declined, int Deferred, DateOnly DecidedOn, int NotPromoted);

public sealed record DriverEffect(double OddsRatio, double[] Ci, double P, double Beta, double StandardError);

/// <summary>
/// A fitted driver model. <c>results</c>/<c>values</c>/<c>tenure</c> are null when the model was not fitted
/// (<c>status</c> skipped or separation, with the <c>reason</c>).
/// </summary>
public sealed record DriverFit(
    int N, int Promoted, DriverEffect? Results, DriverEffect? Values, DriverEffect? Tenure,
    string Status, string? Reason, int ExcludedMissing, double? SayDoIndex);

public sealed record SegmentFit(string Segment, DriverFit Fit);

public sealed record AuditFlag(
    string Cycle, string EmployeeId, string Reason, DateOnly DecidedOn, string ToLevel,
    double? ValuesScore, double? ResultsScore, string Detail, string? ConcernId);

public sealed record SpanOutlier(string ManagerId, int DirectReports, int Limit, int? LevelLimit, string Level);

public sealed record SpanBucket(int DirectReports, int Managers, bool OverLimit);

public sealed record GroupRate(
    string Attribute, string Group, int Candidates, int Promoted, double? ImpactRatio,
    double PromotionRate, double FisherP, bool Adverse, bool Significant);

public sealed record GroupReadiness(string Attribute, string Group, int Employees, int Ready, double ReadinessRate, double? ImpactRatio);

public sealed record SuppressedGroup(string Attribute, string Section, string Reason);

public sealed record RecognitionMap(
    int Total,
    IReadOnlyList<RecognitionValue> Values,
    IReadOnlyList<string> Unrecognised,
    IReadOnlyList<string> Departments,
    IReadOnlyList<RecognitionCell> ByDepartment,
    IReadOnlyList<string> Periods,
    IReadOnlyList<RecognitionCell> ByPeriod);

/// <summary>Counts for one value; <c>from_manager</c>/<c>from_report</c>/<c>from_peer</c> say by whom relative to the recipient.</summary>
public sealed record RecognitionValue(string Value, int Count, int Givers, int Recipients, int FromManager, int FromReport, int FromPeer);

public sealed record RecognitionCell(string Value, string Key, int Count);

public sealed record TrackReality(IReadOnlyList<TrackBand> Ladder, IReadOnlyList<TrackPromotions> Promotions);

public sealed record TrackBand(string Track, string TrackKind, int Band, string Level, int People);

public sealed record TrackPromotions(string Track, string TrackKind, int Candidates, int Promoted, double? MedianYearsToPromotion);

/// <summary>Approved moves back to the expert track per calendar year, outside promotion cycles.</summary>
public sealed record TrackReturnYear(int Year, int Returns);

public sealed record MoveSummary(string Cycle, int Declined, int Deferred, int ReturnsToExpertTrack, int ExpertTrackPromotions);
