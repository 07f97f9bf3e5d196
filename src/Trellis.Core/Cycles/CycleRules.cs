using Trellis.Core.Framework;
using Trellis.Core.Readiness;

namespace Trellis.Core.Cycles;

/// <summary>The phases of a promotion cycle, in order. HR moves a cycle forward; publication ends it.</summary>
public static class CyclePhases
{
    public const string Draft = "draft";
    public const string Nominations = "nominations";
    public const string Responses = "responses";
    public const string Calibration = "calibration";
    public const string Published = "published";

    public static readonly IReadOnlyList<string> All = [Draft, Nominations, Responses, Calibration, Published];

    /// <summary>The phases HR may set with the phase endpoint; <c>published</c> is reached only by publishing.</summary>
    public static readonly IReadOnlyList<string> Settable = [Nominations, Responses, Calibration];

    public static int Order(string phase) => All.ToList().IndexOf(phase);

    /// <summary>The phase a new cycle starts in: nominations when it opens on or before today, else draft.</summary>
    public static string Initial(DateOnly opensOn, DateOnly today) => opensOn <= today ? Nominations : Draft;

    /// <summary>Null when <paramref name="from"/> may move to <paramref name="to"/>; else why not. Phases only move forward.</summary>
    public static string? CheckMove(string from, string to)
    {
        if (!Settable.Contains(to)) return $"'{to}' is not a phase that can be set (use {string.Join(", ", Settable)}; publish to end a cycle)";
        if (from == Published) return "the cycle is published and closed";
        if (Order(to) <= Order(from)) return $"the cycle is in '{from}' and phases only move forward ({string.Join(" → ", All)})";
        return null;
    }

    /// <summary>Null when nominations are taken in <paramref name="phase"/>.</summary>
    public static string? CheckNominating(string phase) =>
        phase == Nominations ? null : $"nominations are taken in the '{Nominations}' phase; this cycle is in '{phase}'";

    /// <summary>Null when a candidate may answer: from nomination until the response deadline, before publication.</summary>
    public static string? CheckResponding(string phase, DateOnly today, DateOnly responseDeadline)
    {
        if (phase == Published) return "the cycle is published; responses are closed";
        if (today > responseDeadline) return $"the response deadline ({responseDeadline:yyyy-MM-dd}) has passed";
        return null;
    }

    public static string? CheckDeciding(string phase) =>
        phase == Calibration ? null : $"decisions are taken in the '{Calibration}' phase; this cycle is in '{phase}'";

    public static string? CheckPublishing(string phase) =>
        phase == Calibration ? null : $"a cycle is published from the '{Calibration}' phase; this cycle is in '{phase}'";
}

/// <summary>What a candidate answers to a nomination.</summary>
public static class CandidateChoices
{
    public const string Accept = "accept";
    public const string ExpertTrack = "expert_track";
    public const string Defer = "defer";
    public const string Decline = "decline";
    public static readonly IReadOnlyList<string> All = [Accept, ExpertTrack, Defer, Decline];
}

/// <summary>What the committee decides.</summary>
public static class DecisionOutcomes
{
    public const string Promoted = "promoted";
    public const string NotYet = "not_yet";
    public const string Alternative = "alternative";
    public static readonly IReadOnlyList<string> All = [Promoted, NotYet, Alternative];
}

/// <summary>Which levels a nomination may target, and the equal-band alternatives.</summary>
public static class PromotionTargets
{
    /// <summary>
    /// The levels a person at <paramref name="currentLevel"/> may be nominated for: the next band on their own track,
    /// and the level of that same band on every other track (equal standing, e.g. e3 → e4 or l4).
    /// </summary>
    public static IReadOnlyList<Level> ValidTargets(CareerFramework framework, string currentLevel)
    {
        var next = framework.NextLevel(currentLevel);
        var current = framework.FindLevel(currentLevel);
        var track = framework.TrackOf(currentLevel);
        if (current is null || track is null) return [];
        var band = next?.Band ?? NextBandAnywhere(framework, current.Band);
        if (band is null) return [];
        var result = new List<Level>();
        if (next is not null) result.Add(next);
        foreach (var other in framework.Tracks.Where(t => t.Key != track.Key))
            if (other.Levels.FirstOrDefault(l => l.Band == band) is { } equal) result.Add(equal);
        return result;
    }

