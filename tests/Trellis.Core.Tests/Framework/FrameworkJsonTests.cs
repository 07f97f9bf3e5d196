using Trellis.Core.Framework;

namespace Trellis.Core.Tests.Framework;

public sealed class FrameworkJsonTests
{
    private const string Minimal = """
    {
      "name": "Acme", "version": "1",
      "rules": { "max_direct_reports": 12, "anonymity_threshold": 3, "results_gate": 3.0 },
      "values": [ { "key": "curiosity", "name": "Curiosity", "behaviors": [
          { "key": "asks-why", "name": "Asks why", "anchors": { "1": "a", "2": "b", "3": "c", "4": "d", "5": "e" } } ] } ],
      "tracks": [
        { "key": "expert", "name": "Expert", "kind": "individual", "levels": [
          { "key": "e1", "name": "One", "band": 1, "scope": { "direct_reports": [0, 0], "responsibilities": [], "time_split": "" }, "expectations": { "asks-why": 2 } },
          { "key": "e2", "name": "Two", "band": 2, "scope": { "direct_reports": [0, 0], "responsibilities": [], "time_split": "" }, "expectations": { "asks-why": 3 } } ] },
        { "key": "leader", "name": "Leader", "kind": "people_leader", "levels": [
          { "key": "l2", "name": "Lead", "band": 2, "scope": { "direct_reports": [2, 6], "responsibilities": [], "time_split": "" }, "expectations": { "asks-why": 3 } } ] } ]
    }
    """;

    [Fact]
    public void A_valid_document_parses_and_navigates()
    {
        var result = FrameworkJson.Parse(Minimal);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var f = result.Framework!;
        Assert.Equal("e2", f.NextLevel("e1")!.Key);
        Assert.Null(f.NextLevel("e2"));
        Assert.Equal("l2", f.EqualBandOn("leader", 2)!.Key);
        Assert.Equal(6, f.FindLevel("l2")!.Scope.MaxDirectReports);
    }

    [Fact]
    public void Problems_are_reported_by_json_path()
    {
        var bad = Minimal
            .Replace("\"asks-why\": 2", "\"asks-how\": 2")
            .Replace("\"asks-why\": 3 } } ] },", "\"asks-why\": 7 } } ] },")
            .Replace("\"band\": 2, \"scope\": { \"direct_reports\": [0, 0]", "\"band\": 1, \"scope\": { \"direct_reports\": [0, 0]")
            .Replace("\"5\": \"e\"", "\"4\": \"e\"")
            .Replace("\"key\": \"l2\"", "\"key\": \"e1\"");
        var problems = FrameworkJson.Parse(bad).Problems.Select(p => p.ToString()).ToList();
        Assert.Contains("$.values[0].behaviors[0].anchors.4: duplicate property '4'", problems);
        Assert.Contains("$.values[0].behaviors[0].anchors.5: missing anchor for rating 5", problems);
        Assert.Contains("$.tracks[0].levels[0].expectations.asks-how: unknown behaviour 'asks-how'", problems);
        Assert.Contains("$.tracks[0].levels[1].expectations.asks-why: rating must be between 1 and 5 (got 7)", problems);
        Assert.Contains("$.tracks[0].levels[1].band: bands must increase within a track (1 follows 1)", problems);
        Assert.Contains("$.tracks[1].levels[0].key: duplicate level key 'e1'", problems);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void An_anonymity_threshold_below_three_is_refused(int threshold)
    {
        var result = FrameworkJson.Parse(Minimal.Replace("\"anonymity_threshold\": 3", $"\"anonymity_threshold\": {threshold}"));
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Path == "$.rules.anonymity_threshold" && p.Message.Contains("at least 3"));
    }

    [Fact]
    public void Malformed_json_names_the_line()
    {
        var problems = FrameworkJson.Parse("{ \"name\": \"x\", \"values\": [ }").Problems;
        var problem = Assert.Single(problems);
        Assert.Contains("line 1", problem.Message);
    }

    [Fact]
    public void Writing_and_parsing_round_trips()
    {
        var f = FrameworkJson.Parse(Minimal).Framework!;
        var again = FrameworkJson.Parse(FrameworkJson.Write(f)).Framework!;
        Assert.Equal(FrameworkJson.Write(f), FrameworkJson.Write(again));
    }
}
