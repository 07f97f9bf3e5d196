using System.Diagnostics;
using Microsoft.Extensions.Options;
using Trellis.Data;
using Trellis.People;
using Trellis.Readiness;

namespace Trellis;

/// <summary>
/// Applies migrations (and seeds the demo organisation with --demo) before the server starts listening; once it
/// listens, <c>trellis serve</c> also loads readiness and the organisation in the background, so that the first
/// person to open a page does not wait for them (seconds at 100,000 people), and then keeps the culture audit current.
/// </summary>
internal sealed partial class StartupTasks(
    IServiceScopeFactory scopes, IOptions<ServeOptions> serveOptions, DatabaseSelection selection, ReadinessService readiness, OrgSnapshots org,
    Audit.AuditService audit, IHostApplicationLifetime lifetime, ILogger<StartupTasks> log) : IHostedLifecycleService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Database: {Database}")]
    private static partial void UsingDatabase(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up: organisation in {Organisation} ms, readiness in {Readiness} ms")]
    private static partial void WarmedUp(ILogger logger, long organisation, long readiness);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up failed; the first request will load readiness and the organisation")]
    private static partial void WarmUpFailed(ILogger logger, Exception exception);

    private readonly ServeOptions _serve = serveOptions.Value;

    /// <summary>Thread-pool threads kept ready while serving, so that background work (warm-up, refits, the audit) cannot starve requests.</summary>
    private static readonly int MinWorkerThreads = Math.Max(16, 4 * Environment.ProcessorCount);

    public async Task StartingAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var database = selection.Describe();
        UsingDatabase(log, database);
        await db.MigrateAsync(ct);
        await ReleaseDueFeedbackAsync(db, ct);
        if (_serve.Demo)
            await Demo.DemoSeeding.SeedIfEmptyAndPrintAsync(scope.ServiceProvider, _serve, ct);
    }

    /// <summary>
    /// Feedback stored before release tracking existed (or by an older version) is released by the usual rule: whole
    /// groups of at least the threshold's raters at once; smaller groups stay held back, as they were shown before.
    /// </summary>
    private static async Task ReleaseDueFeedbackAsync(TrellisDb db, CancellationToken ct)
    {
        if ((await Framework.FrameworkStore.LoadCurrentAsync(db, ct))?.Framework is not { } framework) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await Evidence.FeedbackRelease.ReleaseDueAsync(db, framework.Rules.AnonymityThreshold, DateTimeOffset.UtcNow, null, ct) > 0)
            await new Evidence.EvidenceChanges(db).RecordAsync(null, ct); // every running server refits its own views
        await tx.CommitAsync(ct);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken ct)
    {
        // "warmup=false" turns it off (the integration tests, which write evidence straight into the database after start).
        if (_serve.WarmUp)
        {
            // Until they are loaded, the pages that need them show a short "loading" state instead of waiting.
            org.AllowLoadingState();
            readiness.AllowLoadingState();
            // The warm-up reads millions of rows on blocking reader threads and fits on every core. With the thread pool's
            // usual minimum (one thread per core) the first requests queued behind it until the pool grew (seconds to a
            // minute on a loaded machine); with spare threads ready they are served at once while it runs.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, MinWorkerThreads), io);
            _ = Task.Run(WarmUpAsync, CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    private async Task WarmUpAsync()
    {
        try
        {
            var clock = Stopwatch.StartNew();
            using (var scope = scopes.CreateScope())
                await org.GetAsync(scope.ServiceProvider.GetRequiredService<TrellisDb>());
            var organisation = clock.Elapsed;
            await readiness.RefreshAsync();
            WarmedUp(log, (long)organisation.TotalMilliseconds, (long)(clock.Elapsed - organisation).TotalMilliseconds);
        }
        catch (Exception e)
        {
            // Nothing is lost: the first request that needs them loads them instead.
            WarmUpFailed(log, e);
        }
        // From now on the culture audit is recomputed in the background whenever its data changes, before anyone asks.
        try { await audit.WatchAsync(lifetime.ApplicationStopping); }
        catch (OperationCanceledException) { }
    }

    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
