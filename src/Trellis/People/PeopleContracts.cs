using System.Text.Json.Serialization;

namespace Trellis.People;

/// <summary>Filters of the directory (<c>GET /api/v1/employees</c> and the <c>/people</c> page).</summary>
public sealed record DirectoryFilter(
    string? Q = null, string? Department = null, string? Track = null, string? Level = null, string? ManagerId = null,
    string? Status = null, int Page = 1, int PageSize = DirectoryFilter.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
}

public sealed record EmployeeSummary(
    string Id, string Name, string Email, string? Title, string? Department, string? Location, string Track, string Level,
    string? ManagerId, string? ManagerName, string Status, int DirectReports, int TotalReports);

public sealed record EmployeePage(IReadOnlyList<EmployeeSummary> Items, int Total, int Page, int PageSize);

public sealed record PersonRef(string Id, string Name, string? Title, string Level);

public sealed record EmployeeProfile(
    string Id, string Name, string Email, string? Title, string? Department, string? Location,
    string Track, string? TrackName, string Level, string? LevelName, int? Band,
    DateOnly? LevelSince, DateOnly HireDate, string Status,
    IReadOnlyList<PersonRef> ManagerChain, IReadOnlyList<PersonRef> DirectReports, int DirectReportCount, int TotalReportCount)
{
    /// <summary>Sensitive: only HR and admins receive it, and each such read of another person is audited.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gender { get; init; }
}

public sealed record OrgNode(string Id, string Name, string? Title, string? Department, string Level, int DirectReports, int TotalReports);

/// <summary>One level of the org chart: the people without a manager (<c>parent_id</c> null), or someone's direct reports.</summary>
public sealed record OrgNodes(string? ParentId, IReadOnlyList<OrgNode> Items, int Total, int Page, int PageSize);

/// <summary>The chain from the top of the org chart down to a person (inclusive), for opening the tree along it.</summary>
public sealed record OrgPath(string EmployeeId, IReadOnlyList<OrgNode> Path);

public sealed record SpanOfControlRow(
    string ManagerId, string Name, string? Title, string? Department, string Track, string Level,
    int DirectReports, int TotalReports, int? RangeMin, int? RangeMax, int Limit, string Status);

/// <summary>
/// The span of control: <c>rows</c> in the order asked for (all of them, or one page when <c>page</c> or <c>page_size</c>
/// was given); <c>total</c> and the counts by finding are over all rows.
/// </summary>
public sealed record SpanOfControlReport(int Limit, string? ManagerId, IReadOnlyList<SpanOfControlRow> Rows)
{
    public int Total { get; init; }
    public int OverLimit { get; init; }
    public int AboveRange { get; init; }
    public int BelowRange { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Page { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PageSize { get; init; }
}

public static class SpanStatuses
{
    public const string Within = "within";
    public const string BelowRange = "below_range";
    public const string AboveRange = "above_range";
    public const string OverLimit = "over_limit";

    public static string Of(Core.Organisation.SpanStatus status) => status switch
    {
        Core.Organisation.SpanStatus.OverLimit => OverLimit,
        Core.Organisation.SpanStatus.AboveRange => AboveRange,
        Core.Organisation.SpanStatus.BelowRange => BelowRange,
        _ => Within,
    };

    public static int Severity(string status) => status switch { OverLimit => 3, AboveRange => 2, BelowRange => 1, _ => 0 };

    public static string Describe(string status) => status switch
    {
        OverLimit => "over the organisation's limit",
        AboveRange => "above the level's range",
        BelowRange => "below the level's range",
        _ => "within range",
    };
}
