using System.Text.Json.Serialization;

namespace Trellis.Core.Framework;

/// <summary>The career framework document (framework.json): values → behaviours → anchors, and tracks → levels.</summary>
public sealed record CareerFramework
{
    public required string Name { get; init; }
    public string Version { get; init; } = "";
    public FrameworkRules Rules { get; init; } = new();
    public IReadOnlyList<ValueDefinition> Values { get; init; } = [];
    public IReadOnlyList<Track> Tracks { get; init; } = [];

    [JsonIgnore]
    public IEnumerable<BehaviorDefinition> Behaviors => Values.SelectMany(v => v.Behaviors);

    [JsonIgnore]
    public IEnumerable<Level> Levels => Tracks.SelectMany(t => t.Levels);

    public Level? FindLevel(string key) => Levels.FirstOrDefault(l => l.Key == key);

    public Track? TrackOf(string levelKey) => Tracks.FirstOrDefault(t => t.Levels.Any(l => l.Key == levelKey));

    public BehaviorDefinition? FindBehavior(string key) => Behaviors.FirstOrDefault(b => b.Key == key);

    /// <summary>The behaviours that new feedback, requests, plans and level expectations may use: every one not retired.</summary>
    [JsonIgnore]
    public IEnumerable<BehaviorDefinition> ActiveBehaviors => Behaviors.Where(b => !b.IsRetired);

    public ValueDefinition? ValueOf(string behaviorKey) => Values.FirstOrDefault(v => v.Behaviors.Any(b => b.Key == behaviorKey));

    /// <summary>The level one band up on the same track, or null at the top.</summary>
    public Level? NextLevel(string levelKey)
    {
        var track = TrackOf(levelKey);
        var level = FindLevel(levelKey);
        if (track is null || level is null) return null;
        return track.Levels.Where(l => l.Band > level.Band).OrderBy(l => l.Band).FirstOrDefault();
    }

    /// <summary>The level with the same band on another track (a lateral move of equal standing), if any.</summary>
    public Level? EqualBandOn(string trackKey, int band) =>
        Tracks.FirstOrDefault(t => t.Key == trackKey)?.Levels.FirstOrDefault(l => l.Band == band);
}

public sealed record FrameworkRules
{
    public int MaxDirectReports { get; init; } = 12;
    public int AnonymityThreshold { get; init; } = 3;
    public double ResultsGate { get; init; } = 3.0;
}

public sealed record ValueDefinition
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<BehaviorDefinition> Behaviors { get; init; } = [];

    /// <summary>A value is retired when every one of its behaviours is: it keeps its history, and nothing new is given on it.</summary>
    [JsonIgnore]
    public bool IsRetired => Behaviors.Count > 0 && Behaviors.All(b => b.IsRetired);
}

public sealed record BehaviorDefinition
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Behaviourally anchored rating scale: "1".."5" → what that rating looks like.</summary>
    public IReadOnlyDictionary<string, string> Anchors { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The day HR retired this behaviour, or absent. A retired behaviour stays in the document so that the evidence
    /// given on it keeps its name and anchors; nothing new is scored on it and no level expects it. Documents
    /// written before retiring existed simply omit it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? Retired { get; init; }

    [JsonIgnore]
    public bool IsRetired => Retired is not null;
}

public sealed record Track
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    /// <summary><c>individual</c> (expert) or <c>people_leader</c>.</summary>
    public required string Kind { get; init; }
    public IReadOnlyList<Level> Levels { get; init; } = [];

    [JsonIgnore]
    public bool IsPeopleLeader => Kind == TrackKinds.PeopleLeader;
}

public static class TrackKinds
{
    public const string Individual = "individual";
    public const string PeopleLeader = "people_leader";
}

public sealed record Level
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public int Band { get; init; }
    public LevelScope Scope { get; init; } = new();
    /// <summary>Behaviour key → the rating (1–5) expected at this level.</summary>
    public IReadOnlyDictionary<string, int> Expectations { get; init; } = new Dictionary<string, int>();
}

public sealed record LevelScope
{
    /// <summary>Inclusive [min, max] range of direct reports.</summary>
    public IReadOnlyList<int> DirectReports { get; init; } = [0, 0];
    public IReadOnlyList<string> Responsibilities { get; init; } = [];
    public string TimeSplit { get; init; } = "";

    [JsonIgnore] public int MinDirectReports => DirectReports.Count > 0 ? DirectReports[0] : 0;
    [JsonIgnore] public int MaxDirectReports => DirectReports.Count > 1 ? DirectReports[1] : MinDirectReports;
}
