namespace Trellis.Core.Framework;

/// <summary>The editable text of one behaviour: name, description and its five anchors ("1".."5").</summary>
public sealed record BehaviorChange(string Name, string Description, IReadOnlyDictionary<string, string> Anchors);

/// <summary>The editable parts of one level: name, scope and the expected rating per behaviour.</summary>
public sealed record LevelChange(string Name, LevelScope Scope, IReadOnlyDictionary<string, int> Expectations);

/// <summary>
/// The framework after an edit, and the problems the validator found in it. Problems under the edited
/// element are keyed relative to it (<c>name</c>, <c>anchors.3</c>, <c>scope.direct_reports</c>,
/// <c>expectations.asks-why</c>) so that forms can show them next to their field; anything else keeps its JSON path.
/// </summary>
public sealed record FrameworkEditResult(CareerFramework Framework, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Applies one HR edit to a framework document, leaving everything else as it was.</summary>
public static class FrameworkEdits
{
    /// <summary>Replaces one behaviour's text and anchors; null when no behaviour has that key.</summary>
    public static FrameworkEditResult? EditBehavior(CareerFramework framework, string key, BehaviorChange change)
    {
        for (var v = 0; v < framework.Values.Count; v++)
        {
            var value = framework.Values[v];
            for (var b = 0; b < value.Behaviors.Count; b++)
            {
                if (value.Behaviors[b].Key != key) continue;
                var behavior = value.Behaviors[b] with
                {
                    Name = change.Name.Trim(),
                    Description = change.Description.Trim(),
                    Anchors = change.Anchors.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => (a.Value ?? "").Trim()),
                };
                var behaviors = value.Behaviors.ToArray();
                behaviors[b] = behavior;
                var values = framework.Values.ToArray();
                values[v] = value with { Behaviors = behaviors };
                return Validated(framework with { Values = values }, $"$.values[{v}].behaviors[{b}]");
            }
        }
        return null;
    }

    /// <summary>Replaces one level's name, scope and expectations; its key, band and track stay. Null when no level has that key.</summary>
    public static FrameworkEditResult? EditLevel(CareerFramework framework, string key, LevelChange change)
    {
        for (var t = 0; t < framework.Tracks.Count; t++)
        {
            var track = framework.Tracks[t];
            for (var l = 0; l < track.Levels.Count; l++)
            {
                if (track.Levels[l].Key != key) continue;
                var level = track.Levels[l] with
                {
                    Name = change.Name.Trim(),
                    Scope = new LevelScope
                    {
                        DirectReports = change.Scope.DirectReports.ToArray(),
                        Responsibilities = change.Scope.Responsibilities.Select(r => r.Trim()).Where(r => r.Length > 0).ToArray(),
                        TimeSplit = change.Scope.TimeSplit.Trim(),
                    },
                    // Keep the framework's behaviour order so that the stored JSON stays stable and diffs stay small.
                    Expectations = OrderLike(change.Expectations, framework),
                };
                var levels = track.Levels.ToArray();
                levels[l] = level;
                var tracks = framework.Tracks.ToArray();
                tracks[t] = track with { Levels = levels };
                return Validated(framework with { Tracks = tracks }, $"$.tracks[{t}].levels[{l}]");
            }
        }
        return null;
    }

    /// <summary>Groups validator problems by path, relative to <paramref name="prefix"/> where they fall under it.</summary>
    public static IReadOnlyDictionary<string, string[]> ErrorsByPath(IEnumerable<FrameworkProblem> problems, string? prefix = null) =>
        problems
            .GroupBy(p => prefix is not null && p.Path.StartsWith(prefix + ".", StringComparison.Ordinal) ? p.Path[(prefix.Length + 1)..] : p.Path)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).Distinct().ToArray());

    private static FrameworkEditResult Validated(CareerFramework edited, string prefix) =>
        new(edited, ErrorsByPath(FrameworkValidator.Validate(edited), prefix));

    private static Dictionary<string, int> OrderLike(IReadOnlyDictionary<string, int> expectations, CareerFramework framework)
    {
        var ordered = new Dictionary<string, int>();
        foreach (var b in framework.Behaviors)
            if (expectations.TryGetValue(b.Key, out var rating)) ordered[b.Key] = rating;
        // Unknown behaviour keys are kept so that the validator reports them rather than them vanishing silently.
        foreach (var (k, rating) in expectations)
            ordered.TryAdd(k, rating);
        return ordered;
    }
}
