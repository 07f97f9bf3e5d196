using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Core.Feedback;
using Trellis.Data;

namespace Trellis.Evidence;

/// <summary>
/// Changing one's mind: the rater of an observation may edit (rating, comment, visibility) or withdraw it for
/// <see cref="ObservationChanges.EditableDays"/> days after the day it was given. Every replaced version is kept
/// (<see cref="ObservationVersion"/>), the quality check runs on the new comment, readiness refits, and each change is in
/// the audit log. A released anonymous answer that changes keeps showing to its subject as it was until the change is
/// released in a batch (<see cref="FeedbackRelease"/>): otherwise the subject could see one rater's answer by difference.
/// </summary>
public sealed partial class ObservationService
{
    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The audit log's actions for a change of feedback: the rater as actor, the person it is about as subject (see <see cref="Admin.AdminQueries.RaterActions"/>).</summary>
    public const string EditedAction = "observation.edited";
    public const string WithdrawnAction = "observation.withdrawn";

    public static DateOnly EditableUntil(DateOnly observedOn) => observedOn.AddDays(ObservationChanges.EditableDays);

    /// <summary>The rater's own observation and how many versions of it are kept, if they may still change it; else why not (404, 403, 409).</summary>
    /// <remarks>
    /// The versions are counted before the observation is read: a change committed before the count is then in the row
    /// read, and one committed after it took the version number this change will claim, so the unique (observation,
    /// version) index refuses this change (<see cref="SaveChangeAsync"/>) instead of it keeping a stale copy as a version.
    /// </remarks>
    private async Task<Outcome<(Observation Observation, int Kept)>> ChangeableAsync(string raterId, string id, CancellationToken ct)
    {
        var kept = await db.ObservationVersions.CountAsync(v => v.ObservationId == id, ct);
        var o = await db.Observations.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (o is null)
        {
            var withdrawn = await db.ObservationVersions.AsNoTracking()
                .Where(v => v.ObservationId == id && v.Change == ObservationChanges.Withdrawn).Select(v => new { v.RaterId, v.ChangedAt }).FirstOrDefaultAsync(ct);
            return withdrawn is not null && withdrawn.RaterId == raterId
                ? Problem.Conflict($"You withdrew feedback '{id}' on {withdrawn.ChangedAt:yyyy-MM-dd}; give new feedback instead.")
                : Problem.NotFound($"There is no observation '{id}'.");
        }
        if (o.RaterId != raterId) return Problem.Forbidden("Only the person who gave feedback may change or withdraw it.");
        if (Today > EditableUntil(o.ObservedOn))
            return Problem.Conflict($"Feedback given on {o.ObservedOn:yyyy-MM-dd} could be changed or withdrawn until {EditableUntil(o.ObservedOn):yyyy-MM-dd}; it is now part of the record.");
        return (o, kept);
    }

