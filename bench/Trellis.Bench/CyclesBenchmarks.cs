using BenchmarkDotNet.Attributes;
using Trellis.Core.Cycles;
using Trellis.Core.Readiness;

namespace Trellis.Bench;

/// <summary>The pure per-row work of the calibration board and of engine suggestions, for an organisation of 100,000.</summary>
[MemoryDiagnoser]
public class CyclesBenchmarks
{
    private ReadinessReport?[] _reports = [];
    private double?[] _results = [];
    private HashSet<string> _nominated = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        var bands = ReadinessBands.All;
        _reports = Enumerable.Range(0, 100_000).Select(i => i % 17 == 0 ? null : new ReadinessReport(
            $"E{i:D6}", "e3", "e4", bands[random.Next(bands.Count)], 1 + random.NextDouble() * 4, [2.5, 3.5],
            random.Next(0, 40), random.Next(0, 9), ResultsGates.Pass, [], [], "")).ToArray();
        _results = Enumerable.Range(0, 100_000).Select(_ => (double?)Math.Round(1 + random.NextDouble() * 4, 1)).ToArray();
        _nominated = Enumerable.Range(0, 100_000).Where(i => i % 10 == 0).Select(i => $"E{i:D6}").ToHashSet();
    }

    [Benchmark]
    public int FlagsFor100kCandidates()
    {
        var flagged = 0;
        for (var i = 0; i < _reports.Length; i++)
            flagged += CandidateFlags.Compute(_reports[i], _results[i], i % 40 == 0, 3).Count;
        return flagged;
    }

    [Benchmark]
    public int SuggestionsFrom100kReports() =>
        Suggestions.Select(_reports.OfType<ReadinessReport>(), _nominated, []).Count;
}
