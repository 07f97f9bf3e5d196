using Trellis.Core.Feedback;

namespace Trellis.Core.Tests.Feedback;

public sealed class FeedbackBatchesTests
{
    [Fact]
    public void Anonymous_feedback_is_released_in_whole_batches_of_distinct_raters()
    {
        var rows = new List<(string Rater, string Relationship, string Behavior)>
        {
            ("a", "peer", "b1"), ("a", "peer", "b1"), ("m", "manager", "b1"), ("b", "peer", "b1"), ("x", "peer", "b2"),
            ("c", "peer", "b1"), ("d", "peer", "b1"), ("e", "report", "b1"), ("f", "peer", "b1"),
        };
        var released = FeedbackBatches.ReleasedBy(rows, 3);
        // a, a, b held until c (the third distinct rater) arrives; the manager's rating at once; b2 and report held.
        Assert.Equal([5, 5, 2, 5, -1, 5, -1, -1, -1], released);
    }

    [Fact]
    public void A_rater_answering_again_does_not_complete_a_batch()
    {
        var rows = Enumerable.Repeat(("a", "other", "b1"), 5).Append(("b", "other", "b1")).ToList();
        Assert.All(FeedbackBatches.ReleasedBy(rows, 3), r => Assert.Equal(-1, r));
    }
}
