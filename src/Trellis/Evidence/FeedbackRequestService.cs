using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

/// <summary>Requests for feedback: who may ask for whom, the rater's inbox, and withdrawing.</summary>
public sealed class FeedbackRequestService(TrellisDb db, FrameworkStore frameworks, TimeProvider clock)
{
    public const int MaxMessageLength = 2000;
    public const int MaxRaters = 20;
    public const int MaxBehaviors = 10;

    public static IReadOnlyList<string> SplitBehaviors(string joined) => joined.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Only the subject themselves or a manager above them in the reporting line may ask for feedback on them.</summary>
    public async Task<Outcome<FeedbackRequestResponse>> CreateAsync(string requesterId, CreateFeedbackRequestRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var subjectId = request.SubjectId?.Trim();
        if (string.IsNullOrEmpty(subjectId))
        {
            errors.Add("subject_id", "Choose who the feedback is for.");
            return errors.ToProblem("The feedback request was not sent.");
        }
        var subject = await db.Employees.AsNoTracking().Where(e => e.Id == subjectId).Select(e => new { e.Id, e.Name, e.Status }).FirstOrDefaultAsync(ct);
        if (subject is null)
        {
            errors.Add("subject_id", $"There is no employee with id '{subjectId}'.");
            return errors.ToProblem("The feedback request was not sent.");
        }
        if (subject.Id != requesterId && !await ReportingLine.IsManagerOfAsync(db, requesterId, subject.Id, ct))
            return Problem.Forbidden($"You may request feedback for yourself or for people in your reporting line; {subject.Name} ({subject.Id}) is not.");
        if (subject.Status == EmployeeStatus.Left)
            errors.Add("subject_id", $"{subject.Name} ({subject.Id}) has left the organisation.");

        var raterIds = (request.RaterIds ?? []).Select(r => r?.Trim() ?? "").Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (raterIds.Count == 0) errors.Add("rater_ids", "Choose at least one colleague to ask.");
        else if (raterIds.Count > MaxRaters) errors.Add("rater_ids", $"Ask at most {MaxRaters} colleagues at once ({raterIds.Count} chosen).");
        else
        {
            var found = await db.Employees.AsNoTracking().Where(e => raterIds.Contains(e.Id))
                .Select(e => new { e.Id, e.Name, e.Status }).ToDictionaryAsync(e => e.Id, ct);
            foreach (var id in raterIds)
            {
                if (!found.TryGetValue(id, out var rater)) errors.Add("rater_ids", $"There is no employee with id '{id}'.");
                else if (rater.Status == EmployeeStatus.Left) errors.Add("rater_ids", $"{rater.Name} ({rater.Id}) has left the organisation.");
                else if (id == subject.Id) errors.Add("rater_ids", $"{rater.Name} is the person the feedback is about; give a self-assessment on the give-feedback page instead.");
            }
        }

        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var behaviors = (request.Behaviors ?? []).Select(b => b?.Trim() ?? "").Where(b => b.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (behaviors.Count == 0) errors.Add("behaviors", "Choose at least one behaviour to ask about.");
        else if (behaviors.Count > MaxBehaviors) errors.Add("behaviors", $"Ask about at most {MaxBehaviors} behaviours at once ({behaviors.Count} chosen).");
        else if (framework is null) errors.Add("behaviors", "No career framework has been imported yet, so there are no behaviours to ask about.");
        else
            foreach (var b in behaviors)
                if (framework.FindBehavior(b) is not { } known) errors.Add("behaviors", $"'{b}' is not a behaviour of the current framework.");
                else if (known.IsRetired) errors.Add("behaviors", $"“{known.Name}” has been retired from the framework; ask about a behaviour in use.");

        var message = string.IsNullOrWhiteSpace(request.Message) ? null : request.Message.Trim();
        if (message is { Length: > MaxMessageLength })
            errors.Add("message", $"The message has {message.Length} characters; the limit is {MaxMessageLength}.");
        if (errors.Any) return errors.ToProblem("The feedback request was not sent.");

        var now = clock.GetUtcNow();
        var row = new FeedbackRequest
        {
            Id = EvidenceIds.New("FRQ", now),
            SubjectId = subject.Id,
            RequestedById = requesterId,
            Behaviors = string.Join(',', behaviors),
            Message = message,
            CreatedAt = now,
        };
        row.Raters.AddRange(raterIds.Select(id => new FeedbackRequestRater { RequestId = row.Id, RaterId = id }));
        db.FeedbackRequests.Add(row);
        // The request and its rater rows are written in one SaveChanges, i.e. one transaction.
        await db.SaveChangesAsync(ct);
        return Outcome<FeedbackRequestResponse>.New((await FindAsync(row.Id, ct))!);
    }

    public async Task<FeedbackRequestResponse?> FindAsync(string id, CancellationToken ct = default) =>
        (await ProjectAsync(db.FeedbackRequests.Where(r => r.Id == id), ct)).FirstOrDefault();

    /// <summary>Requests the person sent (or that were sent about them), newest first.</summary>
    public Task<List<FeedbackRequestResponse>> SentAsync(string requesterId, CancellationToken ct = default) =>
        ProjectAsync(db.FeedbackRequests.Where(r => r.RequestedById == requesterId).OrderByDescending(r => r.CreatedAt).Take(100), ct);

    /// <summary>Open requests addressed to the rater: not answered by them and not withdrawn, oldest first.</summary>
    public async Task<IReadOnlyList<InboxItem>> InboxAsync(string raterId, CancellationToken ct = default)
    {
        var rows = await db.FeedbackRequestRaters.AsNoTracking()
            .Where(x => x.RaterId == raterId && x.AnsweredAt == null)
            .Join(db.FeedbackRequests.Where(r => r.WithdrawnAt == null), x => x.RequestId, r => r.Id, (x, r) => r)
            .ToListAsync(ct);
        var names = await NamesAsync(rows.SelectMany(r => new[] { r.SubjectId, r.RequestedById }), ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        return rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Select(r =>
        {
            var behaviors = SplitBehaviors(r.Behaviors).Select(b => new BehaviorRef(b, FrameworkNames.BehaviorName(framework, b))).ToList();
            var answer = $"/feedback/give?subject={Uri.EscapeDataString(r.SubjectId)}&behavior={Uri.EscapeDataString(behaviors.FirstOrDefault()?.Key ?? "")}&request={Uri.EscapeDataString(r.Id)}";
            return new InboxItem(r.Id, r.SubjectId, names.GetValueOrDefault(r.SubjectId, r.SubjectId), r.RequestedById,
                names.GetValueOrDefault(r.RequestedById, r.RequestedById), behaviors, r.Message, r.CreatedAt, answer);
        }).ToList();
    }

    /// <summary>The requester withdraws a request: it leaves every rater's inbox.</summary>
    public async Task<Outcome<FeedbackRequestResponse>> WithdrawAsync(string viewerId, string id, CancellationToken ct = default)
    {
        var row = await db.FeedbackRequests.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null) return Problem.NotFound($"There is no feedback request '{id}'.");
        if (row.RequestedById != viewerId) return Problem.Forbidden("Only the person who sent a feedback request can withdraw it.");
        if (row.WithdrawnAt is not null) return Problem.Conflict($"Feedback request '{id}' was already withdrawn on {row.WithdrawnAt:yyyy-MM-dd}.");
        row.WithdrawnAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return (await FindAsync(id, ct))!;
    }

    private async Task<List<FeedbackRequestResponse>> ProjectAsync(IQueryable<FeedbackRequest> query, CancellationToken ct)
    {
        var rows = await query.AsNoTracking().Include(r => r.Raters).ToListAsync(ct);
        var names = await NamesAsync(rows.SelectMany(r => r.Raters.Select(x => x.RaterId).Append(r.SubjectId).Append(r.RequestedById)), ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        return rows.Select(r => new FeedbackRequestResponse(r.Id, r.SubjectId, names.GetValueOrDefault(r.SubjectId, r.SubjectId),
            r.RequestedById, names.GetValueOrDefault(r.RequestedById, r.RequestedById),
            SplitBehaviors(r.Behaviors).Select(b => new BehaviorRef(b, FrameworkNames.BehaviorName(framework, b))).ToList(),
            r.Message, r.CreatedAt, r.WithdrawnAt,
            r.Raters.OrderBy(x => x.RaterId).Select(x => new FeedbackRequestRaterResponse(x.RaterId, names.GetValueOrDefault(x.RaterId, x.RaterId))).ToList(),
            r.Raters.Count(x => x.AnsweredAt is not null)))
            .ToList();
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        var result = new Dictionary<string, string>();
        foreach (var chunk in distinct.Chunk(500))
            foreach (var e in await db.Employees.AsNoTracking().Where(e => chunk.Contains(e.Id)).Select(e => new { e.Id, e.Name }).ToListAsync(ct))
                result[e.Id] = e.Name;
        return result;
    }
}
