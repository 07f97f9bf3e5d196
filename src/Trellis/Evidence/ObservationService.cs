using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Core.Feedback;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

/// <summary>Giving feedback: validates an observation, derives the relationship, stores it, and checks its comment.</summary>
public sealed partial class ObservationService(TrellisDb db, FrameworkStore frameworks, EvidenceChanges changes, TimeProvider clock)
{
    public const int MaxCommentLength = ObservationFields.MaxCommentLength;

    public async Task<Outcome<ObservationResponse>> CreateAsync(string raterId, CreateObservationRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var framework = (await frameworks.GetAsync(ct))?.Framework;

        var subjectId = request.SubjectId?.Trim();
        EmployeeLine? subject = null;
        if (string.IsNullOrEmpty(subjectId)) errors.Add("subject_id", "Choose the colleague the feedback is about.");
        else
        {
            subject = await EmployeeLine.LoadAsync(db, subjectId, ct);
            if (subject is null) errors.Add("subject_id", $"There is no employee with id '{subjectId}'.");
            else if (subject.Status == EmployeeStatus.Left)
                errors.Add("subject_id", $"{subject.Name} ({subject.Id}) has left the organisation; feedback goes to current colleagues only.");
        }

        var behavior = request.Behavior?.Trim();
        if (string.IsNullOrEmpty(behavior)) errors.Add("behavior", "Choose the behaviour the feedback is about.");
        else if (framework is null) errors.Add("behavior", "No career framework has been imported yet, so there are no behaviours to rate.");
        else if (framework.FindBehavior(behavior) is not { } known)
            errors.Add("behavior", $"'{behavior}' is not a behaviour of the current framework ({framework.Name} {framework.Version}).");
        else if (known.IsRetired)
            errors.Add("behavior", $"“{known.Name}” was retired from the framework on {known.Retired:yyyy-MM-dd}; feedback given on it before stays, but no new feedback is scored on it.");

        var (rating, comment, visibility) = ObservationFields.Read(request.Rating, request.Comment, request.Visibility, Visibilities.Shared, errors);

        FeedbackRequestRater? answering = null;
        var requestId = string.IsNullOrWhiteSpace(request.RequestId) ? null : request.RequestId.Trim();
        if (requestId is not null)
        {
            var asked = await db.FeedbackRequests.AsNoTracking().FirstOrDefaultAsync(q => q.Id == requestId, ct);
            answering = await db.FeedbackRequestRaters.FirstOrDefaultAsync(x => x.RequestId == requestId && x.RaterId == raterId, ct);
            if (asked is null || answering is null) errors.Add("request_id", $"There is no feedback request '{requestId}' addressed to you.");
            else if (asked.WithdrawnAt is not null) errors.Add("request_id", $"Feedback request '{requestId}' was withdrawn.");
            else if (subjectId is not null && asked.SubjectId != subjectId)
                errors.Add("request_id", $"Feedback request '{requestId}' is about {asked.SubjectId}, not {subjectId}.");
            else if (behavior is not null && !FeedbackRequestService.SplitBehaviors(asked.Behaviors).Contains(behavior))
                errors.Add("behavior", $"Feedback request '{requestId}' asks about {string.Join(", ", FeedbackRequestService.SplitBehaviors(asked.Behaviors))}, not '{behavior}'.");
        }

        if (errors.Any) return errors.ToProblem("The observation was not saved.");

        var rater = await EmployeeLine.LoadAsync(db, raterId, ct)
            ?? throw new InvalidOperationException($"the signed-in account's employee '{raterId}' does not exist");
        var relationship = RaterRelationship.Derive(rater.Id, rater.ManagerId, subject!.Id, subject.ManagerId, subject.SkipManagerId);
        var now = clock.GetUtcNow();
        var observation = new Observation
        {
            Id = EvidenceIds.New("OBS", now),
            SubjectId = subject.Id,
            RaterId = rater.Id,
            Relationship = relationship,
            Behavior = behavior!,
            Rating = rating,
            ObservedOn = DateOnly.FromDateTime(now.UtcDateTime),
            Comment = comment,
            Visibility = visibility,
        };
        db.Observations.Add(observation);
        if (answering is { AnsweredAt: null })
        {
            answering.AnsweredAt = now;
            answering.ObservationId = observation.Id;
        }
        // One transaction: the observation, the answered request row, the release of a completed batch and the invalidation of the decision snapshots (audit)
        // computed without it (decisions after its date) commit together.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            // Released with it: attributed feedback at once, anonymous feedback only when it completes a batch.
            await FeedbackRelease.ReleaseDueAsync(db, framework!.Rules.AnonymityThreshold, now, [observation.SubjectId], ct);
            await changes.RecordAsync(observation.ObservedOn, ct);
            await tx.CommitAsync(ct);
        }

