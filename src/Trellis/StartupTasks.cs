using Trellis.Data;

namespace Trellis;

/// <summary>Applies migrations (and seeds the demo organisation with --demo) before the server starts listening.</summary>
internal sealed class StartupTasks(IServiceScopeFactory scopes, ServeOptions serve, DatabaseSelection selection, ILogger<StartupTasks> log) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        log.LogInformation("Database: {Database}", selection.Describe());
        await db.MigrateAsync(ct);
        if (serve.Demo)
            await Demo.DemoSeeding.SeedIfEmptyAndPrintAsync(scope.ServiceProvider, serve, ct);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
