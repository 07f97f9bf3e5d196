using System.Globalization;
using Trellis.Cli;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// The one way tests touch the process-wide console. Tests run in parallel and <see cref="Console.SetOut"/> is global:
/// two tests swapping it without taking turns can leave a disposed writer installed, after which every later
/// <c>Console.WriteLine</c> in the process throws (a CLI command then exits 1 for no reason of its own).
/// </summary>
public static class CliRunner
{
    private static readonly SemaphoreSlim ConsoleTurn = new(1, 1);

    /// <summary>Runs <c>trellis args…</c> in-process with standard output and error captured.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var (code, output, error) = await CaptureAsync(() => TrellisCommands.RunAsync(args));
        return (code, output, error);
    }

    /// <summary>Runs <paramref name="work"/> with the console captured, one test at a time.</summary>
    public static async Task<(T Result, string Out, string Err)> CaptureAsync<T>(Func<Task<T>> work)
    {
        await ConsoleTurn.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var o = new StringWriter(CultureInfo.InvariantCulture);
        using var e = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            var result = await work();
            return (result, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            ConsoleTurn.Release();
        }
    }

    public static async Task<string> CaptureAsync(Func<Task> work) =>
        (await CaptureAsync(async () => { await work(); return 0; })).Out;
}
