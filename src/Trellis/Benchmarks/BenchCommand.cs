using System.CommandLine;

namespace Trellis.Benchmarks;

public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Run the end-to-end benchmarks");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'bench' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
