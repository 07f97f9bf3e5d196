namespace Trellis.Data;

// EF entities stay inside the app: APIs and pages project them into records of their feature.
// Ids that come from the source system (employee_id, observation_id, …) are the primary keys,
// so that re-importing upserts by id.

public sealed class Employee
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public string? ManagerId { get; set; }
    public string? Department { get; set; }
    public string? Location { get; set; }
    public string? Title { get; set; }
    public required string Track { get; set; }
    public required string Level { get; set; }
    public DateOnly HireDate { get; set; }
    public DateOnly? LevelSince { get; set; }
    public string Status { get; set; } = EmployeeStatus.Active;
    public string? Gender { get; set; }
}

public static class EmployeeStatus
{
    public const string Active = "active";
    public const string Left = "left";
}

public sealed class Observation
{
    public required string Id { get; set; }
    public required string SubjectId { get; set; }
    public required string RaterId { get; set; }
    public required string Relationship { get; set; }
    public required string Behavior { get; set; }
    public int Rating { get; set; }
    public DateOnly ObservedOn { get; set; }
    public string? Comment { get; set; }
    public string Visibility { get; set; } = "shared";
    /// <summary>
    /// When the observation became visible to its subject (null: held back). Attributed feedback is released as it is
    /// stored; peer, report and other feedback only in batches of at least <c>anonymity_threshold</c> distinct raters
    /// (<see cref="Evidence.FeedbackRelease"/>), so that no change the subject sees comes from a single answer.
    /// </summary>
    public DateTimeOffset? ReleasedAt { get; set; }
}

public sealed class ResultRecord
{
    public required string EmployeeId { get; set; }
    public required string Period { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public double Score { get; set; }
}

public sealed class Recognition
{
    public required string Id { get; set; }
    public required string FromId { get; set; }
    public required string ToId { get; set; }
    public required string Value { get; set; }
    public string? Behavior { get; set; }
    public string? Message { get; set; }
    public DateOnly GivenOn { get; set; }
}

/// <summary>One candidate considered in one cycle (promotions.csv), whatever the outcome.</summary>
public sealed class PromotionRecord
{
    public required string Cycle { get; set; }
    public required string EmployeeId { get; set; }
    public DateOnly DecidedOn { get; set; }
    public required string FromLevel { get; set; }
    public required string ToLevel { get; set; }
    public required string Outcome { get; set; }
}

public sealed class Concern
{
    public required string Id { get; set; }
    public required string EmployeeId { get; set; }
    public required string Category { get; set; }
    public bool Substantiated { get; set; }
    public DateOnly RecordedOn { get; set; }
}

/// <summary>One stored version of the career framework document; the highest number is current.</summary>
public sealed class FrameworkVersion
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Label { get; set; }
    public required string Json { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? Note { get; set; }
}

public sealed class Account
{
    public int Id { get; set; }
    public required string EmployeeId { get; set; }
    public required string PasswordHash { get; set; }
    /// <summary>Space-separated roles: employee manager hr committee admin.</summary>
    public required string Roles { get; set; }
    /// <summary>Until when the account's logins are locked for browsers it never signed in from (shown to admins; sign-in reads <see cref="Accounts.SignInLockout"/>).</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    /// <summary>
    /// Changes whenever existing sign-in sessions must end (sign-out, password or role change); every cookie carries the
    /// stamp it was issued with and is refused once it differs.
    /// </summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>Set by an admin: no sign-in, no session, no token works until it is enabled again.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

public sealed class ApiToken
{
    public int Id { get; set; }
    public int AccountId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the token, hex; the token itself is shown once and never stored.</summary>
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Who read or changed what sensitive record, and when.</summary>
public sealed class AuditLogEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string? ActorEmployeeId { get; set; }
    public required string Action { get; set; }
    public string? SubjectEmployeeId { get; set; }
    public string? Detail { get; set; }
}
