using System.Globalization;

namespace Trellis.Core.Framework;

/// <summary>What happened to one element of the framework between two versions.</summary>
public enum ChangeKind { Added, Removed, Changed }

/// <summary>
/// One structural change. <see cref="Path"/> names the element by keys, not positions
/// (<c>values[curiosity].behaviors[asks-why].anchors.3</c>), so that a move reads as one order change, not as edits;
/// <see cref="Area"/> is one of framework, rules, value, behavior, anchor, track, level, scope, expectation.
/// </summary>
public sealed record FrameworkChange(ChangeKind Kind, string Area, string Path, string Description, string? Before, string? After);

/// <summary>A structural diff between two career frameworks: values, behaviours, anchors, tracks, levels, scope, expectations and rules.</summary>
public static class FrameworkDiff
{
    public static IReadOnlyList<FrameworkChange> Compare(CareerFramework from, CareerFramework to)
    {
        var changes = new List<FrameworkChange>();
        void Changed(string area, string path, string what, string? before, string? after)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
                changes.Add(new(ChangeKind.Changed, area, path, what, before, after));
        }

        Changed("framework", "name", "Framework name", from.Name, to.Name);
        Changed("framework", "version", "Version label", from.Version, to.Version);
        Changed("rules", "rules.max_direct_reports", "Maximum direct reports", Num(from.Rules.MaxDirectReports), Num(to.Rules.MaxDirectReports));
        Changed("rules", "rules.anonymity_threshold", "Anonymity threshold", Num(from.Rules.AnonymityThreshold), Num(to.Rules.AnonymityThreshold));
        Changed("rules", "rules.results_gate", "Results gate", Num(from.Rules.ResultsGate), Num(to.Rules.ResultsGate));

