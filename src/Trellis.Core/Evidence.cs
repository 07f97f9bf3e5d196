namespace Trellis.Core;

/// <summary>Who a rater is to the person they rate (observations.csv <c>relationship</c>).</summary>
public static class Relationships
{
    public const string Self = "self";
    public const string Manager = "manager";
    public const string Peer = "peer";
    public const string Report = "report";
    public const string SkipLevel = "skip_level";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Self, Manager, Peer, Report, SkipLevel, Other];

    /// <summary>Feedback whose raters stay anonymous to the subject: shown only pooled, per group, behind the anonymity threshold.</summary>
    public static readonly IReadOnlyList<string> Anonymous = [Peer, Report, Other];

    public static bool IsAnonymous(string relationship) => relationship is Peer or Report or Other;
}

public static class Visibilities
{
    public const string Shared = "shared";
    public const string Private = "private";
    public static readonly IReadOnlyList<string> All = [Shared, Private];
}

/// <summary>promotions.csv <c>outcome</c>.</summary>
public static class PromotionOutcomes
{
    public const string Promoted = "promoted";
    public const string NotPromoted = "not_promoted";
    public const string Declined = "declined";
    public const string Deferred = "deferred";
    public static readonly IReadOnlyList<string> All = [Promoted, NotPromoted, Declined, Deferred];
}
