namespace Trellis.Growth;

/// <summary>Start the story of one's own promotion in a cycle (<c>employee_id</c>, if given, must be oneself).</summary>
public sealed record CreateStoryRequest(string? Cycle, string? EmployeeId = null);

/// <summary>The subject's edit: every part optional; <c>version</c> from the story read, so that a second tab cannot overwrite the first.</summary>
public sealed record UpdateStoryRequest(
    string? Headline = null, string? Text = null, IReadOnlyList<string>? Values = null, IReadOnlyList<string>? Behaviors = null,
    IReadOnlyList<string>? QuotedRecognitionIds = null, int? Version = null);

/// <summary>Approve or decline the story as last read (<c>version</c> optional).</summary>
public sealed record StoryDecisionRequest(int? Version = null);

public sealed record StoryValue(string Key, string Name);

public sealed record StoryBehavior(string Key, string Name, string Value);

/// <summary>A recognition quoted in (or quotable by) a story: public already, like the recognition feed.</summary>
public sealed record StoryQuote(string RecognitionId, string FromName, string Value, string? Behavior, string? Message, DateOnly GivenOn);

/// <summary>
/// One behaviour's estimate against what the level the person left expects: the evidence the draft was made from, shown
/// to its subject only (estimates are not published; the story names behaviours and values in words).
/// </summary>
public sealed record StoryEvidence(string Behavior, string Name, string Value, double Score, double[]? Ci, int Expected, double Above);

/// <summary>
/// A promotion story. <c>evidence</c> and <c>recognitions</c> (what may be quoted) are filled for its subject only;
/// everyone else sees published stories without them.
/// </summary>
public sealed record StoryView(
    int Id, string Cycle, string EmployeeId, string Name, string? Department, string FromLevel, string FromLevelName, string ToLevel, string ToLevelName,
    string Status, string Headline, string Text, IReadOnlyList<StoryValue> Values, IReadOnlyList<StoryBehavior> Behaviors, IReadOnlyList<StoryQuote> Quotes,
    DateTimeOffset? PublishedAt, bool Demo, int Version, IReadOnlyList<StoryEvidence>? Evidence = null, IReadOnlyList<StoryQuote>? Recognitions = null);

public sealed record StoryPage(IReadOnlyList<StoryView> Items, int Total, int Page, int PageSize);

/// <summary>One promotion of the viewer's and its story, if started (<c>story</c> null: not yet).</summary>
public sealed record MyPromotion(string Cycle, string FromLevel, string ToLevel, string ToLevelName, DateOnly DecidedOn, StoryView? Story);

/// <summary>
/// HR's view of one cycle's stories: how many promoted people published one, and how many did not. No names, no text and
/// no count of drafts: who declined, has a draft or has not answered yet is nobody's business but theirs, and in a small
/// cycle a count of drafts falling by one would tell that someone declined (<c>not_published</c> counts all three).
/// </summary>
public sealed record StoryCycleSummary(string Cycle, int Promoted, int Published, int NotPublished);
