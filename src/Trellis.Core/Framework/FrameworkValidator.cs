using System.Text.RegularExpressions;

namespace Trellis.Core.Framework;

/// <summary>Checks the rules of the framework document (README.md, "Importing and exporting data") that JSON deserialisation alone cannot.</summary>
public static partial class FrameworkValidator
{
    [GeneratedRegex("^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
    private static partial Regex Slug();

    public static IReadOnlyList<FrameworkProblem> Validate(CareerFramework f)
    {
        var problems = new List<FrameworkProblem>();
        void Add(string path, string message) => problems.Add(new(path, message));

        if (string.IsNullOrWhiteSpace(f.Name)) Add("$.name", "is required");
        if (string.IsNullOrWhiteSpace(f.Version)) Add("$.version", "is required (a label such as 2026.1, shown with every stored version)");
        if (f.Rules.MaxDirectReports < 1) Add("$.rules.max_direct_reports", "must be at least 1");
        if (f.Rules.AnonymityThreshold < Feedback.FeedbackBatches.MinimumThreshold)
            Add("$.rules.anonymity_threshold", $"must be at least {Feedback.FeedbackBatches.MinimumThreshold} (got {f.Rules.AnonymityThreshold}): with fewer raters a colleague's feedback can be traced to them");
        if (f.Rules.ResultsGate is < 1 or > 5) Add("$.rules.results_gate", $"must be between 1 and 5 (got {f.Rules.ResultsGate})");
        if (f.Values.Count == 0) Add("$.values", "at least one value is required");

        var valueKeys = new HashSet<string>();
        var behaviorKeys = new HashSet<string>();
        for (var v = 0; v < f.Values.Count; v++)
        {
            var value = f.Values[v];
            var vp = $"$.values[{v}]";
            CheckKey(value.Key, $"{vp}.key", valueKeys, "value");
            if (string.IsNullOrWhiteSpace(value.Name)) Add($"{vp}.name", "is required");
            if (value.Behaviors.Count == 0) Add($"{vp}.behaviors", "a value needs at least one observable behaviour");
            for (var b = 0; b < value.Behaviors.Count; b++)
            {
                var behavior = value.Behaviors[b];
                var bp = $"{vp}.behaviors[{b}]";
                CheckKey(behavior.Key, $"{bp}.key", behaviorKeys, "behaviour");
                if (string.IsNullOrWhiteSpace(behavior.Name)) Add($"{bp}.name", "is required");
                for (var r = 1; r <= 5; r++)
                {
                    var key = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!behavior.Anchors.TryGetValue(key, out var text) || string.IsNullOrWhiteSpace(text))
                        Add($"{bp}.anchors.{key}", $"missing anchor for rating {r}");
                }
                foreach (var extra in behavior.Anchors.Keys.Where(k => k is not ("1" or "2" or "3" or "4" or "5")))
                    Add($"{bp}.anchors.{extra}", "anchors are keyed \"1\" to \"5\"");
            }
        }

        if (f.Tracks.Count == 0) Add("$.tracks", "at least one track is required");
        var trackKeys = new HashSet<string>();
        var levelKeys = new HashSet<string>();
        for (var t = 0; t < f.Tracks.Count; t++)
        {
            var track = f.Tracks[t];
            var tp = $"$.tracks[{t}]";
            CheckKey(track.Key, $"{tp}.key", trackKeys, "track");
            if (track.Kind is not (TrackKinds.Individual or TrackKinds.PeopleLeader))
                Add($"{tp}.kind", $"must be '{TrackKinds.Individual}' or '{TrackKinds.PeopleLeader}' (got '{track.Kind}')");
            if (track.Levels.Count == 0) Add($"{tp}.levels", "a track needs at least one level");
            var previousBand = int.MinValue;
            for (var l = 0; l < track.Levels.Count; l++)
            {
                var level = track.Levels[l];
                var lp = $"{tp}.levels[{l}]";
                CheckKey(level.Key, $"{lp}.key", levelKeys, "level");
                if (string.IsNullOrWhiteSpace(level.Name)) Add($"{lp}.name", "is required");
                if (level.Band < 1) Add($"{lp}.band", "must be 1 or more");
                if (level.Band <= previousBand)
                    Add($"{lp}.band", $"bands must increase within a track ({level.Band} follows {previousBand})");
                previousBand = level.Band;

                var dr = level.Scope.DirectReports;
                if (dr.Count != 2) Add($"{lp}.scope.direct_reports", "must be [min, max]");
                else if (dr[0] < 0 || dr[1] < dr[0]) Add($"{lp}.scope.direct_reports", $"[{dr[0]}, {dr[1]}] is not a valid range");
                else if (dr[1] > f.Rules.MaxDirectReports)
                    Add($"{lp}.scope.direct_reports", $"maximum {dr[1]} exceeds rules.max_direct_reports ({f.Rules.MaxDirectReports})");

                foreach (var (behavior, rating) in level.Expectations)
                {
                    var ep = $"{lp}.expectations.{behavior}";
                    var known = f.FindBehavior(behavior);
                    if (known is null) Add(ep, $"unknown behaviour '{behavior}'");
                    else if (known.IsRetired) Add(ep, $"behaviour '{behavior}' was retired on {known.Retired:yyyy-MM-dd}; a level cannot expect it");
                    if (rating is < 1 or > 5) Add(ep, $"rating must be between 1 and 5 (got {rating})");
                }
            }
        }
        return problems;

        void CheckKey(string key, string path, HashSet<string> seen, string kind)
        {
            if (string.IsNullOrWhiteSpace(key)) { Add(path, "is required"); return; }
            if (!Slug().IsMatch(key)) Add(path, $"'{key}' is not a lower-case slug");
            if (!seen.Add(key)) Add(path, $"duplicate {kind} key '{key}'");
        }
    }
}
