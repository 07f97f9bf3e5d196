using FsCheck;
using FsCheck.Xunit;
using Trellis.Core.Framework;

namespace Trellis.Core.Tests.Framework;

public sealed class FrameworkDiffTests
{
    private static Dictionary<string, string> Anchors(string prefix) =>
        Enumerable.Range(1, 5).ToDictionary(r => r.ToString(), r => $"{prefix} {r}");

    private static CareerFramework Sample() => new()
    {
        Name = "Acme",
        Version = "1",
        Values =
        [
            new ValueDefinition
            {
                Key = "curiosity", Name = "Curiosity", Description = "Wants to know",
                Behaviors =
                [
                    new BehaviorDefinition { Key = "asks-why", Name = "Asks why", Description = "Before acting", Anchors = Anchors("why") },
                    new BehaviorDefinition { Key = "learns", Name = "Learns in the open", Anchors = Anchors("learn") },
                ],
            },
            new ValueDefinition
            {
                Key = "care", Name = "Care",
                Behaviors = [new BehaviorDefinition { Key = "grows-others", Name = "Grows others", Anchors = Anchors("grow") }],
            },
        ],
        Tracks =
        [
            new Track
            {
                Key = "expert", Name = "Expert", Kind = TrackKinds.Individual,
                Levels =
                [
                    new Level { Key = "e1", Name = "Associate", Band = 1, Scope = new LevelScope { Responsibilities = ["Delivers tasks"], TimeSplit = "100% hands-on" },
                        Expectations = new Dictionary<string, int> { ["asks-why"] = 2, ["learns"] = 2 } },
                    new Level { Key = "e2", Name = "Engineer", Band = 2, Expectations = new Dictionary<string, int> { ["asks-why"] = 3 } },
                ],
            },
            new Track
            {
                Key = "leader", Name = "People leader", Kind = TrackKinds.PeopleLeader,
                Levels =
                [
                    new Level { Key = "l2", Name = "Team lead", Band = 2, Scope = new LevelScope { DirectReports = [2, 6], Responsibilities = ["Hires", "Coaches"] },
                        Expectations = new Dictionary<string, int> { ["asks-why"] = 3, ["grows-others"] = 3 } },
                ],
            },
        ],
    };

    private static CareerFramework EditBehavior(CareerFramework f, string key, Func<BehaviorDefinition, BehaviorDefinition> edit) => f with
    {
        Values = f.Values.Select(v => v with { Behaviors = v.Behaviors.Select(b => b.Key == key ? edit(b) : b).ToList() }).ToList(),
    };

    private static CareerFramework EditLevel(CareerFramework f, string key, Func<Level, Level> edit) => f with
    {
        Tracks = f.Tracks.Select(t => t with { Levels = t.Levels.Select(l => l.Key == key ? edit(l) : l).ToList() }).ToList(),
    };

    [Fact]
    public void Identical_frameworks_have_no_changes()
    {
        Assert.Empty(FrameworkDiff.Compare(Sample(), Sample()));
    }

    [Fact]
    public void A_changed_anchor_is_reported_with_its_before_and_after_text()
    {
        var after = EditBehavior(Sample(), "asks-why", b => b with { Anchors = new Dictionary<string, string>(b.Anchors) { ["3"] = "Asks why on most tasks" } });
        var change = Assert.Single(FrameworkDiff.Compare(Sample(), after));
        Assert.Equal(new FrameworkChange(ChangeKind.Changed, "anchor", "values[curiosity].behaviors[asks-why].anchors.3",
            "Anchor 3 of 'Asks why'", "why 3", "Asks why on most tasks"), change);
    }

