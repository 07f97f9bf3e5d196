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

    [Fact]
    public void Retiring_a_behaviour_keeps_it_dated_drops_it_from_every_level_and_round_trips_through_json()
    {
        var day = new DateOnly(2026, 12, 7);
        var result = FrameworkEdits.RetireBehavior(Sample, "asks-why", day)!;
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        var retired = result.Framework.FindBehavior("asks-why")!;
        Assert.Equal(day, retired.Retired);
        Assert.Equal(Sample.FindBehavior("asks-why")!.Anchors, retired.Anchors);
        Assert.DoesNotContain(result.Framework.ActiveBehaviors, b => b.Key == "asks-why");
        Assert.All(result.Framework.Levels, l => Assert.False(l.Expectations.ContainsKey("asks-why")));

        // Written with its date, read back the same; a document without the field (every older one) reads as in use.
        var json = FrameworkJson.Write(result.Framework);
        Assert.Contains("\"retired\": \"2026-12-07\"", json);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"retired\""));
        var back = FrameworkJson.Parse(json);
        Assert.True(back.IsValid, string.Join("; ", back.Problems));
        Assert.Equal(day, back.Framework!.FindBehavior("asks-why")!.Retired);
        Assert.Null(FrameworkJson.Parse(FrameworkJson.Write(Sample)).Framework!.FindBehavior("asks-why")!.Retired);
        Assert.DoesNotContain("\"retired\"", FrameworkJson.Write(Sample));

        // Retiring again keeps the first date; a level may not expect a retired behaviour; restoring clears the date.
        Assert.Equal(day, FrameworkEdits.RetireBehavior(result.Framework, "asks-why", day.AddDays(5))!.Framework.FindBehavior("asks-why")!.Retired);
        var e3 = result.Framework.FindLevel("e3")!;
        var expecting = FrameworkEdits.EditLevel(result.Framework, "e3", new LevelChange(e3.Name, e3.Scope, new Dictionary<string, int>(e3.Expectations) { ["asks-why"] = 3 }))!;
        Assert.Contains("retired on 2026-12-07", Assert.Single(expecting.Errors["expectations.asks-why"]));
        Assert.Null(FrameworkEdits.RestoreBehavior(result.Framework, "asks-why")!.Framework.FindBehavior("asks-why")!.Retired);
        Assert.Contains("\"retired\": \"not-a-date\"", json.Replace("2026-12-07", "not-a-date"));
        Assert.False(FrameworkJson.Parse(json.Replace("2026-12-07", "not-a-date")).IsValid);
    }

    [Fact]
    public void Adding_moving_and_removing_values_behaviours_and_levels()
    {
        var added = FrameworkEdits.AddBehavior(Sample, "craft", "writes-it-down", new BehaviorChange("Writes it down", "", Anchors("a", "b", "c", "d", "e")))!;
        Assert.True(added.IsValid);
        Assert.Equal("writes-it-down", added.Framework.Values.Single(v => v.Key == "craft").Behaviors[^1].Key);
        var duplicate = FrameworkEdits.AddBehavior(Sample, "craft", "asks-why", new BehaviorChange("Again", "", Anchors("a", "b", "c", "d", "e")))!;
        Assert.Equal(["duplicate behaviour key 'asks-why'"], duplicate.Errors["key"]);
        Assert.Null(FrameworkEdits.AddBehavior(Sample, "nope", "x", new BehaviorChange("X", "", Anchors("a", "b", "c", "d", "e"))));

        var moved = FrameworkEdits.MoveBehavior(added.Framework, "writes-it-down", 1)!.Framework;
        Assert.Equal("writes-it-down", moved.Values.Single(v => v.Key == "craft").Behaviors[0].Key);
        var first = FrameworkEdits.MoveValue(Sample, "we-over-me", 1)!.Framework;
        Assert.Equal("we-over-me", first.Values[0].Key);
        Assert.Equal(Sample.Values.Count, first.Values.Count);
        Assert.Equal("we-over-me", FrameworkEdits.MoveValue(Sample, "we-over-me", -3)!.Framework.Values[0].Key);

        var value = FrameworkEdits.AddValue(Sample, "candour", new ValueChange("Candour", ""), "names-it", new BehaviorChange("Names it", "", Anchors("a", "b", "c", "d", "e")));
        Assert.True(value.IsValid);
        Assert.Equal("candour", value.Framework.Values[^1].Key);
        var noBehaviorName = FrameworkEdits.AddValue(Sample, "candour", new ValueChange("Candour", ""), "names-it", new BehaviorChange("", "", Anchors("a", "b", "c", "d", "e")));
        Assert.Equal(["is required"], noBehaviorName.Errors["behaviors[0].name"]);
        var withoutCraft = FrameworkEdits.RemoveValue(Sample, "craft")!.Framework;
        Assert.All(withoutCraft.Levels, l => Assert.False(l.Expectations.ContainsKey("simplifies-the-complex")));

        var e3 = Sample.FindLevel("e3")!;
        var level = FrameworkEdits.AddLevel(Sample, "expert", "e7", new LevelChange("Fellow", e3.Scope, new Dictionary<string, int> { ["asks-why"] = 5 }, 7))!;
        Assert.True(level.IsValid);
        Assert.Equal("e7", level.Framework.Tracks.Single(t => t.Key == "expert").Levels[^1].Key);
        var between = FrameworkEdits.AddLevel(Sample, "expert", "e3b", new LevelChange("Between", e3.Scope, new Dictionary<string, int>(), 3))!;
        Assert.Contains("bands must increase", Assert.Single(between.Errors).Value[0]);
        Assert.DoesNotContain(FrameworkEdits.RemoveLevel(level.Framework, "e7")!.Framework.Levels, l => l.Key == "e7");
        var rebanded = FrameworkEdits.EditLevel(level.Framework, "e7", new LevelChange("Fellow", e3.Scope, new Dictionary<string, int>(), 9))!;
        Assert.True(rebanded.IsValid);
        Assert.Equal(9, rebanded.Framework.FindLevel("e7")!.Band);
    }
}
