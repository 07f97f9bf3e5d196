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

        // Groups where a released answer was edited or withdrawn: its rater counts towards the batch that releases the
        // change (the subject goes on seeing the old version until then), so that no release moves on one rater's change.
        var shown = db.ObservationVersions.Where(v => v.ShownToSubject);
        if (subjects is not null) shown = shown.Where(v => subjects.Contains(v.SubjectId));
        var changed = await shown.Select(v => new { v.SubjectId, v.Behavior, v.Relationship, v.RaterId }).ToListAsync(ct);
        foreach (var group in changed.GroupBy(v => (v.SubjectId, v.Behavior, v.Relationship)))
        {
            var (subject, behavior, relationship) = group.Key;
            var inGroup = heldAnonymous.Where(o => o.SubjectId == subject && o.Behavior == behavior && o.Relationship == relationship);
            var raters = (await inGroup.Select(o => o.RaterId).Distinct().ToListAsync(ct)).Union(group.Select(v => v.RaterId)).Count();
            if (raters < threshold) continue;
            released += await inGroup.ExecuteUpdateAsync(s => s.SetProperty(o => o.ReleasedAt, now), ct);
            // The replaced versions stop showing now, not from the day they were changed: as of any day before, the
            // subject's view keeps them (ShownAsync), as it showed them then.
            await db.ObservationVersions.Where(v => v.ShownToSubject && v.SubjectId == subject && v.Behavior == behavior && v.Relationship == relationship)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.ShownToSubject, false).SetProperty(v => v.ShownUntil, now), ct);
        }

        // The groups that are due are found here, in one pass over the held rows, rather than in one UPDATE … WHERE EXISTS
        // over a grouped subquery: SQLite runs such a subquery again for every row it updates, which at 100,000 people
        // (800,000 held answers, checked at every start) did not finish in ten minutes.
        var rows = await heldAnonymous.Select(o => new { o.Id, o.SubjectId, o.Behavior, o.Relationship, o.RaterId }).ToListAsync(ct);
        var due = rows.GroupBy(o => (o.SubjectId, o.Behavior, o.Relationship))
            .Where(g => g.Select(o => o.RaterId).Distinct().Count() >= threshold)
            .SelectMany(g => g.Select(o => o.Id)).ToList();
        foreach (var chunk in due.Chunk(1000))
            released += await db.Observations.Where(o => chunk.Contains(o.Id) && o.ReleasedAt == null)
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

    /// <summary>
    /// The anonymous feedback that had not been released by the end of <paramref name="day"/> (UTC), still held back or
    /// released later, as the engine's rows: what a subject's own readiness view as of that day leaves out. Cutting by
    /// the day each row was observed instead would split a released batch into its raters' single answers, one
    /// observation day at a time.
    /// </summary>
    public static async Task<List<HeldRow>> NotReleasedByAsync(TrellisDb db, DateOnly day, CancellationToken ct = default)
    {
        var anonymous = Relationships.Anonymous.ToArray();
        var end = EndOf(day);
        return await db.Observations.AsNoTracking()
            .Where(o => (o.ReleasedAt == null || o.ReleasedAt >= end) && anonymous.Contains(o.Relationship))
            .Select(o => new HeldRow(o.SubjectId, o.RaterId, o.Relationship, o.Behavior, o.Rating, o.ObservedOn))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The versions of released anonymous answers that were edited or withdrawn and whose change is not released yet, as
    /// the engine's rows: what a subject's own readiness view still counts in place of the change. With
    /// <paramref name="releasedBy"/>, the versions shown at the end of that day: released by then, and replaced by a
    /// change released only later (or not yet). A change released since does not rewrite that day: together with
    /// <see cref="NotReleasedByAsync"/>, which leaves the changed row out until its release, the day shows what it showed.
    /// </summary>
    public static async Task<List<HeldRow>> ShownAsync(TrellisDb db, DateOnly? releasedBy = null, CancellationToken ct = default)
    {
        var shown = db.ObservationVersions.AsNoTracking().Where(v => v.ShownToSubject);
        if (releasedBy is { } day)
        {
            var end = EndOf(day);
            shown = db.ObservationVersions.AsNoTracking().Where(v => (v.ShownToSubject || v.ShownUntil != null)
                && v.ReleasedAt != null && v.ReleasedAt < end && (v.ShownUntil == null || v.ShownUntil >= end));
        }
        return await shown.Select(v => new HeldRow(v.SubjectId, v.RaterId, v.Relationship, v.Behavior, v.Rating, v.ObservedOn)).ToListAsync(ct);
    }

    private static DateTimeOffset EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>One held-back observation, as the readiness engine sees it.</summary>
public sealed record HeldRow(string SubjectId, string RaterId, string Relationship, string Behavior, int Rating, DateOnly ObservedOn);
