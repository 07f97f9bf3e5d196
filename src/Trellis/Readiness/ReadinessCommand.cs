using System.CommandLine;

namespace Trellis.Readiness;

public static class ReadinessCommand
{
    public static Command Create()
    {
        var command = new Command("readiness", "Compute readiness for every active employee");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'readiness' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
