namespace Trellis.Import;

/// <summary>
/// The checks of one employee record that every way of writing employees shares (the CSV import, SCIM provisioning),
/// so that the same mistake gets the same words wherever it comes from.
/// </summary>
internal static class EmployeeRules
{
    public const string OwnManager = "an employee cannot be their own manager";

    public static string UnknownEmployee(string id) => $"unknown employee '{CsvValues.Shorten(id)}' (not in the database)";

    /// <summary>Null when <paramref name="email"/> looks like an address (one '@' with text on both sides, no spaces).</summary>
    public static string? Email(string email) =>
        email.IndexOf('@') is <= 0 || email.IndexOf('@') == email.Length - 1 || email.Contains(' ')
            ? $"'{CsvValues.Shorten(email)}' is not an email address"
            : null;

    public static string? Track(FrameworkKeys keys, string track) =>
        keys.Tracks.Contains(track) ? null
            : $"unknown track '{CsvValues.Shorten(track)}'; the framework has {string.Join(", ", keys.Tracks.Order(StringComparer.Ordinal))}";

    /// <summary>The level exists and (when the track is a known one) lies on that track.</summary>
    public static string? Level(FrameworkKeys keys, string level, string? track)
    {
        if (!keys.LevelTrack.TryGetValue(level, out var levelTrack)) return $"unknown level '{CsvValues.Shorten(level)}'";
        if (track is not null && keys.Tracks.Contains(track) && levelTrack != track) return $"level '{level}' is on the '{levelTrack}' track, not '{track}'";
        return null;
    }

    public static string Loop(IReadOnlyList<string> cycle) =>
        $"the manager chain loops: {string.Join(" → ", cycle.Append(cycle[0]))} (each reports to the next)";

    /// <summary>
    /// Cycles in the manager graph reachable by walking up from <paramref name="starts"/>. Each employee has one manager,
    /// so walking up from every start once finds each cycle once, in linear time. Only walks from changed people can
    /// reach a new cycle when the stored chain had none. Each cycle starts at its smallest id, so the message is the
    /// same however it was found.
    /// </summary>
    public static List<List<string>> ManagerCycles(IEnumerable<string> starts, Func<string, string?> managerOf)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the current walk, 2 = done
        var cycles = new List<List<string>>();
        var path = new List<string>();
        foreach (var start in starts)
        {
            path.Clear();
            var id = start;
            while (id is not null && id != "" && !state.ContainsKey(id))
            {
                state[id] = 1;
                path.Add(id);
                var next = managerOf(id);
                id = next == id ? null : next; // self-management is reported on its own
            }
            if (id is not null && state.TryGetValue(id, out var s) && s == 1)
            {
                var at = path.IndexOf(id);
                var cycle = path.Skip(at).ToList();
                var min = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                cycles.Add([.. cycle.Skip(min), .. cycle.Take(min)]);
            }
            foreach (var p in path) state[p] = 2;
        }
        return cycles;
    }
}
