using Trellis.Core.Framework;

namespace Trellis.Core.Audit;

// Tracks and moves: where people sit on the tracks, and declined, deferred and returning moves per cycle.
public static partial class CultureAudit
{
    // ------------------------------------------------------------ tracks and moves

    private static TrackReality Tracks(AuditInput input, int[] allPerson, PeopleIndex index, Dictionary<string, AuditLevel> levels)
    {
        var headcount = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in input.People)
            if (p.Active) System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(headcount, p.Level, out _)++;
        var ladder = input.Levels.OrderBy(l => l.TrackKind == TrackKinds.PeopleLeader ? 1 : 0).ThenBy(l => l.Track, StringComparer.Ordinal).ThenBy(l => l.Band)
            .Select(l => new TrackBand(l.Track, l.TrackKind, l.Band, l.Key, headcount.GetValueOrDefault(l.Key))).ToList();

        // Time to promotion: from the person's previous promotion in the history, else from their hire date.
        // Candidates in decision order, ties in input order (a stable sort on day·count + position).
        var all = input.Candidates;
        var order = new int[all.Count];
        var keys = new long[all.Count];
        for (var i = 0; i < order.Length; i++) { order[i] = i; keys[i] = (long)all[i].DecidedOn.DayNumber * all.Count + i; }
        Array.Sort(keys, order);
        var previous = new DateOnly?[index.People.Count];
        var previousOthers = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var years = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var candidates = new Dictionary<string, (int n, int promoted)>(StringComparer.Ordinal);
        foreach (var i in order)
        {
            var c = all[i];
            if (!levels.TryGetValue(c.ToLevel, out var to)) continue;
            ref var agg = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(candidates, to.Track, out _);
            agg.n++;
            if (c.Outcome != PromotionOutcomes.Promoted) continue;
            agg.promoted++;
            var person = allPerson[i];
            DateOnly? since = person >= 0 ? previous[person] ?? index.People[person].HireDate
                : previousOthers.TryGetValue(c.EmployeeId, out var p) ? p : null;
            if (since is { } s)
            {
                if (!years.TryGetValue(to.Track, out var list)) years[to.Track] = list = [];
                list.Add((c.DecidedOn.DayNumber - s.DayNumber) / 365.25);
            }
            if (person >= 0) previous[person] = c.DecidedOn;
            else previousOthers[c.EmployeeId] = c.DecidedOn;
        }
        var promotions = input.Levels.GroupBy(l => (l.Track, l.TrackKind)).OrderBy(g => g.Key.TrackKind == TrackKinds.PeopleLeader ? 1 : 0).ThenBy(g => g.Key.Track, StringComparer.Ordinal)
            .Select(g =>
            {
                var (n, promoted) = candidates.GetValueOrDefault(g.Key.Track);
                double? median = years.TryGetValue(g.Key.Track, out var list) && list.Count > 0 ? Math.Round(Quantile(list.Order().ToArray(), 0.5), 2) : null;
                return new TrackPromotions(g.Key.Track, g.Key.TrackKind, n, promoted, median);
            }).ToList();
        return new TrackReality(ladder, promotions);
    }

    private static List<MoveSummary> Moves(IReadOnlyList<AuditCandidate> all, List<string> cycleNames, List<List<int>> cycleMembers, Dictionary<string, AuditLevel> levels)
    {
        bool IsLeader(string level) => levels.TryGetValue(level, out var l) && l.TrackKind == TrackKinds.PeopleLeader;
        bool IsExpert(string level) => levels.TryGetValue(level, out var l) && l.TrackKind != TrackKinds.PeopleLeader;
        var moves = new List<(DateOnly First, MoveSummary Move)>(cycleNames.Count);
        for (var c = 0; c < cycleNames.Count; c++)
        {
            int declined = 0, deferred = 0, returns = 0, expert = 0;
            var first = DateOnly.MaxValue;
            foreach (var i in cycleMembers[c])
            {
                var candidate = all[i];
                if (candidate.DecidedOn < first) first = candidate.DecidedOn;
                switch (candidate.Outcome)
                {
                    case PromotionOutcomes.Declined: declined++; break;
                    case PromotionOutcomes.Deferred: deferred++; break;
                    case PromotionOutcomes.Promoted when IsExpert(candidate.ToLevel):
                        // A people leader moved onto the expert track: the no-stigma way back; else advancement that needed no direct reports.
                        if (IsLeader(candidate.FromLevel)) returns++;
                        else if (IsExpert(candidate.FromLevel)) expert++;
                        break;
                }
            }
            moves.Add((first, new MoveSummary(cycleNames[c], declined, deferred, returns, expert)));
        }
        return moves.OrderBy(m => m.First).ThenBy(m => m.Move.Cycle, StringComparer.Ordinal).Select(m => m.Move).ToList();
    }
}
