using System.CommandLine;

namespace Trellis.Import;

public static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Export the framework and CSV files");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'export' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
