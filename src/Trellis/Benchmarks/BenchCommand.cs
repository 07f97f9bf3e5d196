using System.CommandLine;
using System.Diagnostics;

namespace Trellis.Benchmarks;

/// <summary>
/// One end-to-end benchmark of <c>trellis bench</c>. Implementations in any feature folder are found by
/// reflection, so a feature adds a benchmark by adding a class.
/// </summary>
public interface IEndToEndBenchmark
{
    /// <summary>Short name shown in the table, e.g. "import 1,000,000 observations (SQLite)".</summary>
    string Name { get; }

    /// <summary>Order in the report (lower first).</summary>
    int Order => 100;

    Task<IReadOnlyList<BenchFigure>> RunAsync(bool quick, CancellationToken ct);
}

/// <summary>A measured figure with its goal; <see cref="Met"/> is null when there is no pass/fail goal.</summary>
public sealed record BenchFigure(string What, string Measured, string Goal, bool? Met, string? Note = null);

public static class BenchCommand
{
    /// <summary>The database given with <c>--db</c>, for benchmarks that can run on an existing organisation (null: they build their own).</summary>
    public static string? Database { get; private set; }

    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "smaller data sets, for a fast check" };
        var filter = new Option<string?>("--only") { Description = "run only benchmarks whose name contains this text" };
        var command = new Command("bench", "Run the end-to-end benchmarks and print each figure with its goal");
        command.Options.Add(quick);
        command.Options.Add(filter);
        command.SetAction(async (parse, ct) =>
        {
            // `trellis bench --db X`: the global option; only the pages benchmark uses it (a 100,000-person demo organisation).
            Database = parse.GetValue(Cli.TrellisCommands.Db);
            var benchmarks = typeof(BenchCommand).Assembly.GetTypes()
                .Where(t => typeof(IEndToEndBenchmark).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
                .Select(t => (IEndToEndBenchmark)Activator.CreateInstance(t)!)
                .Where(b => parse.GetValue(filter) is not { } f || b.Name.Contains(f, StringComparison.OrdinalIgnoreCase))
                .OrderBy(b => b.Order).ThenBy(b => b.Name)
                .ToList();
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}{(parse.GetValue(quick) ? " (quick)" : "")}");
            var failed = 0;
            foreach (var benchmark in benchmarks)
            {
                Console.WriteLine();
                Console.WriteLine($"## {benchmark.Name}");
                var clock = Stopwatch.StartNew();
                var figures = await benchmark.RunAsync(parse.GetValue(quick), ct);
                foreach (var f in figures)
                {
                    var mark = f.Met switch { true => "ok  ", false => "MISS", null => "    " };
                    Console.WriteLine($"  {mark} {f.What}: {f.Measured}  (goal: {f.Goal}){(f.Note is null ? "" : $"  — {f.Note}")}");
                    if (f.Met == false) failed++;
                }
                Console.WriteLine($"  ({clock.Elapsed.TotalSeconds:F1} s)");
            }
            if (benchmarks.Count == 0) Console.WriteLine("No benchmarks matched.");
            return failed == 0 ? 0 : 3;
        });
        return command;
    }
}
