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

    /// <summary>
    /// An email as sign-in compares it: trimmed, without regard to case. Sign-in by email refuses an address two people
    /// have (it cannot tell whose account is meant), so no two employees may have the same key.
    /// </summary>
    public static string EmailKey(string email) => email.Trim().ToLowerInvariant();

    public static string DuplicateEmail(string email, int firstLine, string firstId) =>
        $"duplicate email '{CsvValues.Shorten(email)}' (ignoring case); first on line {firstLine} ({CsvValues.Shorten(firstId)}): each person needs their own email to sign in with it";

    /// <remarks>A leaver keeps their address too (their account still signs in by it, or is refused by it); to pass it on,
    /// the same file gives the leaver another one.</remarks>
    public static string EmailTaken(string email, string ownerId, bool ownerLeft) =>
        $"email '{CsvValues.Shorten(email)}' is already employee {CsvValues.Shorten(ownerId)}'s in the database (ignoring case): each person needs their own email to sign in with it" +
        (ownerLeft ? $"; {CsvValues.Shorten(ownerId)} has left: to pass the address on, give {CsvValues.Shorten(ownerId)} another email in this file" : "");

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
