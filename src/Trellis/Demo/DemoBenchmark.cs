using System.Diagnostics;
using Trellis.Benchmarks;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Demo;

/// <summary>
/// <c>trellis demo --employees 100000</c> into a fresh SQLite file: generation and bulk writing of the whole
/// organisation with its history. Goal: well under a minute on the 2-core reference machine.
/// </summary>
internal sealed class DemoBenchmark : IEndToEndBenchmark
{
    public string Name => "demo organisation (SQLite)";

    public int Order => 10;

    public async Task<IReadOnlyList<BenchFigure>> RunAsync(bool quick, CancellationToken ct)
    {
        var employees = quick ? 10_000 : DemoOptions.MaxEmployees;
        var dir = Directory.CreateTempSubdirectory("trellis-bench-demo-");
        try
        {
            var selection = DatabaseSelection.Parse(Path.Combine(dir.FullName, "demo.db"));
            await using var services = new ServiceCollection().AddTrellisServices(selection).BuildServiceProvider();
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            await db.MigrateAsync(ct);
            var store = services.GetRequiredService<FrameworkStore>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await DemoSeeding.SeedAsync(db, store, TimeProvider.System, new DemoOptions(employees), progress: null, ct);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var rows = result.Rows.Values.Sum();
            return
            [
                new BenchFigure($"{employees:N0} employees with history ({rows:N0} rows)", $"{result.Elapsed.TotalSeconds:N1} s",
                    quick ? "< 15 s" : "< 60 s", result.Elapsed.TotalSeconds < (quick ? 15 : 60),
                    $"{rows / result.Elapsed.TotalSeconds:N0} rows/s, {cpu.TotalSeconds:N1} s CPU"),
            ];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }
}