        CompareValues(from, to, changes, Changed);
        CompareBehaviors(from, to, changes, Changed);
        CompareOrder(from, to, changes);
        CompareTracks(from, to, changes, Changed);
        CompareLevels(from, to, changes, Changed);
        return changes;
    }

    private delegate void ChangedFn(string area, string path, string what, string? before, string? after);

    private static void CompareValues(CareerFramework from, CareerFramework to, List<FrameworkChange> changes, ChangedFn changed)
    {
        var before = from.Values.ToDictionary(v => v.Key);
        var after = to.Values.ToDictionary(v => v.Key);
        foreach (var v in from.Values.Where(v => !after.ContainsKey(v.Key)))
            changes.Add(new(ChangeKind.Removed, "value", $"values[{v.Key}]", $"Value '{v.Name}' removed", v.Name, null));
        foreach (var v in to.Values)
        {
            var path = $"values[{v.Key}]";
            if (!before.TryGetValue(v.Key, out var old))
            {
                changes.Add(new(ChangeKind.Added, "value", path, $"Value '{v.Name}' added", null, v.Name));
                continue;
            }
            changed("value", $"{path}.name", $"Name of value '{v.Key}'", old.Name, v.Name);
            changed("value", $"{path}.description", $"Description of value '{v.Name}'", old.Description, v.Description);
        }
    }

    // Behaviour keys are unique across the framework, so a behaviour moved to another value is a change, not a removal.
    private static void CompareBehaviors(CareerFramework from, CareerFramework to, List<FrameworkChange> changes, ChangedFn changed)
    {
        var before = from.Values.SelectMany(v => v.Behaviors.Select(b => (Value: v, Behavior: b))).ToDictionary(x => x.Behavior.Key);
        var after = to.Values.SelectMany(v => v.Behaviors.Select(b => (Value: v, Behavior: b))).ToDictionary(x => x.Behavior.Key);
        foreach (var (value, b) in before.Values.Where(x => !after.ContainsKey(x.Behavior.Key)))
            changes.Add(new(ChangeKind.Removed, "behavior", $"values[{value.Key}].behaviors[{b.Key}]", $"Behaviour '{b.Name}' removed", b.Name, null));
        foreach (var (value, b) in after.Values)
        {
            var path = $"values[{value.Key}].behaviors[{b.Key}]";
            if (!before.TryGetValue(b.Key, out var old))
            {
                changes.Add(new(ChangeKind.Added, "behavior", path, $"Behaviour '{b.Name}' added under '{value.Name}'", null, b.Name));
                continue;
            }
            changed("behavior", $"{path}.value", $"Value of behaviour '{b.Name}'", old.Value.Key, value.Key);
            changed("behavior", $"{path}.name", $"Name of behaviour '{b.Key}'", old.Behavior.Name, b.Name);
            changed("behavior", $"{path}.description", $"Description of behaviour '{b.Name}'", old.Behavior.Description, b.Description);
            if (old.Behavior.IsRetired != b.IsRetired)
                changes.Add(new(ChangeKind.Changed, "behavior", $"{path}.retired",
                    b.IsRetired ? $"Behaviour '{b.Name}' retired" : $"Behaviour '{b.Name}' back in use", Day(old.Behavior.Retired), Day(b.Retired)));
            foreach (var rating in old.Behavior.Anchors.Keys.Union(b.Anchors.Keys).Order(StringComparer.Ordinal))
            {
                var anchorPath = $"{path}.anchors.{rating}";
                var had = old.Behavior.Anchors.TryGetValue(rating, out var oldText);
                var has = b.Anchors.TryGetValue(rating, out var newText);
                if (had && !has)
                    changes.Add(new(ChangeKind.Removed, "anchor", anchorPath, $"Anchor {rating} of '{b.Name}' removed", oldText, null));
                else if (!had && has)
                    changes.Add(new(ChangeKind.Added, "anchor", anchorPath, $"Anchor {rating} of '{b.Name}' added", null, newText));
                else
                    changed("anchor", anchorPath, $"Anchor {rating} of '{b.Name}'", oldText, newText);
            }
        }
    }

    /// <summary>
    /// The saved order of values, and of behaviours within a value, is what people read: a move is one change per list,
    /// with the names in order before and after. Only the elements in both versions count, so an addition is not also a move.
    /// </summary>
    private static void CompareOrder(CareerFramework from, CareerFramework to, List<FrameworkChange> changes)
    {
        Moved("value", "values.order", "Order of values",
            from.Values.Select(v => (v.Key, v.Name)).ToList(), to.Values.Select(v => (v.Key, v.Name)).ToList());
        foreach (var value in to.Values)
        {
            if (from.Values.FirstOrDefault(v => v.Key == value.Key) is not { } old) continue;
            Moved("behavior", $"values[{value.Key}].behaviors.order", $"Order of behaviours under '{value.Name}'",
                old.Behaviors.Select(b => (b.Key, b.Name)).ToList(), value.Behaviors.Select(b => (b.Key, b.Name)).ToList());
        }

        // Keys decide whether anything moved (a rename is not a move); names are what the change shows.
        void Moved(string area, string path, string what, List<(string Key, string Name)> before, List<(string Key, string Name)> after)
        {
            var common = before.Select(i => i.Key).Intersect(after.Select(i => i.Key), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            var a = before.Where(i => common.Contains(i.Key)).ToList();
            var b = after.Where(i => common.Contains(i.Key)).ToList();
            if (a.Select(i => i.Key).SequenceEqual(b.Select(i => i.Key), StringComparer.Ordinal)) return;
            changes.Add(new(ChangeKind.Changed, area, path, what, string.Join("\n", a.Select(i => i.Name)), string.Join("\n", b.Select(i => i.Name))));
        }
    }

    private static void CompareTracks(CareerFramework from, CareerFramework to, List<FrameworkChange> changes, ChangedFn changed)
    {
        var before = from.Tracks.ToDictionary(t => t.Key);
        var after = to.Tracks.ToDictionary(t => t.Key);
        foreach (var t in from.Tracks.Where(t => !after.ContainsKey(t.Key)))
            changes.Add(new(ChangeKind.Removed, "track", $"tracks[{t.Key}]", $"Track '{t.Name}' removed", t.Name, null));
        foreach (var t in to.Tracks)
        {
            var path = $"tracks[{t.Key}]";
            if (!before.TryGetValue(t.Key, out var old))
            {
                changes.Add(new(ChangeKind.Added, "track", path, $"Track '{t.Name}' added", null, t.Name));
                continue;
            }
            changed("track", $"{path}.name", $"Name of track '{t.Key}'", old.Name, t.Name);
            changed("track", $"{path}.kind", $"Kind of track '{t.Name}'", old.Kind, t.Kind);
        }
    }

    // Level keys are unique across tracks, so a level moved to another track is a change, not a removal.
    private static void CompareLevels(CareerFramework from, CareerFramework to, List<FrameworkChange> changes, ChangedFn changed)
    {
        var before = from.Tracks.SelectMany(t => t.Levels.Select(l => (Track: t, Level: l))).ToDictionary(x => x.Level.Key);
        var after = to.Tracks.SelectMany(t => t.Levels.Select(l => (Track: t, Level: l))).ToDictionary(x => x.Level.Key);
        var behaviorNames = from.Behaviors.Concat(to.Behaviors).GroupBy(b => b.Key).ToDictionary(g => g.Key, g => g.Last().Name);
        string BehaviorName(string key) => behaviorNames.TryGetValue(key, out var name) ? name : key;

        foreach (var (track, l) in before.Values.Where(x => !after.ContainsKey(x.Level.Key)))
            changes.Add(new(ChangeKind.Removed, "level", $"tracks[{track.Key}].levels[{l.Key}]", $"Level '{l.Name}' ({l.Key}) removed", Describe(l), null));
        foreach (var (track, l) in after.Values)
        {
            var path = $"tracks[{track.Key}].levels[{l.Key}]";
            if (!before.TryGetValue(l.Key, out var old))
            {
                changes.Add(new(ChangeKind.Added, "level", path, $"Level '{l.Name}' ({l.Key}) added to '{track.Name}'", null, Describe(l)));
                continue;
            }
            var o = old.Level;
            changed("level", $"{path}.track", $"Track of level '{l.Key}'", old.Track.Key, track.Key);
            changed("level", $"{path}.name", $"Name of level '{l.Key}'", o.Name, l.Name);
            changed("level", $"{path}.band", $"Band of level '{l.Key}'", Num(o.Band), Num(l.Band));
            changed("scope", $"{path}.scope.direct_reports", $"Direct reports of '{l.Key}'", Range(o.Scope), Range(l.Scope));
            changed("scope", $"{path}.scope.time_split", $"Time split of '{l.Key}'", o.Scope.TimeSplit, l.Scope.TimeSplit);

            // Responsibilities are a list of sentences: report each one that came or went, and a reorder as one change.
            var removed = o.Scope.Responsibilities.Except(l.Scope.Responsibilities).ToList();
            var added = l.Scope.Responsibilities.Except(o.Scope.Responsibilities).ToList();
            foreach (var r in removed)
                changes.Add(new(ChangeKind.Removed, "scope", $"{path}.scope.responsibilities", $"Responsibility of '{l.Key}' removed", r, null));
            foreach (var r in added)
                changes.Add(new(ChangeKind.Added, "scope", $"{path}.scope.responsibilities", $"Responsibility of '{l.Key}' added", null, r));
            if (removed.Count == 0 && added.Count == 0 && !o.Scope.Responsibilities.SequenceEqual(l.Scope.Responsibilities))
                changed("scope", $"{path}.scope.responsibilities", $"Order of responsibilities of '{l.Key}'",
                    string.Join("\n", o.Scope.Responsibilities), string.Join("\n", l.Scope.Responsibilities));

            foreach (var behavior in o.Expectations.Keys.Union(l.Expectations.Keys).Order(StringComparer.Ordinal))
            {
                var ep = $"{path}.expectations.{behavior}";
                var had = o.Expectations.TryGetValue(behavior, out var oldRating);
                var has = l.Expectations.TryGetValue(behavior, out var newRating);
                var what = $"Expected '{BehaviorName(behavior)}' at '{l.Key}'";
                if (had && !has) changes.Add(new(ChangeKind.Removed, "expectation", ep, what + " removed", Num(oldRating), null));
                else if (!had && has) changes.Add(new(ChangeKind.Added, "expectation", ep, what + " added", null, Num(newRating)));
                else changed("expectation", ep, what, Num(oldRating), Num(newRating));
            }
        }
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Describe(Level l) => $"{l.Name} (band {Num(l.Band)}, {Range(l.Scope)} direct reports)";

    private static string Range(LevelScope s) => string.Join("–", s.DirectReports.Select(Num));

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Num(double n) => n.ToString("0.##", CultureInfo.InvariantCulture);
}