        var warnings = FeedbackQualityCheck.Default.Check(comment);
        return Outcome<ObservationResponse>.New(new ObservationResponse(observation.Id, observation.SubjectId, observation.RaterId,
            relationship, observation.Behavior, rating, observation.ObservedOn, comment, visibility, requestId, warnings));
    }

    public async Task<ObservationResponse?> FindAsync(string id, CancellationToken ct = default)
    {
        var o = await db.Observations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (o is null) return null;
        var requestId = await db.FeedbackRequestRaters.AsNoTracking().Where(x => x.ObservationId == id).Select(x => x.RequestId).FirstOrDefaultAsync(ct);
        return new ObservationResponse(o.Id, o.SubjectId, o.RaterId, o.Relationship, o.Behavior, o.Rating, o.ObservedOn, o.Comment, o.Visibility,
            requestId, FeedbackQualityCheck.Default.Check(o.Comment));
    }

    /// <summary>Active colleagues whose name or id contains <paramref name="query"/>, for the pickers.</summary>
    public async Task<IReadOnlyList<Colleague>> SearchColleaguesAsync(string? query, int limit = 20, CancellationToken ct = default)
    {
        var q = db.Employees.AsNoTracking().Where(e => e.Status == EmployeeStatus.Active);
        var term = query?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(term))
        {
            var pattern = "%" + term.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            q = q.Where(e => EF.Functions.Like(e.Name.ToLower(), pattern, "\\") || EF.Functions.Like(e.Id.ToLower(), pattern, "\\"));
        }
        return await q.OrderBy(e => e.Name).ThenBy(e => e.Id).Take(Math.Clamp(limit, 1, 50))
            .Select(e => new Colleague(e.Id, e.Name, e.Title, e.Department)).ToListAsync(ct);
    }
}

/// <summary>An employee with their place in the line: what relationship derivation and permission checks need.</summary>
internal sealed record EmployeeLine(string Id, string Name, string Status, string? ManagerId, string? SkipManagerId)
{
    public static async Task<EmployeeLine?> LoadAsync(TrellisDb db, string id, CancellationToken ct)
    {
        var row = await db.Employees.AsNoTracking().Where(e => e.Id == id)
            .Select(e => new { e.Id, e.Name, e.Status, e.ManagerId }).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var skip = row.ManagerId is null ? null
            : await db.Employees.AsNoTracking().Where(e => e.Id == row.ManagerId).Select(e => e.ManagerId).FirstOrDefaultAsync(ct);
        return new(row.Id, row.Name, row.Status, row.ManagerId, skip);
    }
}

/// <summary>Behaviour and value lookups against the current framework, for validation and display names.</summary>
internal static class FrameworkNames
{
    public static string BehaviorName(CareerFramework? framework, string key) => framework?.FindBehavior(key)?.Name ?? key;
    public static string ValueName(CareerFramework? framework, string key) => framework?.Values.FirstOrDefault(v => v.Key == key)?.Name ?? key;
}
