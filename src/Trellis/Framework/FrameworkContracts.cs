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

/// <summary>PUT /api/v1/framework/levels/{key}: a level's name, scope and expectations (behaviour key → rating 1–5), replaced as a whole.</summary>
public sealed record LevelEditRequest(string? Name, LevelScopeRequest? Scope, Dictionary<string, int>? Expectations, string? Note, int? BaseVersion);

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
