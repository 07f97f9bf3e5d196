using System.CommandLine;

namespace Trellis.Demo;

public static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Generate a realistic demo organisation with history");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'demo' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
