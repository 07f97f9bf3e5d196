using Trellis.Data;

namespace Trellis.Growth;

/// <summary>
/// HR's count of promotion stories per cycle (<see cref="PromotionStoryService.SummaryAsync"/>), kept until the
/// promotions or the stories change. Their change counters (<see cref="TableRevision"/>, raised by triggers on every
/// write, whichever process makes it) are two primary-key reads; grouping every promotion was 10 ms per view at
/// 100,000 people.
/// </summary>
public sealed class StorySummaryCache
{
    private sealed record Entry(long Promotions, long Stories, StoryCycleSummary[] Summary);

    private volatile Entry? _entry;

    public StoryCycleSummary[]? Get(long promotions, long stories) =>
        _entry is { } e && e.Promotions == promotions && e.Stories == stories ? e.Summary : null;

    /// <summary>Keeps a summary computed after reading these revisions (a write meanwhile only makes the next view compute again).</summary>
    public void Put(long promotions, long stories, IEnumerable<StoryCycleSummary> summary) => _entry = new Entry(promotions, stories, [.. summary]);
}
