using Trellis.Cli;

namespace Trellis.Tests.Infrastructure;

/// <summary>Runs a <c>trellis</c> verb in-process and captures its output. Console is process-wide, so runs take turns.</summary>
public static class CliRunner
{
    private static readonly SemaphoreSlim ConsoleTurn = new(1, 1);

    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        await ConsoleTurn.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        try
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            var code = await TrellisCommands.RunAsync(args);
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            ConsoleTurn.Release();
        }
    }
}