    private static int? NextBandAnywhere(CareerFramework framework, int band)
    {
        var higher = framework.Levels.Where(l => l.Band > band).Select(l => l.Band).ToList();
        return higher.Count == 0 ? null : higher.Min();
    }

    /// <summary>Null when <paramref name="target"/> is a valid target for <paramref name="currentLevel"/>; else why not.</summary>
    public static string? Check(CareerFramework framework, string currentLevel, string target)
    {
        if (framework.FindLevel(target) is null) return $"'{target}' is not a level of the framework";
        var valid = ValidTargets(framework, currentLevel);
        if (valid.Count == 0) return $"there is no level above '{currentLevel}' to nominate for";
        return valid.Any(l => l.Key == target)
            ? null
            : $"'{target}' is not the next band from '{currentLevel}'; nominate for {string.Join(" or ", valid.Select(l => l.Key))}";
    }

    /// <summary>The equal-band level on the expert (individual) track for a target; the target itself when it is already there.</summary>
    public static Level? ExpertEquivalent(CareerFramework framework, string target)
    {
        var level = framework.FindLevel(target);
        var track = framework.TrackOf(target);
        if (level is null || track is null) return null;
        if (track.Kind == TrackKinds.Individual) return level;
        return framework.Tracks.Where(t => t.Kind == TrackKinds.Individual)
            .SelectMany(t => t.Levels).FirstOrDefault(l => l.Band == level.Band);
    }

    /// <summary>The equal-band level on another track than the target's: the committee's <c>alternative</c>.</summary>
    public static Level? Alternative(CareerFramework framework, string target)
    {
        var level = framework.FindLevel(target);
        var track = framework.TrackOf(target);
        if (level is null || track is null) return null;
        // Prefer the expert track (the point of the alternative); from the expert track it is the people-leader level.
        return framework.Tracks.Where(t => t.Key != track.Key)
            .OrderBy(t => t.Kind == TrackKinds.Individual ? 0 : 1)
            .SelectMany(t => t.Levels).FirstOrDefault(l => l.Band == level.Band);
    }

    /// <summary>For a people leader: the equal-band expert level they may move back to without stigma.</summary>
    public static Level? ReturnLevel(CareerFramework framework, string currentLevel)
    {
        var track = framework.TrackOf(currentLevel);
        var level = framework.FindLevel(currentLevel);
        if (track is null || level is null || track.Kind != TrackKinds.PeopleLeader) return null;
        return framework.Tracks.Where(t => t.Kind == TrackKinds.Individual)
            .SelectMany(t => t.Levels).FirstOrDefault(l => l.Band == level.Band);
    }
}

/// <summary>The result written to the promotion history when a cycle is published.</summary>
public sealed record PublishedOutcome(string Outcome, string ToLevel);

public static class Publication
{
    /// <summary>
    /// What a candidate's nomination becomes; every case maps one to one and a committee decision is never relabelled as the
    /// candidate's choice. The candidate's decline or deferral stands (nobody is given a role they did not choose);
    /// otherwise the committee's decision: <c>promoted</c> → promoted (to the level the candidate chose: the target, or its
    /// expert equivalent), <c>alternative</c> → promoted to the other track's level, <c>not_yet</c> → not_promoted.
    /// Only called once <see cref="Blocker"/> is null for the nomination.
    /// </summary>
    public static PublishedOutcome Resolve(string? choice, string? decision, string target, string? expertLevel, string? alternativeLevel)
    {
        if (choice == CandidateChoices.Decline) return new(PromotionOutcomes.Declined, target);
        if (choice == CandidateChoices.Defer) return new(PromotionOutcomes.Deferred, target);
        return decision switch
        {
            DecisionOutcomes.Promoted => new(PromotionOutcomes.Promoted,
                choice == CandidateChoices.ExpertTrack && expertLevel is not null ? expertLevel : target),
            DecisionOutcomes.Alternative when alternativeLevel is not null => new(PromotionOutcomes.Promoted, alternativeLevel),
            DecisionOutcomes.NotYet => new(PromotionOutcomes.NotPromoted, target),
            _ => throw new InvalidOperationException($"nomination with choice '{choice}' and decision '{decision}' is not ready to publish"),
        };
    }

