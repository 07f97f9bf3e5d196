using BenchmarkDotNet.Running;

namespace Trellis.Bench;

// BenchmarkDotNet suite: `dotnet run -c Release --project bench/Trellis.Bench -- --filter '*'`.
public static class BenchProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
