using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Operations;

/// <summary>Ready when the database answers and has every migration of this build applied.</summary>
internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            if (!await db.Database.CanConnectAsync(ct)) return HealthCheckResult.Unhealthy("the database does not answer");
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var known = db.Database.GetMigrations().ToList();
            // A newer build migrated the database under this node (a rolling upgrade gone wrong): its schema may no longer be what this build expects.
            if (applied.Except(known, StringComparer.Ordinal).ToList() is { Count: > 0 } newer)
                return HealthCheckResult.Unhealthy(DatabaseSetup.NewerBuildMessage(newer));
            var pending = known.Where(m => !applied.Contains(m)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("reachable, migrations applied")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)} (run trellis migrate)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"the database does not answer: {e.GetType().Name}");
        }
    }
}

/// <summary>
/// Ready when readiness is fitted. While the server's warm-up fits it, the node is not ready (a load balancer keeps traffic
/// away for those seconds); with warm-up off it fits on first use, which is reported as degraded (still 200).
/// </summary>
internal sealed class ReadinessHealthCheck(ReadinessService readiness, Microsoft.Extensions.Options.IOptions<ServeOptions> options, IConfiguration configuration) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(readiness.IsFitted
            ? HealthCheckResult.Healthy("fitted")
            : options.Value.WarmUp && configuration.GetValue("warmup", true)
                ? HealthCheckResult.Unhealthy("fitting at start-up")
                : HealthCheckResult.Degraded("fitted on first use"));
}
