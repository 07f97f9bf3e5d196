using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Data;

namespace Trellis.Evidence;

/// <summary>
/// Releases held-back feedback to its subject (<see cref="Observation.ReleasedAt"/>), following
/// <see cref="Core.Feedback.FeedbackBatches"/>: attributed feedback at once; peer, report and other feedback of one
/// behaviour and group only once the held-back rows have at least <c>anonymity_threshold</c> distinct raters, all
/// together. Runs inside the transaction that stored the feedback (which also raises the evidence revision), so a
/// batch becomes visible whole or not at all.
/// </summary>
public static class FeedbackRelease
{
    /// <summary>Releases what is due, for the given subjects (null: everyone). Returns the number of rows released.</summary>
    public static async Task<int> ReleaseDueAsync(TrellisDb db, int threshold, DateTimeOffset now, IReadOnlyCollection<string>? subjects = null, CancellationToken ct = default)
    {
        threshold = Math.Max(threshold, Core.Feedback.FeedbackBatches.MinimumThreshold);
        var anonymous = Relationships.Anonymous.ToArray();
        var held = db.Observations.Where(o => o.ReleasedAt == null);
        if (subjects is not null) held = held.Where(o => subjects.Contains(o.SubjectId));

        var released = await held.Where(o => !anonymous.Contains(o.Relationship))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.ReleasedAt, now), ct);

        var heldAnonymous = held.Where(o => anonymous.Contains(o.Relationship));
        var due = heldAnonymous
            .GroupBy(o => new { o.SubjectId, o.Behavior, o.Relationship })
            .Where(g => g.Select(o => o.RaterId).Distinct().Count() >= threshold)
            .Select(g => g.Key);
        released += await heldAnonymous
            .Where(o => due.Any(d => d.SubjectId == o.SubjectId && d.Behavior == o.Behavior && d.Relationship == o.Relationship))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.ReleasedAt, now), ct);
        return released;
    }

    /// <summary>
    /// The anonymous feedback still held back, as the engine's rows (subject, rater, relationship, behaviour, rating, day):
    /// what a subject's own readiness view leaves out.
    /// </summary>
    public static async Task<List<HeldRow>> HeldAsync(TrellisDb db, CancellationToken ct = default)
    {
        var anonymous = Relationships.Anonymous.ToArray();
        return await db.Observations.AsNoTracking()
            .Where(o => o.ReleasedAt == null && anonymous.Contains(o.Relationship))
            .Select(o => new HeldRow(o.SubjectId, o.RaterId, o.Relationship, o.Behavior, o.Rating, o.ObservedOn))
            .ToListAsync(ct);
    }
}

/// <summary>One held-back observation, as the readiness engine sees it.</summary>
public sealed record HeldRow(string SubjectId, string RaterId, string Relationship, string Behavior, int Rating, DateOnly ObservedOn);
