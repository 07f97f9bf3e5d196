using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

/// <summary>Recognition: public kudos tied to a value (the "celebrate" part), and the feed of it.</summary>
public sealed class RecognitionService(TrellisDb db, FrameworkStore frameworks, TimeProvider clock)
{
    public const int MaxMessageLength = 1000;
    public const int DefaultPageSize = 20;

    /// <summary>Lists count their rows up to this many; a longer one says "more than" (the count of a page reads at most this many index entries).</summary>
    public const int CountedUpTo = 1000;

    public async Task<Outcome<RecognitionResponse>> CreateAsync(string fromId, CreateRecognitionRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var toId = request.ToId?.Trim();
        if (string.IsNullOrEmpty(toId)) errors.Add("to_id", "Choose the colleague you recognise.");
        else if (toId == fromId) errors.Add("to_id", "Recognition is for someone else: you cannot give kudos to yourself.");
        else
        {
            var to = await db.Employees.AsNoTracking().Where(e => e.Id == toId).Select(e => new { e.Name, e.Status }).FirstOrDefaultAsync(ct);
            if (to is null) errors.Add("to_id", $"There is no employee with id '{toId}'.");
            else if (to.Status == EmployeeStatus.Left) errors.Add("to_id", $"{to.Name} ({toId}) has left the organisation.");
        }

        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var value = request.Value?.Trim();
        var behavior = string.IsNullOrWhiteSpace(request.Behavior) ? null : request.Behavior.Trim();
        if (string.IsNullOrEmpty(value)) errors.Add("value", "Choose the value the recognition is for.");
        else if (framework is null) errors.Add("value", "No career framework has been imported yet, so there are no values to recognise.");
        else
        {
            var v = framework.Values.FirstOrDefault(x => x.Key == value);
            if (v is null) errors.Add("value", $"'{value}' is not a value of the current framework.");
            else if (v.IsRetired) errors.Add("value", $"“{v.Name}” has been retired from the framework; recognise a value in use.");
            else if (behavior is not null && v.Behaviors.All(b => b.Key != behavior))
                errors.Add("behavior", framework.FindBehavior(behavior) is null
                    ? $"'{behavior}' is not a behaviour of the current framework."
                    : $"'{behavior}' belongs to another value than {v.Name}.");
            else if (behavior is not null && framework.FindBehavior(behavior)!.IsRetired)
                errors.Add("behavior", $"“{framework.FindBehavior(behavior)!.Name}” has been retired from the framework; choose a behaviour in use.");
        }

        var message = request.Message?.Trim();
        if (string.IsNullOrEmpty(message)) errors.Add("message", "Say what they did that you want to recognise.");
        else if (message.Length > MaxMessageLength) errors.Add("message", $"The message has {message.Length} characters; the limit is {MaxMessageLength}.");
        // What export writes, import must read back: the import's rule for messages (no NUL) holds here too.
        else if (Import.CsvValues.StoredTextProblem(Import.CsvFormats.Recognitions, "message", message) is { } bad)
            errors.Add("message", $"The message {bad}.");
        if (errors.Any) return errors.ToProblem("The recognition was not saved.");

        var now = clock.GetUtcNow();
        var row = new Recognition
        {
            Id = EvidenceIds.New("REC", now),
            FromId = fromId,
            ToId = toId!,
            Value = value!,
            Behavior = behavior,
            Message = message,
            GivenOn = DateOnly.FromDateTime(now.UtcDateTime),
        };
        db.Recognitions.Add(row);
        // Recognition is not readiness evidence (readiness reads employees, observations, results and concerns): no refit.
        await db.SaveChangesAsync(ct);
        return Outcome<RecognitionResponse>.New((await PageAsync(db.Recognitions.Where(r => r.Id == row.Id), 1, 1, ct)).Items[0]);
    }

    /// <summary>The public feed, newest first; optionally only one value.</summary>
    public Task<RecognitionPage> FeedAsync(string? value, int page, int pageSize, CancellationToken ct = default)
    {
        var q = db.Recognitions.AsQueryable();
        if (!string.IsNullOrWhiteSpace(value)) q = q.Where(r => r.Value == value.Trim());
        return PageAsync(q, page, pageSize, ct);
    }

    /// <summary>Recognition a person received, newest first (public, like the feed).</summary>
    public Task<RecognitionPage> ReceivedAsync(string employeeId, int page, int pageSize, CancellationToken ct = default) =>
        PageAsync(db.Recognitions.Where(r => r.ToId == employeeId), page, pageSize, ct);

    private async Task<RecognitionPage> PageAsync(IQueryable<Recognition> query, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize <= 0 ? DefaultPageSize : pageSize, 1, 100);
        // Both queries read off an index in the feed's order (given_on, id; by value or receiver first): a bounded count and
        // one row more than the page, which says whether an older page exists.
        var counted = await query.OrderByDescending(r => r.GivenOn).ThenByDescending(r => r.Id).Take(CountedUpTo + 1).CountAsync(ct);
        var rows = await query.AsNoTracking()
            .OrderByDescending(r => r.GivenOn).ThenByDescending(r => r.Id)
            .Skip((page - 1) * pageSize).Take(pageSize + 1)
            .Select(r => new
            {
                r.Id, r.FromId, r.ToId, r.Value, r.Behavior, r.Message, r.GivenOn,
                FromName = db.Employees.Where(e => e.Id == r.FromId).Select(e => e.Name).FirstOrDefault(),
                ToName = db.Employees.Where(e => e.Id == r.ToId).Select(e => e.Name).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var hasMore = rows.Count > pageSize;
        var items = rows.Take(pageSize).Select(r => new RecognitionResponse(r.Id, r.FromId, r.FromName ?? r.FromId, r.ToId, r.ToName ?? r.ToId,
            r.Value, FrameworkNames.ValueName(framework, r.Value), r.Behavior,
            r.Behavior is null ? null : FrameworkNames.BehaviorName(framework, r.Behavior), r.Message, r.GivenOn)).ToList();
        return new RecognitionPage(items, page, pageSize, counted <= CountedUpTo ? counted : null, hasMore);
    }
}
