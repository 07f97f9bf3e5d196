namespace Trellis.Admin;

public sealed record AccountFilter(string? Q = null, string? Role = null, int Page = 1, int PageSize = 50);

public sealed record AccountRow(
    int Id, string EmployeeId, string? Name, string? Email, string? EmployeeStatus, IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt, bool Locked, DateTimeOffset? LockedUntil, int ActiveTokens, bool Disabled);

public sealed record AccountPage(IReadOnlyList<AccountRow> Items, int Total, int Page, int PageSize);

/// <summary>Filters of the audit log; <c>from</c> and <c>to</c> are inclusive UTC dates.</summary>
public sealed record AuditLogFilter(
    string? Actor = null, string? Subject = null, string? Action = null, DateOnly? From = null, DateOnly? To = null,
    int Page = 1, int PageSize = 50);

public sealed record AuditLogRow(
    long Id, DateTimeOffset At, string? ActorId, string? ActorName, string Action, string? SubjectId, string? SubjectName, string? Detail);

public sealed record AuditLogPage(IReadOnlyList<AuditLogRow> Items, int Total, int Page, int PageSize);