    /// <summary>
    /// Why a nomination blocks publication, or null. Blocks: a candidate who did not decline or defer and has no committee
    /// decision; a promotion (<c>promoted</c>, or <c>alternative</c>) the candidate has not chosen — <c>promoted</c> needs an
    /// accept or the expert track, <c>alternative</c> needs the candidate to have chosen that very level (the expert track
    /// when the alternative is the expert level). A promotion decided for someone who declined or deferred blocks too:
    /// the committee changes it to <c>not_yet</c> or the candidate changes their answer.
    /// </summary>
    public static string? Blocker(string? choice, string? decision, string target, string? expertLevel, string? alternativeLevel)
    {
        var withdrew = choice is CandidateChoices.Decline or CandidateChoices.Defer;
        if (decision is null) return withdrew ? null : choice is null ? "no answer and no committee decision" : "no committee decision";
        if (decision == DecisionOutcomes.NotYet) return null;
        var chosen = choice switch
        {
            CandidateChoices.Accept => target,
            CandidateChoices.ExpertTrack => expertLevel ?? target,
            _ => null,
        };
        if (decision == DecisionOutcomes.Promoted)
            return chosen is null ? $"promoted, but the candidate has {Said(choice)}" : null;
        if (decision == DecisionOutcomes.Alternative)
            return chosen is not null && chosen == alternativeLevel ? null
                : $"alternative ({alternativeLevel}), but the candidate has {(chosen is null ? Said(choice) : $"chosen {chosen}")}";
        return $"unknown decision '{decision}'";
    }

    private static string Said(string? choice) => choice switch
    {
        null => "not answered",
        CandidateChoices.Decline => "declined",
        CandidateChoices.Defer => "deferred",
        _ => $"answered '{choice}'",
    };

    /// <summary>True when the committee's promotion (or alternative) of this candidate counts against the budget.</summary>
    public static bool UsesBudget(string? choice, string? decision) =>
        decision is DecisionOutcomes.Promoted or DecisionOutcomes.Alternative && NeedsDecision(choice);

    /// <summary>True when the candidate answered so that the committee must decide before publication.</summary>
    public static bool NeedsDecision(string? choice) => choice is CandidateChoices.Accept or CandidateChoices.ExpertTrack;

    /// <summary>Why publishing now needs an override with a reason: answers still open, or more promotions than the budget.</summary>
    public static IReadOnlyList<string> OverridesNeeded(DateOnly today, DateOnly responseDeadline, int promotions, int budget)
    {
        var reasons = new List<string>(2);
        if (today <= responseDeadline) reasons.Add(BeforeDeadline);
        if (promotions > budget) reasons.Add(OverBudget);
        return reasons;
    }

    public const string BeforeDeadline = "before_response_deadline";
    public const string OverBudget = "over_budget";
}

/// <summary>Whom a committee member stands aside from: always their own candidacy; with <c>reporting_line</c> also anyone who reports to them.</summary>
public static class RecuseRules
{
    public const string Self = "self";
    public const string ReportingLine = "reporting_line";
    public static readonly IReadOnlyList<string> All = [Self, ReportingLine];
}

/// <summary>Calibration flags: reasons for the committee to look twice.</summary>
public static class CandidateFlags
{
    public const string HighResultsLowValues = "high_results_low_values";
    public const string ThinEvidence = "thin_evidence";
    public const string OneSidedEvidence = "one_sided_evidence";
    public const string SubstantiatedConcern = "substantiated_concern";
    public static readonly IReadOnlyList<string> All = [HighResultsLowValues, ThinEvidence, OneSidedEvidence, SubstantiatedConcern];

