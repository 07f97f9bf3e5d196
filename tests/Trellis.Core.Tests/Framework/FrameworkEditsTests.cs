using Trellis.Core.Framework;

namespace Trellis.Core.Tests.Framework;

public sealed class FrameworkEditsTests
{
    private static readonly CareerFramework Sample = FrameworkJson.Parse(File.ReadAllText(SamplePath())).Framework!;

    private static string SamplePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Trellis", "Framework", "sample-framework.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("cannot find sample-framework.json above " + AppContext.BaseDirectory);
    }

    private static Dictionary<string, string> Anchors(params string[] texts) =>
        texts.Select((t, i) => (Key: (i + 1).ToString(), t)).ToDictionary(x => x.Key, x => x.t);

    [Fact]
    public void Editing_a_behaviour_changes_only_that_behaviour()
    {
        var result = FrameworkEdits.EditBehavior(Sample, "grows-others",
            new BehaviorChange("  Grows people ", "Helps others grow", Anchors("a", "b", "c", "d", "e")))!;
        Assert.True(result.IsValid);
        var changes = FrameworkDiff.Compare(Sample, result.Framework);
        Assert.All(changes, c => Assert.StartsWith("values[care-for-people].behaviors[grows-others].", c.Path));
        Assert.Equal("Grows people", result.Framework.FindBehavior("grows-others")!.Name);
        Assert.Equal(Sample.Behaviors.Select(b => b.Key), result.Framework.Behaviors.Select(b => b.Key));
    }

    [Fact]
    public void Behaviour_problems_are_keyed_by_field()
    {
        var result = FrameworkEdits.EditBehavior(Sample, "asks-why", new BehaviorChange("", "", Anchors("a", "b", " ", "d")))!;
        Assert.False(result.IsValid);
        Assert.Equal(["is required"], result.Errors["name"]);
        Assert.Equal(["missing anchor for rating 3"], result.Errors["anchors.3"]);
        Assert.Equal(["missing anchor for rating 5"], result.Errors["anchors.5"]);
        Assert.Equal(3, result.Errors.Count);
    }

    [Fact]
    public void Unknown_keys_are_not_found()
    {
        Assert.Null(FrameworkEdits.EditBehavior(Sample, "nope", new BehaviorChange("x", "", Anchors("a", "b", "c", "d", "e"))));
        Assert.Null(FrameworkEdits.EditLevel(Sample, "nope", new LevelChange("x", new LevelScope(), new Dictionary<string, int>())));
    }

    [Fact]
    public void Editing_a_level_keeps_its_key_band_and_track_and_orders_expectations_like_the_behaviours()
    {
        var change = new LevelChange("Lead", new LevelScope { DirectReports = [2, 5], Responsibilities = ["  Hires ", "", "Coaches"], TimeSplit = " 50/50 " },
            new Dictionary<string, int> { ["works-across-boundaries"] = 4, ["asks-why"] = 3 });
        var result = FrameworkEdits.EditLevel(Sample, "l3", change)!;
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        var level = result.Framework.FindLevel("l3")!;
        Assert.Equal(Sample.FindLevel("l3")!.Band, level.Band);
        Assert.Equal("leader", result.Framework.TrackOf("l3")!.Key);
        Assert.Equal(["Hires", "Coaches"], level.Scope.Responsibilities);
        Assert.Equal("50/50", level.Scope.TimeSplit);
        Assert.Equal(["asks-why", "works-across-boundaries"], level.Expectations.Keys);
    }

    [Fact]
    public void Level_problems_are_keyed_by_field()
    {
        var change = new LevelChange("Lead", new LevelScope { DirectReports = [6, 2] },
            new Dictionary<string, int> { ["asks-why"] = 0, ["made-up"] = 3 });
        var result = FrameworkEdits.EditLevel(Sample, "l3", change)!;
        Assert.Equal(["[6, 2] is not a valid range"], result.Errors["scope.direct_reports"]);
        Assert.Equal(["rating must be between 1 and 5 (got 0)"], result.Errors["expectations.asks-why"]);
        Assert.Equal(["unknown behaviour 'made-up'"], result.Errors["expectations.made-up"]);
    }
}
