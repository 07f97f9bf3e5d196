using BenchmarkDotNet.Attributes;
using Trellis.Core.Readiness;
using Trellis.Readiness;

namespace Trellis.Bench;

/// <summary>
/// The readiness engine on 100,000 people and 10,000,000 observations:
/// <c>dotnet run -c Release --project bench/Trellis.Bench -- --filter '*Readiness*'</c>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ReadinessEngineBenchmarks
{
    private SyntheticOrganisation _org = null!;
    private ReadinessOptions _options = null!;
    private ReadinessModel _model = null!;
    private Random _random = null!;

    [Params(100_000)]
    public int People { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _org = SyntheticOrganisation.Generate(People, People * 100L, seed: 2026);
        _options = new ReadinessOptions { AsOf = _org.AsOf };
        _model = ReadinessModel.Fit(_org.Observations, _org.Persons, _org.Behaviors, _options, _org.Department);
        _random = new Random(5);
    }

    [Benchmark(Baseline = true, Description = "raw pass over the six arrays the engine reads")]
    public double RawPassAllArrays() => ReadinessEngineBenchmark.RawPassAllArrays(_org);

    [Benchmark(Description = "raw pass over three arrays: plain mean per person × behaviour")]
    public double RawPass() => ReadinessEngineBenchmark.RawPass(_org);

    [Benchmark(Description = "full recompute: rater-corrected fit")]
    public ReadinessModel FullRecompute() => ReadinessModel.Fit(_org.Observations, _org.Persons, _org.Behaviors, _options, _org.Department);

    [Benchmark(Description = "incremental: one new observation", OperationsPerInvoke = 1000)]
    public bool IncrementalAdd()
    {
        var added = false;
        for (var k = 0; k < 1000; k++)
            added |= _model.Add(_random.Next(_org.Persons), _random.Next(_org.Persons), _random.Next(_org.Behaviors), RelationshipCode.Peer, 1 + _random.Next(5), _org.AsOf.DayNumber);
        return added;
    }
}