    /// <summary>Results at or above this score (1–5, 3 = fully met) count as high.</summary>
    public const double HighResults = 4.0;
    /// <summary>A values score below this (the "demonstrates it consistently" anchor) counts as low.</summary>
    public const double LowValues = 3.0;
    /// <summary>Fewer observations than this is thin evidence.</summary>
    public const int MinEvidence = 10;

    /// <summary>
    /// The flags of one candidate. Readiness may be null (unknown): that is thin evidence, never a reason to assume the best.
    /// One-sided means fewer distinct raters than the anonymity threshold: the picture comes from one or two people.
    /// </summary>
    public static IReadOnlyList<string> Compute(ReadinessReport? readiness, double? latestResults, bool substantiatedConcern, int anonymityThreshold)
    {
        var flags = new List<string>(2);
        if (latestResults >= HighResults && readiness?.ValuesScore is { } values && values < LowValues)
            flags.Add(HighResultsLowValues);
        if (readiness is null || readiness.EvidenceCount < MinEvidence || readiness.Band == ReadinessBands.InsufficientEvidence)
            flags.Add(ThinEvidence);
        if (readiness is { EvidenceCount: > 0 } && readiness.RaterCount < anonymityThreshold)
            flags.Add(OneSidedEvidence);
        if (substantiatedConcern) flags.Add(SubstantiatedConcern);
        return flags;
    }
}

/// <summary>Who the engine suggests: ready or soon, eligible, and not yet nominated in the cycle.</summary>
public static class Suggestions
{
    /// <summary>
    /// Deliberately takes no history of earlier cycles: a decline or deferral can never lower the chance of being suggested.
    /// </summary>
    public static IReadOnlyList<ReadinessReport> Select(IEnumerable<ReadinessReport> reports, IReadOnlySet<string> nominated, IReadOnlyCollection<string> eligibleLevels) =>
        reports.Where(r => r.Band is ReadinessBands.Ready or ReadinessBands.Soon)
            .Where(r => r.TargetLevel is not null && !nominated.Contains(r.EmployeeId))
            .Where(r => eligibleLevels.Count == 0 || eligibleLevels.Contains(r.CurrentLevel))
            .Order(Order<ReadinessReport>(r => r.Band, r => r.EmployeeId))
            .ToList();

    /// <summary>
    /// The order suggestions are shown in, wherever a list of them is built: ready before soon, then by employee id (ordinal).
    /// </summary>
    public static IComparer<T> Order<T>(Func<T, string> band, Func<T, string> employeeId) =>
        Comparer<T>.Create((a, b) => Compare(band(a), employeeId(a), band(b), employeeId(b)));

    private static int Compare(string band, string employeeId, string otherBand, string otherEmployeeId)
    {
        var byBand = Rank(band).CompareTo(Rank(otherBand));
        return byBand != 0 ? byBand : string.CompareOrdinal(employeeId, otherEmployeeId);
    }

    private static int Rank(string band) => band == ReadinessBands.Ready ? 0 : 1;
}

/// <summary>The five reflection questions a candidate is offered (Alli Polin, "No promotion please").</summary>
public static class ReflectionQuestions
{
    public sealed record Question(string Key, string Text);

    public static readonly IReadOnlyList<Question> All =
    [
        new("love_now", "What do you most love about your work now?"),
        new("afraid_change", "What are you most afraid will change?"),
        new("why_you", "Why you, and why now?"),
        new("title_colleagues", "If you have a new title, how will it change how you work with your colleagues?"),
        new("change_you", "How will it change you?"),
    ];

    public static bool IsKnown(string key) => All.Any(q => q.Key == key);
}

/// <summary>The upward pulse a new people leader's team answers, anonymously.</summary>
public static class PulseQuestions
{
    public sealed record Question(string Key, string Text);

    public static readonly IReadOnlyList<Question> All =
    [
        new("clarity", "I know what is expected of me and why."),
        new("safety", "I can raise a problem or disagree without fear."),
        new("growth", "My manager helps me grow."),
    ];
}

/// <summary>The check-ins of a new people leader's transition plan, in days after the promotion.</summary>
public static class TransitionPlans
{
    public static readonly IReadOnlyList<int> CheckInDays = [30, 60, 90];
}
