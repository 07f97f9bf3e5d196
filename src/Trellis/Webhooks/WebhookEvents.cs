using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Webhooks;

/// <summary>The event types an endpoint can subscribe to.</summary>
public static class EventTypes
{
    public const string NominationCreated = "nomination.created";
    public const string NominationAnswered = "nomination.answered";
    public const string DecisionRecorded = "decision.recorded";
    public const string CyclePhaseChanged = "cycle.phase_changed";
    public const string CyclePublished = "cycle.published";
    public const string PromotionPublished = "promotion.published";
    public const string TrackReturnApproved = "track_return.approved";
    public const string EmployeeChanged = "employee.changed";
    /// <summary>A promoted person approved the story of their promotion (docs/growth.md).</summary>
    public const string PromotionStoryPublished = "promotion.story_published";
    /// <summary>Its person withdrew a published story: receivers that show it take it down.</summary>
    public const string PromotionStoryWithdrawn = "promotion.story_withdrawn";
    /// <summary>Sent only by "send test event", to the one endpoint; needs no subscription.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> All =
    [
        NominationCreated, NominationAnswered, DecisionRecorded, CyclePhaseChanged, CyclePublished, PromotionPublished,
        TrackReturnApproved, EmployeeChanged, PromotionStoryPublished, PromotionStoryWithdrawn,
    ];
}

/// <summary>
/// An event waiting for its transaction. The data is made when the change is saved (so that ids the database assigns are
/// known) and may read names; it carries ids, names, levels and published promotions only, never feedback text, notes, rationales,
/// concerns, or anything of a cycle that its roles do not yet disclose.
/// </summary>
public sealed record PendingEvent(string Type, Func<TrellisDb, CancellationToken, Task<object>> Data);

// The payloads ("data" of the envelope). Field names are snake_case on the wire.
// Events about a cycle's undisclosed matters are thin (Standard Webhooks' advice for sensitive data): which nomination,
// which cycle and where to read it. Who was nominated, by whom, the candidate's answer and the committee's decision are
// read through the API with the receiver's own token, where the roles apply (an admin's token gets 403, as on the board).
public sealed record NominationCreatedData(int NominationId, string Cycle, string Link);
public sealed record NominationAnsweredData(int NominationId, string Cycle, string Link);
public sealed record DecisionRecordedData(int NominationId, string Cycle, string Link);
public sealed record CyclePhaseChangedData(string Cycle, string FromPhase, string ToPhase);
public sealed record CyclePublishedData(string Cycle, DateOnly PublishedOn, int Nominations, int Promoted);
/// <summary>
/// A published promotion: the HRIS feed. Sent only for <c>promoted</c>, so <c>to_level</c> is always the level the person
/// moved to; a declined, deferred or not promoted outcome is private to its candidate (and HR) and is not sent.
/// </summary>
public sealed record PromotionPublishedData(string Cycle, int NominationId, string EmployeeId, string EmployeeName, string FromLevel, string ToLevel, string Outcome);
public sealed record TrackReturnApprovedData(int RequestId, string EmployeeId, string EmployeeName, string FromLevel, string ToLevel, DateOnly? EffectiveOn);
public sealed record EmployeeChangedData(string EmployeeId, string Name, string Track, string Level, string? ManagerId, string? Department, string Status, string Change);
/// <summary>
/// A published promotion story: who, which promotion, the values and behaviours it names and the headline its subject
/// approved. The story's text and quotes stay inside (receivers read them with <c>GET /api/v1/promotion-stories/{story_id}</c>).
/// </summary>
public sealed record PromotionStoryPublishedData(int StoryId, string Cycle, string EmployeeId, string EmployeeName, string FromLevel, string ToLevel,
    IReadOnlyList<string> Values, IReadOnlyList<string> Behaviors, string Headline, DateTimeOffset PublishedAt);
/// <summary>A published story its person withdrew: which one, and when (nothing of its content).</summary>
public sealed record PromotionStoryWithdrawnData(int StoryId, string Cycle, string EmployeeId, DateTimeOffset WithdrawnAt);
public sealed record TestData(int EndpointId, string Message);

