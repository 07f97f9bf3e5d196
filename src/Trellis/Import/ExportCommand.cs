using System.CommandLine;
using Trellis.Cli;

namespace Trellis.Import;

/// <summary><c>trellis export --out DIR</c>: the framework and the six CSV files, which import again unchanged.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "directory to write framework.json and the CSV files into", Required = true };
        var version = new Option<int?>("--framework-version") { Description = "write this stored framework version instead of the current one" };
        var command = new Command("export", "Export the framework and CSV files (they import again unchanged)");
        command.Options.Add(outDir);
        command.Options.Add(version);
        command.SetAction(async (parse, ct) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(outDir)!);
            if (File.Exists(directory)) return TrellisCommands.Fail($"{directory} is a file; --out takes a directory");
            await using var services = await TrellisCommands.ServicesAsync(parse, ct, existing: true);
            await using var scope = services.CreateAsyncScope();
            try
            {
                var files = await scope.ServiceProvider.GetRequiredService<DataExport>().WriteAsync(directory, parse.GetValue(version), ct);
                foreach (var file in files)
                    Console.WriteLine(file.Rows is { } rows ? $"{file.Path}: {rows:N0} rows" : file.Path);
                if (!files.Any(f => f.Rows is null)) Console.WriteLine("No framework has been imported yet, so framework.json was not written.");
                return 0;
            }
            catch (ExportException ex)
            {
                return TrellisCommands.Fail(ex.Message);
            }
        });
        return command;
    }
}
