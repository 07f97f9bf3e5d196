namespace Trellis.Core.Framework;

/// <summary>The editable text of one behaviour: name, description and its five anchors ("1".."5").</summary>
public sealed record BehaviorChange(string Name, string Description, IReadOnlyDictionary<string, string> Anchors);

/// <summary>
/// The editable parts of one level: name, scope and the expected rating per behaviour; <paramref name="Band"/>, when
/// given, moves the level within its track (levels are kept in band order).
/// </summary>
public sealed record LevelChange(string Name, LevelScope Scope, IReadOnlyDictionary<string, int> Expectations, int? Band = null);

/// <summary>A value's name and description (its key never changes: recognitions refer to it).</summary>
public sealed record ValueChange(string Name, string Description);

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
                var behavior = Apply(value.Behaviors[b], change);
                var behaviors = value.Behaviors.ToArray();
                behaviors[b] = behavior;
                var values = framework.Values.ToArray();
                values[v] = value with { Behaviors = behaviors };
                return Validated(framework with { Values = values }, $"$.values[{v}].behaviors[{b}]");
            }
        }
        return null;
    }

    /// <summary>
    /// Replaces one level's name, scope and expectations; its key and track stay, and its band too unless the change
    /// gives one (then the track's levels are re-sorted by band, the saved order). Null when no level has that key.
    /// </summary>
    public static FrameworkEditResult? EditLevel(CareerFramework framework, string key, LevelChange change)
    {
        for (var t = 0; t < framework.Tracks.Count; t++)
        {
            var track = framework.Tracks[t];
            for (var l = 0; l < track.Levels.Count; l++)
            {
                if (track.Levels[l].Key != key) continue;
                var level = Apply(track.Levels[l], change, framework);
                var levels = track.Levels.ToArray();
                levels[l] = level;
                var sorted = levels.OrderBy(x => x.Band).ToArray();
                var tracks = framework.Tracks.ToArray();
                tracks[t] = track with { Levels = sorted };
                return Validated(framework with { Tracks = tracks }, $"$.tracks[{t}].levels[{Array.IndexOf(sorted, level)}]");
            }
        }
        return null;
    }

    /// <summary>Adds a level to a track at its band (levels stay in band order). Null when there is no such track.</summary>
    public static FrameworkEditResult? AddLevel(CareerFramework framework, string trackKey, string key, LevelChange change)
    {
        var t = IndexOf(framework.Tracks, x => x.Key == trackKey);
        if (t < 0) return null;
        var track = framework.Tracks[t];
        var level = Apply(new Level { Key = key.Trim(), Name = "" }, change, framework);
        var levels = track.Levels.Append(level).OrderBy(x => x.Band).ToArray();
        var tracks = framework.Tracks.ToArray();
        tracks[t] = track with { Levels = levels };
        return Validated(framework with { Tracks = tracks }, $"$.tracks[{t}].levels[{Array.IndexOf(levels, level)}]");
    }

    /// <summary>Takes a level out of its track (whether anyone still holds it is checked against the database). Null when unknown.</summary>
    public static FrameworkEditResult? RemoveLevel(CareerFramework framework, string key)
    {
        var t = IndexOf(framework.Tracks, x => x.Levels.Any(l => l.Key == key));
        if (t < 0) return null;
        var tracks = framework.Tracks.ToArray();
        tracks[t] = tracks[t] with { Levels = tracks[t].Levels.Where(l => l.Key != key).ToArray() };
        return Validated(framework with { Tracks = tracks }, $"$.tracks[{t}]");
    }

    /// <summary>Adds a value with its first behaviour (a value needs one) at the end of the list.</summary>
    public static FrameworkEditResult AddValue(CareerFramework framework, string key, ValueChange value, string behaviorKey, BehaviorChange behavior)
    {
        var added = new ValueDefinition
        {
            Key = key.Trim(), Name = value.Name.Trim(), Description = value.Description.Trim(),
            Behaviors = [Apply(new BehaviorDefinition { Key = behaviorKey.Trim(), Name = "" }, behavior)],
        };
        return Validated(framework with { Values = [.. framework.Values, added] }, $"$.values[{framework.Values.Count}]");
    }

    /// <summary>Renames a value or changes its description. Null when unknown.</summary>
    public static FrameworkEditResult? EditValue(CareerFramework framework, string key, ValueChange change)
    {
        var v = IndexOf(framework.Values, x => x.Key == key);
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        values[v] = values[v] with { Name = change.Name.Trim(), Description = change.Description.Trim() };
        return Validated(framework with { Values = values }, $"$.values[{v}]");
    }

    /// <summary>Removes a value and its behaviours (whether evidence refers to them is checked against the database). Null when unknown.</summary>
    public static FrameworkEditResult? RemoveValue(CareerFramework framework, string key)
    {
        var value = framework.Values.FirstOrDefault(x => x.Key == key);
        if (value is null) return null;
        var gone = value.Behaviors.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        return Validated(WithoutExpectations(framework with { Values = framework.Values.Where(x => x.Key != key).ToArray() }, gone), "$.values");
    }

    /// <summary>Moves a value to <paramref name="position"/> (1 = first; clamped to the list). Null when unknown.</summary>
    public static FrameworkEditResult? MoveValue(CareerFramework framework, string key, int position)
    {
        var v = IndexOf(framework.Values, x => x.Key == key);
        if (v < 0) return null;
        return Validated(framework with { Values = Moved(framework.Values, v, position) }, "$.values");
    }

    /// <summary>Adds a behaviour with its anchors at the end of a value. Null when there is no such value.</summary>
    public static FrameworkEditResult? AddBehavior(CareerFramework framework, string valueKey, string key, BehaviorChange change)
    {
        var v = IndexOf(framework.Values, x => x.Key == valueKey);
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        var behavior = Apply(new BehaviorDefinition { Key = key.Trim(), Name = "" }, change);
        values[v] = values[v] with { Behaviors = [.. values[v].Behaviors, behavior] };
        return Validated(framework with { Values = values }, $"$.values[{v}].behaviors[{values[v].Behaviors.Count - 1}]");
    }

    /// <summary>Moves a behaviour within its value to <paramref name="position"/> (1 = first; clamped). Null when unknown.</summary>
    public static FrameworkEditResult? MoveBehavior(CareerFramework framework, string key, int position)
    {
        var v = IndexOf(framework.Values, x => x.Behaviors.Any(b => b.Key == key));
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        values[v] = values[v] with { Behaviors = Moved(values[v].Behaviors, IndexOf(values[v].Behaviors, b => b.Key == key), position) };
        return Validated(framework with { Values = values }, $"$.values[{v}].behaviors");
    }

    /// <summary>
    /// Retires a behaviour on <paramref name="on"/>: it stays (with its name and anchors, for the evidence given on it)
    /// but no level expects it any more, so readiness and nominations stop counting it. Retiring an already retired
    /// behaviour keeps its first date. Null when unknown.
    /// </summary>
    public static FrameworkEditResult? RetireBehavior(CareerFramework framework, string key, DateOnly on) =>
        SetRetired(framework, key, b => b.Retired ?? on, dropExpectations: true);

    /// <summary>Retires a value: every one of its behaviours (a behaviour already retired keeps its date). Null when unknown.</summary>
    public static FrameworkEditResult? RetireValue(CareerFramework framework, string key, DateOnly on)
    {
        var v = IndexOf(framework.Values, x => x.Key == key);
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        values[v] = values[v] with { Behaviors = values[v].Behaviors.Select(b => b with { Retired = b.Retired ?? on }).ToArray() };
        var gone = values[v].Behaviors.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
        return Validated(WithoutExpectations(framework with { Values = values }, gone), $"$.values[{v}]");
    }

    /// <summary>Puts a retired behaviour back in use (no level expects it until HR sets the expectations again). Null when unknown.</summary>
    public static FrameworkEditResult? RestoreBehavior(CareerFramework framework, string key) =>
        SetRetired(framework, key, _ => null, dropExpectations: false);

    /// <summary>Removes a behaviour outright (only possible while no evidence refers to it, checked against the database). Null when unknown.</summary>
    public static FrameworkEditResult? RemoveBehavior(CareerFramework framework, string key)
    {
        var v = IndexOf(framework.Values, x => x.Behaviors.Any(b => b.Key == key));
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        values[v] = values[v] with { Behaviors = values[v].Behaviors.Where(b => b.Key != key).ToArray() };
        return Validated(WithoutExpectations(framework with { Values = values }, new HashSet<string>(StringComparer.Ordinal) { key }), $"$.values[{v}]");
    }

    private static FrameworkEditResult? SetRetired(CareerFramework framework, string key, Func<BehaviorDefinition, DateOnly?> retired, bool dropExpectations)
    {
        var v = IndexOf(framework.Values, x => x.Behaviors.Any(b => b.Key == key));
        if (v < 0) return null;
        var values = framework.Values.ToArray();
        var b = IndexOf(values[v].Behaviors, x => x.Key == key);
        var behaviors = values[v].Behaviors.ToArray();
        behaviors[b] = behaviors[b] with { Retired = retired(behaviors[b]) };
        values[v] = values[v] with { Behaviors = behaviors };
        var edited = framework with { Values = values };
        if (dropExpectations) edited = WithoutExpectations(edited, new HashSet<string>(StringComparer.Ordinal) { key });
        return Validated(edited, $"$.values[{v}].behaviors[{b}]");
    }

    private static CareerFramework WithoutExpectations(CareerFramework framework, HashSet<string> behaviors) => framework with
    {
        Tracks = framework.Tracks.Select(t => t with
        {
            Levels = t.Levels.Select(l => l.Expectations.Keys.Any(behaviors.Contains)
                ? l with { Expectations = l.Expectations.Where(e => !behaviors.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value) }
                : l).ToArray(),
        }).ToArray(),
    };

    private static BehaviorDefinition Apply(BehaviorDefinition behavior, BehaviorChange change) => behavior with
    {
        Name = change.Name.Trim(),
        Description = change.Description.Trim(),
        Anchors = change.Anchors.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => (a.Value ?? "").Trim()),
    };

    private static Level Apply(Level level, LevelChange change, CareerFramework framework) => level with
    {
        Name = change.Name.Trim(),
        Band = change.Band ?? level.Band,
        Scope = new LevelScope
        {
            DirectReports = change.Scope.DirectReports.ToArray(),
            Responsibilities = change.Scope.Responsibilities.Select(r => r.Trim()).Where(r => r.Length > 0).ToArray(),
            TimeSplit = change.Scope.TimeSplit.Trim(),
        },
        // Keep the framework's behaviour order so that the stored JSON stays stable and diffs stay small.
        Expectations = OrderLike(change.Expectations, framework),
    };

    private static T[] Moved<T>(IReadOnlyList<T> items, int from, int position)
    {
        var list = items.ToList();
        var item = list[from];
        list.RemoveAt(from);
        list.Insert(Math.Clamp(position - 1, 0, list.Count), item);
        return [.. list];
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Count; i++)
            if (match(items[i])) return i;
        return -1;
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