/// <summary>The events the services add to <see cref="TrellisDb.Outbox"/>, one line at the point they save.</summary>
public static class WebhookEvents
{
    public static PendingEvent NominationCreated(Nomination n, string cycle) =>
        Now(EventTypes.NominationCreated, () => new NominationCreatedData(n.Id, cycle, Link(n)));

    public static PendingEvent NominationAnswered(Nomination n, string cycle) =>
        Now(EventTypes.NominationAnswered, () => new NominationAnsweredData(n.Id, cycle, Link(n)));

    public static PendingEvent DecisionRecorded(Nomination n, string cycle) =>
        Now(EventTypes.DecisionRecorded, () => new DecisionRecordedData(n.Id, cycle, Link(n)));

    /// <summary>Where a receiver reads the nomination (relative to Trellis's address), authorised as its token allows.</summary>
    private static string Link(Nomination n) => $"/api/v1/nominations/{n.Id}";

    public static PendingEvent CyclePhaseChanged(string cycle, string from, string to) =>
        Now(EventTypes.CyclePhaseChanged, () => new CyclePhaseChangedData(cycle, from, to));

    public static PendingEvent CyclePublished(Cycle c, IReadOnlyCollection<Nomination> nominations) =>
        Now(EventTypes.CyclePublished, () => new CyclePublishedData(c.Name, c.PublishedOn!.Value, nominations.Count,
            nominations.Count(n => n.PublishedOutcome == Core.PromotionOutcomes.Promoted)));

    /// <summary>Null (nothing is sent) unless the outcome is a promotion: other outcomes are the candidate's own (docs/security.md).</summary>
    public static PendingEvent? PromotionPublished(string cycle, Nomination n, string employeeName) =>
        n.PublishedOutcome == Core.PromotionOutcomes.Promoted
            ? Now(EventTypes.PromotionPublished, () => new PromotionPublishedData(cycle, n.Id, n.EmployeeId, employeeName, n.FromLevel, n.PublishedLevel!, Core.PromotionOutcomes.Promoted))
            : null;

    public static PendingEvent TrackReturnApproved(TrackReturn r, string employeeName) =>
        Now(EventTypes.TrackReturnApproved, () => new TrackReturnApprovedData(r.Id, r.EmployeeId, employeeName, r.FromLevel, r.ToLevel, r.EffectiveOn));

    /// <summary>An employee's level, track, manager, department or status changed (or the employee was added).</summary>
    public static PendingEvent EmployeeChanged(Employee e, string change = "updated") =>
        Now(EventTypes.EmployeeChanged, () => new EmployeeChangedData(e.Id, e.Name, e.Track, e.Level, e.ManagerId, e.Department,
            e.Status, change));

    public static PendingEvent EmployeeChanged(EmployeeChangedData data) => Now(EventTypes.EmployeeChanged, () => data);

    public static PendingEvent PromotionStoryPublished(Growth.PromotionStory s) =>
        new(EventTypes.PromotionStoryPublished, async (db, ct) => new PromotionStoryPublishedData(s.Id, s.Cycle, s.EmployeeId, await NameAsync(db, s.EmployeeId, ct),
            s.FromLevel, s.ToLevel, s.Values.Select(v => v.Value).Order(StringComparer.Ordinal).ToList(),
            s.Behaviors.Split(',', StringSplitOptions.RemoveEmptyEntries), s.Headline, s.PublishedAt!.Value));

    public static PendingEvent PromotionStoryWithdrawn(Growth.PromotionStory s, DateTimeOffset at) =>
        Now(EventTypes.PromotionStoryWithdrawn, () => new PromotionStoryWithdrawnData(s.Id, s.Cycle, s.EmployeeId, at));

    private static PendingEvent Now(string type, Func<object> data) => new(type, (_, _) => Task.FromResult(data()));

    private static async Task<string> NameAsync(TrellisDb db, string employeeId, CancellationToken ct) =>
        await db.Employees.AsNoTracking().Where(e => e.Id == employeeId).Select(e => e.Name).FirstOrDefaultAsync(ct) ?? employeeId;
}
