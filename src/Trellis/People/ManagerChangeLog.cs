using Trellis.Data;

namespace Trellis.People;

/// <summary>
/// The audit-log entry of a change of someone's manager. Who reports to whom decides who may read whose evidence, so
/// every such change (an import, a move back to the expert track, provisioning) is logged with who made it and how.
/// </summary>
public static class ManagerChangeLog
{
    public const string Action = "manager_changed";

    /// <param name="actor">The signed-in person who made the change; null for the command line or a system.</param>
    /// <param name="how">How it was made, for the reader: "import by A1", "trellis import on the command line (OS user x)".</param>
    public static AuditLogEntry Entry(DateTimeOffset at, string? actor, string employeeId, string? previous, string? manager, string how) => new()
    {
        At = at, ActorEmployeeId = actor, Action = Action, SubjectEmployeeId = employeeId,
        Detail = $"manager {previous ?? "none"} → {manager ?? "none"} ({how})",
    };
}
