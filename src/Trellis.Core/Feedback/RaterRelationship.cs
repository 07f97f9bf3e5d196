namespace Trellis.Core.Feedback;

/// <summary>
/// Who the rater is to the subject, derived from the organisation (never typed in), so that the engine can
/// weight and the subject can see feedback by relationship.
/// </summary>
public static class RaterRelationship
{
    /// <param name="raterId">The person giving feedback.</param>
    /// <param name="raterManagerId">The rater's direct manager, if any.</param>
    /// <param name="subjectId">The person the feedback is about.</param>
    /// <param name="subjectManagerId">The subject's direct manager, if any.</param>
    /// <param name="subjectSkipManagerId">The subject's manager's manager, if any.</param>
    /// <returns>One of <see cref="Relationships"/>: checked in the order self, manager, skip-level, report, peer, other.</returns>
    public static string Derive(string raterId, string? raterManagerId, string subjectId, string? subjectManagerId, string? subjectSkipManagerId)
    {
        if (raterId == subjectId) return Relationships.Self;
        if (subjectManagerId == raterId) return Relationships.Manager;
        if (subjectSkipManagerId == raterId) return Relationships.SkipLevel;
        if (raterManagerId == subjectId) return Relationships.Report;
        if (raterManagerId is not null && raterManagerId == subjectManagerId) return Relationships.Peer;
        return Relationships.Other;
    }
}
