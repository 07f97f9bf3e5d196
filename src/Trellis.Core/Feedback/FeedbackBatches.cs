namespace Trellis.Core.Feedback;

/// <summary>
/// The release rule for anonymous feedback (peer, report, other). A subject sees such feedback only in batches: the
/// held-back ratings of one behaviour and one rater group are released together once at least
/// <c>anonymity_threshold</c> distinct raters stand behind them. Every change the subject can see (a mean, a count, a
/// readiness estimate) is therefore the work of at least that many people, so comparing the view before and after
/// one colleague answers ("differencing") reveals nothing about that colleague.
/// </summary>
public static class FeedbackBatches
{
    /// <summary>The smallest anonymity threshold a framework may set (below it a batch can be traced to one person).</summary>
    public const int MinimumThreshold = 3;

    /// <summary>
    /// Replays the release rule over one subject's feedback in arrival order: for each row, the index (in arrival order)
    /// of the row whose arrival released it, or −1 while it is still held back. Attributed feedback (self, manager,
    /// skip-level) is released by its own arrival.
    /// </summary>
    public static int[] ReleasedBy(IReadOnlyList<(string Rater, string Relationship, string Behavior)> rows, int threshold)
    {
        var releasedBy = new int[rows.Count];
        var pending = new Dictionary<(string Behavior, string Relationship), List<int>>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (rater, relationship, behavior) = rows[i];
            if (!Relationships.IsAnonymous(relationship))
            {
                releasedBy[i] = i;
                continue;
            }
            releasedBy[i] = -1;
            var key = (behavior, relationship);
            if (!pending.TryGetValue(key, out var batch)) pending[key] = batch = [];
            batch.Add(i);
            if (batch.Select(j => rows[j].Rater).Distinct(StringComparer.Ordinal).Count() < threshold) continue;
            foreach (var j in batch) releasedBy[j] = i;
            batch.Clear();
        }
        return releasedBy;
    }
}
