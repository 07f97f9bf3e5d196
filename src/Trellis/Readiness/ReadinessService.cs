using Trellis.Core.Readiness;

namespace Trellis.Readiness;

/// <summary>
/// Readiness for the app: loads the evidence snapshot into the engine's compact arrays, keeps it current
/// as evidence changes, and answers per person or for everyone. Registered as a singleton.
/// </summary>
/// <remarks>
/// This is the contract other features (cycles, audit, pages) code against. The engine issue fills it in:
/// until then it answers <c>insufficient_evidence</c> for everyone.
/// </remarks>
public sealed class ReadinessService
{
    /// <summary>Readiness of one employee for a target (<c>null</c> or "next" = next band on the same track, else a level key). Null if no such active employee.</summary>
    public Task<ReadinessReport?> GetAsync(string employeeId, string? target = null, DateOnly? asOf = null, CancellationToken ct = default) =>
        Task.FromResult<ReadinessReport?>(null);

    /// <summary>Readiness of every active employee, ordered by employee id (the <c>trellis readiness</c> output).</summary>
    public Task<IReadOnlyList<ReadinessReport>> GetAllAsync(string? target = null, DateOnly? asOf = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ReadinessReport>>([]);

    /// <summary>Tells the service that evidence changed (an observation was added, an import ran).</summary>
    public void EvidenceChanged() { }
}