    public async Task<Outcome<ObservationResponse>> EditAsync(string raterId, string id, EditObservationRequest request, CancellationToken ct = default)
    {
        var found = await ChangeableAsync(raterId, id, ct);
        if (found.Problem is { } refused) return refused;
        var (o, kept) = found.Value;

        var errors = new FieldErrors();
        var (rating, comment, visibility) = ObservationFields.Read(request.Rating, request.Comment, request.Visibility, o.Visibility, errors);
        if (errors.Any) return errors.ToProblem("The feedback was not changed.");

        if (rating != o.Rating || comment != o.Comment || visibility != o.Visibility)
        {
            var now = clock.GetUtcNow();
            var version = KeepVersion(o, kept, ObservationChanges.Edited, now);
            o.Rating = rating;
            o.Comment = comment;
            o.Visibility = visibility;
            // An anonymous answer's change waits for a batch like new feedback (its old version stays shown meanwhile);
            // attributed feedback shows as changed at once.
            if (Relationships.IsAnonymous(o.Relationship)) o.ReleasedAt = null;
            else o.ReleasedAt ??= now;
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, ActorEmployeeId = raterId, Action = EditedAction, SubjectEmployeeId = o.SubjectId,
                Detail = $"{o.Id}: version {version + 1} replaces version {version}",
            });
            if (await SaveChangeAsync(o.SubjectId, o.ObservedOn, now, ct) is { } stale) return stale;
        }
        return (await FindAsync(o.Id, ct))!;
    }

    public async Task<Outcome<ObservationWithdrawn>> WithdrawAsync(string raterId, string id, CancellationToken ct = default)
    {
        var found = await ChangeableAsync(raterId, id, ct);
        if (found.Problem is { } refused) return refused;
        var (o, kept) = found.Value;
        var now = clock.GetUtcNow();
        var version = KeepVersion(o, kept, ObservationChanges.Withdrawn, now);
        db.Observations.Remove(o);
        db.AuditLog.Add(new AuditLogEntry
        {
            At = now, ActorEmployeeId = raterId, Action = WithdrawnAction, SubjectEmployeeId = o.SubjectId,
            Detail = $"{o.Id}: withdrawn after {version} version(s)",
        });
        if (await SaveChangeAsync(o.SubjectId, o.ObservedOn, now, ct) is { } stale) return stale;
        return new ObservationWithdrawn(o.Id, now);
    }

    /// <summary>Keeps the observation's current version (after the <paramref name="kept"/> earlier ones); returns its number.</summary>
    private int KeepVersion(Observation o, int kept, string change, DateTimeOffset now)
    {
        db.ObservationVersions.Add(new ObservationVersion
        {
            ObservationId = o.Id, Version = kept + 1, Change = change, ChangedAt = now,
            SubjectId = o.SubjectId, RaterId = o.RaterId, Relationship = o.Relationship, Behavior = o.Behavior, Rating = o.Rating,
            ObservedOn = o.ObservedOn, Comment = o.Comment, Visibility = o.Visibility, ReleasedAt = o.ReleasedAt,
            // Only a version the subject has seen stays in their view; one that was still held back was never theirs to see.
            ShownToSubject = Relationships.IsAnonymous(o.Relationship) && o.ReleasedAt is not null,
        });
        return kept + 1;
    }

    /// <summary>The change, the release of a batch it completes and the refit, in one transaction; a 409 when another change of the observation came first.</summary>
    private async Task<Problem?> SaveChangeAsync(string subjectId, DateOnly observedOn, DateTimeOffset now, CancellationToken ct)
    {
        var threshold = (await frameworks.GetAsync(ct))?.Framework.Rules.AnonymityThreshold ?? FeedbackBatches.MinimumThreshold;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another edit or withdrawal (another tab, a retried request) claimed the same version number, or removed the
            // observation, after this one read it: this change was made to a version that is no longer current.
            db.ChangeTracker.Clear();
            return Problem.Conflict("This feedback was changed or withdrawn meanwhile (in another tab or request); nothing was saved. Reload it and make your change again.");
        }
        await FeedbackRelease.ReleaseDueAsync(db, threshold, now, [subjectId], ct);
        await changes.RecordAsync(observedOn, ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// Every version of an observation, oldest first (the current one last, unless withdrawn): for its rater and HR, never
    /// for its subject (an HR subject included), but for their own self-ratings.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<ObservationVersionView>>> VersionsAsync(string id, string viewerId, bool viewerIsHr, CancellationToken ct = default)
    {
        var kept = await db.ObservationVersions.AsNoTracking().Where(v => v.ObservationId == id).OrderBy(v => v.Version).ToListAsync(ct);
        var current = await db.Observations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        var rater = current?.RaterId ?? kept.FirstOrDefault()?.RaterId;
        if (rater is null) return Problem.NotFound($"There is no observation '{id}'.");
        var subject = current?.SubjectId ?? kept.First().SubjectId;
        if (subject == viewerId && rater != viewerId) return Problem.Forbidden(EvidenceApi.AboutYou);
        if (rater != viewerId && !viewerIsHr) return Problem.Forbidden("Only the rater and HR can read an observation's versions.");
        var list = kept.Select(v => new ObservationVersionView(v.Version, v.Change, v.ChangedAt, v.Rating, v.Comment, v.Visibility)).ToList();
        if (current is not null) list.Add(new ObservationVersionView(kept.Count + 1, null, null, current.Rating, current.Comment, current.Visibility));
        return list;
    }

    /// <summary>Who gave an observation and about whom, whether it is current or withdrawn.</summary>
    public async Task<(string RaterId, string SubjectId)?> PartiesAsync(string id, CancellationToken ct = default)
    {
        var current = await db.Observations.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.RaterId, o.SubjectId }).FirstOrDefaultAsync(ct)
            ?? await db.ObservationVersions.AsNoTracking().Where(v => v.ObservationId == id).Select(v => new { v.RaterId, v.SubjectId }).FirstOrDefaultAsync(ct);
        return current is null ? null : (current.RaterId, current.SubjectId);
    }

    /// <summary>The feedback <paramref name="raterId"/> gave that they may still edit or withdraw, newest first.</summary>
    public async Task<IReadOnlyList<GivenFeedback>> GivenAsync(string raterId, CancellationToken ct = default)
    {
        var since = Today.AddDays(-ObservationChanges.EditableDays);
        var rows = await db.Observations.AsNoTracking().Where(o => o.RaterId == raterId && o.ObservedOn >= since)
            .Join(db.Employees, o => o.SubjectId, e => e.Id, (o, e) => new { o.Id, o.SubjectId, e.Name, o.Behavior, o.Rating, o.ObservedOn, o.Comment, o.Visibility })
            .OrderByDescending(o => o.ObservedOn).ThenByDescending(o => o.Id).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var versions = (await db.ObservationVersions.AsNoTracking().Where(v => ids.Contains(v.ObservationId))
            .GroupBy(v => v.ObservationId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.Count);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        return rows.Select(r => new GivenFeedback(r.Id, r.SubjectId, r.Name, r.Behavior, FrameworkNames.BehaviorName(framework, r.Behavior), r.Rating,
            r.ObservedOn, r.Comment, r.Visibility, versions.GetValueOrDefault(r.Id) + 1, EditableUntil(r.ObservedOn))).ToList();
    }
}
