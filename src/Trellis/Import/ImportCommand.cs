using System.CommandLine;
using Spectre.Console;
using Trellis.Cli;

namespace Trellis.Import;

/// <summary><c>trellis import</c>: the framework and the six CSV files, all or nothing (README.md, "Importing and exporting data").</summary>
public static class ImportCommand
{
    /// <summary>Import has no API of its own (the page and this verb): its services are registered here.</summary>
    public static IServiceCollection AddImport(this IServiceCollection services) => services.AddScoped<DataImport>().AddScoped<DataExport>();

    public static Command Create()
    {
        var framework = new Option<string?>("--framework") { Description = "framework.json" };
        var files = CsvFormats.All.ToDictionary(f => f.Kind, f => new Option<string?>(f.Option) { Description = f.FileName });
        var command = new Command("import", "Import the framework and CSV files (all or nothing; problems as FILE:LINE: COLUMN: message)");
        command.Options.Add(framework);
        foreach (var option in files.Values) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var given = new Dictionary<ImportFileKind, ImportSource>();
            if (parse.GetValue(framework) is { } f) given[ImportFileKind.Framework] = new ImportSource(f, f);
            foreach (var (kind, option) in files)
                if (parse.GetValue(option) is { } path) given[kind] = new ImportSource(path, path);
            if (given.Count == 0)
                return TrellisCommands.Fail($"nothing to import; give at least one of --framework, {string.Join(", ", CsvFormats.All.Select(x => x.Option))}");
            foreach (var source in given.Values)
                if (!File.Exists(source.Path)) return TrellisCommands.Fail($"{source.DisplayName}: no such file");

            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            await using var scope = services.CreateAsyncScope();
            var import = scope.ServiceProvider.GetRequiredService<DataImport>();
            var request = new ImportRequest(given);

            ImportReport report;
            if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                report = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(ctx => import.RunAsync(request, null, new SpectreProgress(ctx), ct));
            }
            else report = await import.RunAsync(request, null, null, ct);

            if (!report.Succeeded)
            {
                foreach (var line in report.ProblemLines()) Console.Error.WriteLine(line);
                return 1;
            }
            foreach (var line in report.SummaryLines()) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    /// <summary>One bar per file and step ("checking employees.csv", "writing employees.csv"), by bytes read.</summary>
    private sealed class SpectreProgress(ProgressContext context) : IImportProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(string step, string file, long done, long total)
        {
            var name = $"{step} {file}";
            if (!_tasks.TryGetValue(name, out var task))
                _tasks[name] = task = context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, total));
            task.Value = Math.Min(done, task.MaxValue);
        }
    }
}
