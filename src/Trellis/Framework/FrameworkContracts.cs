using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>One stored version of the framework, without its document.</summary>
public sealed record FrameworkVersionSummary(
    int Id, string Label, string Name, DateTimeOffset CreatedAt, string? CreatedBy, string? CreatedByName, string? Note, bool IsCurrent);

/// <summary>A stored version with its document (and the document's JSON as stored, for line diffs and download).</summary>
public sealed record StoredFramework(FrameworkVersionSummary Version, CareerFramework Framework, string Json);

/// <summary>The structural diff between two stored versions.</summary>
public sealed record FrameworkDiffResponse(FrameworkVersionSummary From, FrameworkVersionSummary To, IReadOnlyList<FrameworkChange> Changes);

/// <summary>What a write did: the version now current, whether it is new (an identical save creates none), and what changed.</summary>
public sealed record FrameworkSaveResponse(int Version, bool Created, IReadOnlyList<FrameworkChange> Changes);

/// <summary>PUT /api/v1/framework/behaviors/{key}: a behaviour's name, description and anchors "1".."5".</summary>
public sealed record BehaviorEditRequest(string? Name, string? Description, Dictionary<string, string?>? Anchors, string? Note, int? BaseVersion);

public sealed record LevelScopeRequest(int[]? DirectReports, string[]? Responsibilities, string? TimeSplit);

/// <summary>
/// PUT /api/v1/framework/levels/{key}: a level's name, scope and expectations (behaviour key → rating 1–5), replaced as
/// a whole; <c>band</c>, when given, moves the level within its track.
/// </summary>
public sealed record LevelEditRequest(string? Name, LevelScopeRequest? Scope, Dictionary<string, int>? Expectations, string? Note, int? BaseVersion, int? Band = null);

/// <summary>POST /api/v1/framework/tracks/{track}/levels: a new level, its band and everything a level has.</summary>
public sealed record LevelAddRequest(string? Key, string? Name, int? Band, LevelScopeRequest? Scope, Dictionary<string, int>? Expectations, string? Note, int? BaseVersion);

/// <summary>POST /api/v1/framework/values/{value}/behaviors: a new behaviour with its anchors "1".."5".</summary>
public sealed record BehaviorAddRequest(string? Key, string? Name, string? Description, Dictionary<string, string?>? Anchors, string? Note, int? BaseVersion);

/// <summary>POST /api/v1/framework/values: a new value with its first behaviour.</summary>
public sealed record ValueAddRequest(string? Key, string? Name, string? Description, BehaviorAddRequest? Behavior, string? Note, int? BaseVersion);

/// <summary>PUT /api/v1/framework/values/{key}: a value's name and description.</summary>
public sealed record ValueEditRequest(string? Name, string? Description, string? Note, int? BaseVersion);

/// <summary>POST …/move: the new position in the saved order, 1 = first.</summary>
public sealed record FrameworkMoveRequest(int Position, string? Note, int? BaseVersion);

/// <summary>POST …/retire and …/restore: an optional note and the version the change was made on.</summary>
public sealed record FrameworkActionRequest(string? Note, int? BaseVersion);

/// <summary>The result of a framework write, shared by the API and the edit pages.</summary>
public abstract record FrameworkWrite
{
    public sealed record Saved(FrameworkSaveResponse Result) : FrameworkWrite;
    /// <summary>Field errors: JSON paths for a whole document, field names relative to the edited element for one-element edits.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : FrameworkWrite;
    /// <summary>The caller edited <see cref="BaseVersion"/> but someone saved <see cref="CurrentVersion"/> in between.</summary>
    public sealed record Stale(int BaseVersion, int CurrentVersion) : FrameworkWrite;
    public sealed record NotFound(string Detail) : FrameworkWrite;
}
