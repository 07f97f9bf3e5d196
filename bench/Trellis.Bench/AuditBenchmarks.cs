using BenchmarkDotNet.Attributes;
using Trellis.Core;
using Trellis.Core.Audit;
using Trellis.Core.Framework;

namespace Trellis.Bench;

/// <summary>
/// The pure culture audit over 100,000 people and 10 cycles of 10,000 candidates each (values scores given, as
/// the readiness engine would supply them from the observations), and the pooled regression alone.
/// </summary>
[MemoryDiagnoser]
public class AuditBenchmarks
{
    private AuditInput _input = null!;
    private List<AuditCandidate> _decided = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        const int n = 100_000;
        string[] departments = ["Engineering", "Sales", "Support", "Finance", "Operations"];
        var people = Enumerable.Range(0, n).Select(i => new AuditPerson($"P{i}", i < 8000 ? null : $"P{i % 8000}", departments[i % 5], i % 3 == 0 ? "Lisbon" : "Porto",
            i % 2 == 0 ? "f" : "m", i < 8000 ? "leader" : "expert", i < 8000 ? "l4" : "e2", new DateOnly(2015 + i % 10, 1, 1), true)).ToList();
        var candidates = new List<AuditCandidate>();
        for (var c = 0; c < 10; c++)
            for (var i = c; i < n; i += 10)
            {
                double r = Gauss(), v = Gauss();
                var promoted = rng.NextDouble() < 1 / (1 + Math.Exp(-(-1.2 + 1.3 * r + 0.3 * v)));
                candidates.Add(new AuditCandidate($"C{c}", new DateOnly(2021 + c / 2, c % 2 == 0 ? 6 : 12, 1), $"P{i}", "e2", "e3",
                    promoted ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted, 3.1 + 0.7 * r, 3.3 + 0.6 * v, 1 + 9 * rng.NextDouble()));
            }
        _input = new AuditInput
        {
            AsOf = new DateOnly(2026, 6, 30),
            Levels = CultureAudit.LevelsOf(new CareerFramework { Name = "bench", Tracks = [
                new Track { Key = "expert", Name = "Expert", Kind = TrackKinds.Individual, Levels = [new Level { Key = "e2", Name = "e2", Band = 2 }, new Level { Key = "e3", Name = "e3", Band = 3 }] },
                new Track { Key = "leader", Name = "Leader", Kind = TrackKinds.PeopleLeader, Levels = [new Level { Key = "l4", Name = "l4", Band = 4 }] }] }),
            People = people, Candidates = candidates,
            Recognitions = Enumerable.Range(0, 1_000_000).Select(i => new AuditRecognition($"P{i % n}", $"P{(i * 7919) % n}", i % 3 == 0 ? "craft" : "curiosity", new DateOnly(2021 + i % 5, 1 + i % 12, 1))).ToList(),
            Readiness = people.Select((p, i) => new AuditReadiness(p.Id, i % 4 == 0 ? "ready" : "developing")).ToList(),
        };
        _decided = candidates;
    }

    [Benchmark(Description = "culture audit: 100k people, 10 cycles, 100k candidates, 1M recognitions")]
    public AuditReport Audit() => CultureAudit.Compute(_input);

    [Benchmark(Description = "pooled driver regression over 100k candidates")]
    public DriverFit Drivers() => CultureAudit.FitDrivers(_decided, new AuditOptions());
}