    [Fact]
    public void Behaviours_added_removed_renamed_and_moved_between_values()
    {
        var after = Sample() with
        {
            Values =
            [
                Sample().Values[0] with
                {
                    Behaviors = [Sample().Values[0].Behaviors[0] with { Name = "Asks why first", Description = "" }],
                },
                Sample().Values[1] with
                {
                    Behaviors = [Sample().Values[1].Behaviors[0], Sample().Values[0].Behaviors[1],
                        new BehaviorDefinition { Key = "shares-credit", Name = "Shares credit", Anchors = Anchors("credit") }],
                },
            ],
        };
        var changes = FrameworkDiff.Compare(Sample(), after);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "behavior", "values[curiosity].behaviors[asks-why].name", "Name of behaviour 'asks-why'", "Asks why", "Asks why first"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "behavior", "values[curiosity].behaviors[asks-why].description", "Description of behaviour 'Asks why first'", "Before acting", ""), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "behavior", "values[care].behaviors[learns].value", "Value of behaviour 'Learns in the open'", "curiosity", "care"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Added, "behavior", "values[care].behaviors[shares-credit]", "Behaviour 'Shares credit' added under 'Care'", null, "Shares credit"), changes);
        // A moved behaviour is one change, not a removal and an addition; an added one does not list its anchors separately.
        Assert.Equal(4, changes.Count);

        var removed = FrameworkDiff.Compare(after, Sample()).Single(c => c.Kind == ChangeKind.Removed);
        Assert.Equal(("behavior", "values[care].behaviors[shares-credit]", "Shares credit"), (removed.Area, removed.Path, removed.Before));
    }

    [Fact]
    public void Anchors_added_and_removed_are_reported_per_rating()
    {
        var after = EditBehavior(Sample(), "learns", b => b with
        {
            Anchors = new Dictionary<string, string> { ["1"] = "learn 1", ["2"] = "learn 2", ["3"] = "learn 3", ["4"] = "learn 4", ["6"] = "learn 6" },
        });
        var changes = FrameworkDiff.Compare(Sample(), after);
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => c is { Kind: ChangeKind.Removed, Area: "anchor", Path: "values[curiosity].behaviors[learns].anchors.5", Before: "learn 5", After: null });
        Assert.Contains(changes, c => c is { Kind: ChangeKind.Added, Area: "anchor", Path: "values[curiosity].behaviors[learns].anchors.6", Before: null, After: "learn 6" });
    }

    [Fact]
    public void Level_scope_expectations_band_and_track_changes()
    {
        var after = EditLevel(Sample(), "l2", l => l with
        {
            Name = "Team manager",
            Band = 3,
            Scope = new LevelScope { DirectReports = [3, 8], Responsibilities = ["Hires", "Runs one-to-ones"], TimeSplit = "50/50" },
            Expectations = new Dictionary<string, int> { ["asks-why"] = 4, ["learns"] = 3 },
        });
        var changes = FrameworkDiff.Compare(Sample(), after);
        const string p = "tracks[leader].levels[l2]";
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "level", $"{p}.name", "Name of level 'l2'", "Team lead", "Team manager"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "level", $"{p}.band", "Band of level 'l2'", "2", "3"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "scope", $"{p}.scope.direct_reports", "Direct reports of 'l2'", "2–6", "3–8"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "scope", $"{p}.scope.time_split", "Time split of 'l2'", "", "50/50"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Removed, "scope", $"{p}.scope.responsibilities", "Responsibility of 'l2' removed", "Coaches", null), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Added, "scope", $"{p}.scope.responsibilities", "Responsibility of 'l2' added", null, "Runs one-to-ones"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "expectation", $"{p}.expectations.asks-why", "Expected 'Asks why' at 'l2'", "3", "4"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Removed, "expectation", $"{p}.expectations.grows-others", "Expected 'Grows others' at 'l2' removed", "3", null), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Added, "expectation", $"{p}.expectations.learns", "Expected 'Learns in the open' at 'l2' added", null, "3"), changes);
        Assert.Equal(9, changes.Count);
    }

    [Fact]
    public void Reordered_responsibilities_are_one_change_and_reordered_values_one_order_change()
    {
        var after = EditLevel(Sample(), "l2", l => l with { Scope = l.Scope with { Responsibilities = ["Coaches", "Hires"] } });
        var change = Assert.Single(FrameworkDiff.Compare(Sample(), after));
        Assert.Equal(("Hires\nCoaches", "Coaches\nHires"), (change.Before, change.After));

        // The saved order is what people read (issue 11: HR reorders values on the page), so a move is one change.
        var reordered = Sample() with { Values = Sample().Values.Reverse().ToList() };
        var order = Assert.Single(FrameworkDiff.Compare(Sample(), reordered));
        Assert.Equal((ChangeKind.Changed, "values.order"), (order.Kind, order.Path));
        Assert.Equal(string.Join("\n", Sample().Values.Select(v => v.Name)), order.Before);
        Assert.Equal(string.Join("\n", Sample().Values.Reverse().Select(v => v.Name)), order.After);
    }

    [Fact]
    public void Tracks_levels_rules_and_names()
    {
        var after = Sample() with
        {
            Name = "Acme 2",
            Version = "2",
            Rules = new FrameworkRules { MaxDirectReports = 10, AnonymityThreshold = 4, ResultsGate = 2.5 },
            Tracks =
            [
                Sample().Tracks[0] with { Name = "Individual", Levels = [Sample().Tracks[0].Levels[0]] },
                Sample().Tracks[1] with { Levels = [Sample().Tracks[1].Levels[0], Sample().Tracks[0].Levels[1]] },
                new Track { Key = "ops", Name = "Operations", Kind = TrackKinds.Individual, Levels = [new Level { Key = "o1", Name = "Operator", Band = 1 }] },
            ],
        };
        var changes = FrameworkDiff.Compare(Sample(), after);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "framework", "name", "Framework name", "Acme", "Acme 2"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "framework", "version", "Version label", "1", "2"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "rules", "rules.max_direct_reports", "Maximum direct reports", "12", "10"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "rules", "rules.anonymity_threshold", "Anonymity threshold", "3", "4"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "rules", "rules.results_gate", "Results gate", "3", "2.5"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "track", "tracks[expert].name", "Name of track 'expert'", "Expert", "Individual"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Added, "track", "tracks[ops]", "Track 'Operations' added", null, "Operations"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Added, "level", "tracks[ops].levels[o1]", "Level 'Operator' (o1) added to 'Operations'", null, "Operator (band 1, 0–0 direct reports)"), changes);
        Assert.Contains(new FrameworkChange(ChangeKind.Changed, "level", "tracks[leader].levels[e2].track", "Track of level 'e2'", "expert", "leader"), changes);
        Assert.Equal(9, changes.Count);

        var back = FrameworkDiff.Compare(after, Sample());
        Assert.Contains(back, c => c is { Kind: ChangeKind.Removed, Area: "track", Path: "tracks[ops]" });
        Assert.Contains(back, c => c is { Kind: ChangeKind.Removed, Area: "level", Path: "tracks[ops].levels[o1]" });
    }

    /// <summary>Diffing either way finds the same elements: every addition one way is a removal the other way.</summary>
    [Property(MaxTest = 200)]
    public bool Reversing_the_diff_swaps_additions_and_removals(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var a = Mutate(Sample(), random);
        var b = Mutate(Sample(), random);
        var forward = FrameworkDiff.Compare(a, b);
        var backward = FrameworkDiff.Compare(b, a);
        static ChangeKind Flip(ChangeKind k) => k switch { ChangeKind.Added => ChangeKind.Removed, ChangeKind.Removed => ChangeKind.Added, _ => k };
        var expected = forward.Select(c => (Flip(c.Kind), c.Area, c.After, c.Before)).OrderBy(x => x.ToString()).ToList();
        var actual = backward.Select(c => (c.Kind, c.Area, c.Before, c.After)).OrderBy(x => x.ToString()).ToList();
        return expected.SequenceEqual(actual) && FrameworkDiff.Compare(a, a).Count == 0;
    }

    private static CareerFramework Mutate(CareerFramework f, Random random)
    {
        if (random.Next(2) == 0)
            f = EditBehavior(f, "asks-why", b => b with { Anchors = new Dictionary<string, string>(b.Anchors) { [random.Next(1, 7).ToString()] = $"t{random.Next(3)}" } });
        if (random.Next(2) == 0)
            f = EditLevel(f, "e1", l => l with { Expectations = new Dictionary<string, int>(l.Expectations) { [random.Next(2) == 0 ? "learns" : "grows-others"] = random.Next(1, 6) } });
        if (random.Next(2) == 0)
            f = f with { Values = [f.Values[0]] };
        if (random.Next(2) == 0)
            f = EditLevel(f, "l2", l => l with { Scope = l.Scope with { Responsibilities = random.Next(2) == 0 ? ["Hires"] : ["Hires", "Coaches", "Plans"] } });
        return f;
    }
}
