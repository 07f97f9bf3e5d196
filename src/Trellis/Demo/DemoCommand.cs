using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using Trellis.Cli;
using Trellis.Framework;

namespace Trellis.Demo;

/// <summary><c>trellis demo [--db V] [--employees N] [--seed S]</c>: fills an empty database with a demo organisation.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var employees = new Option<int>("--employees")
        {
            Description = $"how many people ({DemoOptions.MinEmployees}–{DemoOptions.MaxEmployees:N0}, default {DemoOptions.DefaultEmployees})",
            DefaultValueFactory = _ => DemoOptions.DefaultEmployees,
        };
        var seed = new Option<int>("--seed")
        {
            Description = $"seed of the generator: the same seed gives the same organisation (default {DemoOptions.DefaultSeed})",
            DefaultValueFactory = _ => DemoOptions.DefaultSeed,
        };
        var command = new Command("demo", "Generate a realistic demo organisation with history into an empty database");
        command.Options.Add(employees);
        command.Options.Add(seed);
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(employees);
            if (count is < DemoOptions.MinEmployees or > DemoOptions.MaxEmployees)
                return TrellisCommands.Fail($"--employees must be between {DemoOptions.MinEmployees} and {DemoOptions.MaxEmployees:N0} (got {count}).");
            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            await using var scope = services.CreateAsyncScope();
            var selection = services.GetRequiredService<Data.DatabaseSelection>();
            var db = scope.ServiceProvider.GetRequiredService<Data.TrellisDb>();
            var existing = await db.Employees.CountAsync(ct);
            if (existing > 0)
                return TrellisCommands.Fail($"{selection.Describe()} already has {existing:N0} employees; `trellis demo` only fills a database without employees. " +
                    "Choose a new one with --db (for example --db demo.db).");

            var store = services.GetRequiredService<FrameworkStore>();
            var options = new DemoOptions(count, parse.GetValue(seed));
            Console.WriteLine($"Generating a demo organisation of {count:N0} people (seed {options.Seed}) into {selection.Describe()}");

            DemoSeedResult result;
            if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                result = await AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(ctx => DemoSeeding.SeedAsync(db, store, TimeProvider.System, options, new BarProgress(ctx), ct));
            }
            else
            {
                result = await DemoSeeding.SeedAsync(db, store, TimeProvider.System, options, new LineProgress(), ct);
            }
            Console.WriteLine($"Done in {result.Elapsed.TotalSeconds:N1} s.");
            Console.Write(DemoSeeding.FormatSignIns(result.SignIns));
            return 0;
        });
        return command;
    }

    /// <summary>Spectre.Console bars, one per table, when attached to a terminal.</summary>
    private sealed class BarProgress(ProgressContext context) : IDemoProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public Action<long> Start(string table, long expectedRows)
        {
            var task = context.AddTask(table, maxValue: Math.Max(1, expectedRows));
            _tasks[table] = task;
            return rows => task.Value = Math.Min(rows, task.MaxValue);
        }

        public void Done(string table, long rows, TimeSpan elapsed)
        {
            var task = _tasks[table];
            task.Description = $"{table} ({rows:N0})";
            task.MaxValue = Math.Max(1, rows);
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    /// <summary>One line per table when the output is a file or a pipe.</summary>
    private sealed class LineProgress : IDemoProgress
    {
        public Action<long> Start(string table, long expectedRows) => _ => { };

        public void Done(string table, long rows, TimeSpan elapsed) =>
            Console.WriteLine($"  {table,-13} {rows,12:N0} rows  {elapsed.TotalSeconds,6:N1} s");
    }
}
