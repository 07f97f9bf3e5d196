using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Data;

namespace Trellis.Growth;

/// <summary>What a person's behaviour evidence looks like to the people allowed to see it.</summary>
public sealed record EvidenceView(
    string EmployeeId,
    int AnonymityThreshold,
    IReadOnlyList<BehaviorEvidence> Behaviors);

/// <summary>One behaviour's evidence about a person.</summary>
/// <param name="Attributed">Feedback from managers above the person: attributed.</param>
/// <param name="Groups">Peer, report and other feedback: only aggregated, and only at or above the anonymity threshold.</param>
/// <param name="Self">Self-ratings, shown apart because they run high and never count in the score.</param>
public sealed record BehaviorEvidence(
    string Behavior,
    string Name,
    string Value,
    IReadOnlyList<AttributedRating> Attributed,
    IReadOnlyList<RaterGroupAggregate> Groups,
    IReadOnlyList<AttributedRating> Self);

public sealed record AttributedRating(string RaterId, string RaterName, string Relationship, int Rating, DateOnly ObservedOn, string? Comment);

public sealed record RaterGroupAggregate(
    string Group,
    int Raters,
    int Ratings,
    bool Shown,
    double? Mean,
    int[]? Distribution,
    IReadOnlyList<string> Comments,
    string? HeldBack);

public static class EvidenceViews
{
    /// <summary>Groups whose members stay anonymous to the subject; each group must reach the threshold on its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> AnonymousGroups = new Dictionary<string, string>
    {
        [Relationships.Peer] = "peers",
        [Relationships.Report] = "reports",
        [Relationships.Other] = "others",
    };

    public static string GroupOf(string relationship) => AnonymousGroups.TryGetValue(relationship, out var g) ? g : relationship;

    /// <summary>
    /// Builds the evidence view of <paramref name="subjectId"/> as <paramref name="viewerId"/> sees it.
    /// Peer, report and other ratings are pooled per behaviour and group and shown without identity only when
    /// at least <c>anonymity_threshold</c> distinct raters stand behind them; private comments are never shown
    /// to the subject. The subject sees only anonymous feedback already released to them, which comes in whole batches
    /// of at least the threshold's raters (<see cref="Evidence.FeedbackRelease"/>): nothing they see, not even a count,
    /// moves when a single colleague answers.
    /// </summary>
    public static async Task<EvidenceView> BuildAsync(TrellisDb db, CareerFramework framework, string subjectId, string viewerId, string? behaviorFilter = null, CancellationToken ct = default)
    {
        var threshold = framework.Rules.AnonymityThreshold;
        var viewerIsSubject = viewerId == subjectId;
        var query = db.Observations.AsNoTracking().Where(o => o.SubjectId == subjectId);
        if (behaviorFilter is not null) query = query.Where(o => o.Behavior == behaviorFilter);
        if (viewerIsSubject)
        {
            var anonymous = Relationships.Anonymous.ToArray();
            query = query.Where(o => o.ReleasedAt != null || !anonymous.Contains(o.Relationship));
        }
        var rows = await query
            .Select(o => new { o.RaterId, o.Relationship, o.Behavior, o.Rating, o.ObservedOn, o.Comment, o.Visibility })
            .ToListAsync(ct);
        if (viewerIsSubject)
        {
            // A released anonymous answer its rater edited or withdrew is shown as it was until the change is released in a batch.
            var shown = db.ObservationVersions.AsNoTracking().Where(v => v.ShownToSubject && v.SubjectId == subjectId);
            if (behaviorFilter is not null) shown = shown.Where(v => v.Behavior == behaviorFilter);
            rows.AddRange(await shown.Select(v => new { v.RaterId, v.Relationship, v.Behavior, v.Rating, v.ObservedOn, v.Comment, v.Visibility }).ToListAsync(ct));
        }
        var attributedRaterIds = rows.Where(r => !AnonymousGroups.ContainsKey(r.Relationship)).Select(r => r.RaterId).Distinct().ToList();
        var names = await db.Employees.AsNoTracking().Where(e => attributedRaterIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);

        string? VisibleComment(string? comment, string visibility) =>
            string.IsNullOrWhiteSpace(comment) || (viewerIsSubject && visibility == Visibilities.Private) ? null : comment;

        var behaviors = new List<BehaviorEvidence>();
        foreach (var value in framework.Values)
        foreach (var behavior in value.Behaviors)
        {
            if (behaviorFilter is not null && behavior.Key != behaviorFilter) continue;
            var mine = rows.Where(r => r.Behavior == behavior.Key).ToList();
            var attributed = mine.Where(r => r.Relationship is Relationships.Manager or Relationships.SkipLevel)
                .OrderByDescending(r => r.ObservedOn)
                .Select(r => new AttributedRating(r.RaterId, names.GetValueOrDefault(r.RaterId, r.RaterId), r.Relationship, r.Rating, r.ObservedOn, VisibleComment(r.Comment, r.Visibility)))
                .ToList();
            var self = mine.Where(r => r.Relationship == Relationships.Self)
                .OrderByDescending(r => r.ObservedOn)
                .Select(r => new AttributedRating(r.RaterId, names.GetValueOrDefault(r.RaterId, r.RaterId), r.Relationship, r.Rating, r.ObservedOn, VisibleComment(r.Comment, r.Visibility)))
                .ToList();
            var groups = new List<RaterGroupAggregate>();
            foreach (var (relationship, group) in AnonymousGroups)
            {
                var members = mine.Where(r => r.Relationship == relationship).ToList();
                if (members.Count == 0) continue;
                var raters = members.Select(r => r.RaterId).Distinct().Count();
                if (raters < threshold)
                {
                    groups.Add(new(group, raters, members.Count, false, null, null, [],
                        $"{members.Count} rating(s) from fewer than {threshold} {group}: held back until {threshold} different {group} have given feedback."));
                    continue;
                }
                var distribution = new int[5];
                foreach (var r in members) distribution[Math.Clamp(r.Rating, 1, 5) - 1]++;
                // Comments are sorted by text, not date, so that their order gives no hint of who wrote them.
                var comments = members.Select(r => VisibleComment(r.Comment, r.Visibility)).OfType<string>().Order(StringComparer.Ordinal).ToList();
                groups.Add(new(group, raters, members.Count, true, Math.Round(members.Average(r => r.Rating), 2), distribution, comments, null));
            }
            behaviors.Add(new(behavior.Key, behavior.Name, value.Name, attributed, groups, self));
        }
        return new(subjectId, threshold, behaviors);
    }
}
