using System.CommandLine;

namespace Trellis.Import;

public static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Import the framework and CSV files (all or nothing)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'import' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
