using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Data;

// Entities of promotion cycles. They stay in the data layer: Cycles/ projects them into the records of CycleContracts.cs.

public sealed class Cycle
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public DateOnly OpensOn { get; set; }
    public DateOnly ClosesOn { get; set; }
    public DateOnly ResponseDeadline { get; set; }
    public int Budget { get; set; }
    /// <summary>Space-separated level keys whose holders may be nominated; empty means every level.</summary>
    public string EligibleLevels { get; set; } = "";
    public required string Phase { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateOnly? PublishedOn { get; set; }
    /// <summary>+1 after every change to the cycle's nominations (answers, decisions, publication): lets every node reuse board data until it changes.</summary>
    public int Revision { get; set; }
    /// <summary>Whom committee members stand aside from: <c>self</c> (always) or <c>reporting_line</c> (also anyone who reports to them).</summary>
    public string Recuse { get; set; } = "self";
}

/// <summary>The cycle's history: creation, every phase move and the publication, with who, when, and any override's reason.</summary>
public sealed class CycleEvent
{
    public long Id { get; set; }
    public int CycleId { get; set; }
    /// <summary>created | phase | published</summary>
    public required string Kind { get; set; }
    public required string Detail { get; set; }
    /// <summary>Set when HR published before the response deadline or over budget: why.</summary>
    public string? OverrideReason { get; set; }
    public required string By { get; set; }
    public DateTimeOffset At { get; set; }
}

public sealed class CycleCommitteeMember
{
    public int CycleId { get; set; }
    public required string EmployeeId { get; set; }
}

public sealed class Nomination
{
    public int Id { get; set; }
    public int CycleId { get; set; }
    public required string EmployeeId { get; set; }
    public required string FromLevel { get; set; }
    public required string TargetLevel { get; set; }
    public required string Rationale { get; set; }
    public required string NominatedBy { get; set; }
    /// <summary>self | manager | hr — in which capacity the nominator acted.</summary>
    public required string NominatedAs { get; set; }
    public bool Suggested { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public string? Choice { get; set; }
    public string? ChoiceNote { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }

    public string? Decision { get; set; }
    public string? DecisionRationale { get; set; }
    public string? DecidedLevel { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>Optimistic concurrency token of the decision: +1 on every decision change.</summary>
    public int Version { get; set; }

    /// <summary>Set on publication: promoted | not_promoted | declined | deferred, and the level reached or considered.</summary>
    public string? PublishedOutcome { get; set; }
    public string? PublishedLevel { get; set; }
}

/// <summary>Every decision and every change of one, with who and when.</summary>
public sealed class NominationDecisionChange
{
    public long Id { get; set; }
    public int NominationId { get; set; }
    public int Version { get; set; }
    public required string Outcome { get; set; }
    public required string Rationale { get; set; }
    public string? DecidedLevel { get; set; }
    public required string DecidedBy { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
}

/// <summary>A candidate's private reflection note. Only the candidate can ever read it: no role, not HR, not admin.</summary>
public sealed class ReflectionNote
{
    public int NominationId { get; set; }
    public required string Question { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A candidate's request to talk before answering: with their manager, HR, or someone now at the target level.
/// Only the candidate and the person asked see it.</summary>
public sealed class ConversationRequest
{
    public int Id { get; set; }
    public int NominationId { get; set; }
    public required string CandidateId { get; set; }
    public required string WithId { get; set; }
    /// <summary>manager | hr | target_level — in which capacity the person was asked.</summary>
    public required string Kind { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An in-app message: the inbox and the banner of the layout.</summary>
public sealed class Notification
{
    public long Id { get; set; }
    public required string EmployeeId { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public string? Link { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>A new people leader's first 90 days.</summary>
public sealed class TransitionPlan
{
    public int Id { get; set; }
    public required string EmployeeId { get; set; }
    public string? ManagerId { get; set; }
    public required string Cycle { get; set; }
    public required string Level { get; set; }
    public DateOnly StartsOn { get; set; }
    /// <summary>Set when the plan ends early (the leader moved back to the expert track): the day and why.</summary>
    public DateOnly? ClosedOn { get; set; }
    public string? ClosedReason { get; set; }
    /// <summary>
    /// How many pulse answers the plan has. Raised in the answering transaction, it gives each answer its place
    /// (<see cref="PulseAnswer.Seq"/>) and makes concurrent answers to the same plan wait for each other.
    /// </summary>
    public int PulseAnswers { get; set; }
    /// <summary>
    /// How many of the first answers (by <see cref="PulseAnswer.Seq"/>) the summary covers. It only grows, by whole batches
    /// of the anonymity threshold in force when each batch completes: a batch once shown stays, whatever the threshold
    /// becomes later, so that no two summaries differ by fewer answers than a threshold.
    /// </summary>
    public int PulseReleased { get; set; }
}

public sealed class TransitionCheckIn
{
    public int PlanId { get; set; }
    public int Day { get; set; }
    public DateOnly DueOn { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? Note { get; set; }
    /// <summary>When the team was invited (inbox and email) to answer the pulse for this milestone; null until it is due.</summary>
    public DateTimeOffset? PulseInvitedAt { get; set; }
}

/// <summary>One anonymous pulse answer: no respondent, no time of day; who answered is kept apart in <see cref="PulseParticipation"/>.</summary>
public sealed class PulseAnswer
{
    public Guid Id { get; set; }
    public int PlanId { get; set; }
    public int Clarity { get; set; }
    public int Safety { get; set; }
    public int Growth { get; set; }
    public string? Comment { get; set; }
    /// <summary>
    /// The answer's place among the plan's answers (1, 2, …), never a time: the summary covers whole batches of the
    /// anonymity threshold taken in this order, so that it never moves by a single answer.
    /// </summary>
    public int Seq { get; set; }
}

public sealed class PulseParticipation
{
    public int PlanId { get; set; }
    public required string EmployeeId { get; set; }
}

/// <summary>A people leader's move back to the equal-band expert level. Counted by the audit as a return; no mark on the person's record.</summary>
public sealed class TrackReturn
{
    public int Id { get; set; }
    public required string EmployeeId { get; set; }
    public required string FromLevel { get; set; }
    public required string ToLevel { get; set; }
    public string? Reason { get; set; }
    /// <summary>requested | approved | rejected</summary>
    public required string Status { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public DateOnly? EffectiveOn { get; set; }
    /// <summary>On approval: who took the person's direct reports (HR chose; default their manager).</summary>
    public string? ReportsMovedTo { get; set; }
}

/// <summary>One entry of a person's history: a change to their role, line or title, with who and when.</summary>
public sealed class EmployeeEvent
{
    public long Id { get; set; }
    public required string EmployeeId { get; set; }
    /// <summary>track_return | reports_moved | manager_changed | transition_closed | title</summary>
    public required string Kind { get; set; }
    public required string Detail { get; set; }
    public required string By { get; set; }
    public DateTimeOffset At { get; set; }
}

public static class TrackReturnStatus
{
    public const string Requested = "requested";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

internal sealed class CycleConfiguration : IEntityTypeConfiguration<Cycle>
{
    public void Configure(EntityTypeBuilder<Cycle> e)
    {
        e.ToTable("cycles");
        e.HasKey(x => x.Id);
        e.Property(x => x.Name).HasMaxLength(64);
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.EligibleLevels).HasMaxLength(1000);
        e.Property(x => x.Phase).HasMaxLength(16);
        e.Property(x => x.CreatedBy).HasMaxLength(64);
        e.Property(x => x.Recuse).HasMaxLength(16);
    }
}

internal sealed class CycleEventConfiguration : IEntityTypeConfiguration<CycleEvent>
{
    public void Configure(EntityTypeBuilder<CycleEvent> e)
    {
        e.ToTable("cycle_events");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.CycleId);
        e.Property(x => x.Kind).HasMaxLength(16);
        e.Property(x => x.Detail).HasMaxLength(2000);
        e.Property(x => x.OverrideReason).HasMaxLength(4000);
        e.Property(x => x.By).HasMaxLength(64);
        e.HasOne<Cycle>().WithMany().HasForeignKey(x => x.CycleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CycleCommitteeMemberConfiguration : IEntityTypeConfiguration<CycleCommitteeMember>
{
    public void Configure(EntityTypeBuilder<CycleCommitteeMember> e)
    {
        e.ToTable("cycle_committee");
        e.HasKey(x => new { x.CycleId, x.EmployeeId });
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.HasOne<Cycle>().WithMany().HasForeignKey(x => x.CycleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NominationConfiguration : IEntityTypeConfiguration<Nomination>
{
    public void Configure(EntityTypeBuilder<Nomination> e)
    {
        e.ToTable("nominations");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.CycleId, x.EmployeeId }).IsUnique();
        e.HasIndex(x => x.EmployeeId);
        e.HasOne<Cycle>().WithMany().HasForeignKey(x => x.CycleId).OnDelete(DeleteBehavior.Cascade);
        foreach (var p in new[] { nameof(Nomination.EmployeeId), nameof(Nomination.FromLevel), nameof(Nomination.TargetLevel), nameof(Nomination.NominatedBy),
                     nameof(Nomination.DecidedLevel), nameof(Nomination.DecidedBy), nameof(Nomination.PublishedLevel) })
            e.Property(p).HasMaxLength(64);
        e.Property(x => x.NominatedAs).HasMaxLength(16);
        e.Property(x => x.Choice).HasMaxLength(16);
        e.Property(x => x.Decision).HasMaxLength(16);
        e.Property(x => x.PublishedOutcome).HasMaxLength(16);
        e.Property(x => x.Rationale).HasMaxLength(4000);
        e.Property(x => x.ChoiceNote).HasMaxLength(4000);
        e.Property(x => x.DecisionRationale).HasMaxLength(4000);
        e.Property(x => x.Version).IsConcurrencyToken();
    }
}

internal sealed class NominationDecisionChangeConfiguration : IEntityTypeConfiguration<NominationDecisionChange>
{
    public void Configure(EntityTypeBuilder<NominationDecisionChange> e)
    {
        e.ToTable("nomination_decisions");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.NominationId);
        e.Property(x => x.Outcome).HasMaxLength(16);
        e.Property(x => x.Rationale).HasMaxLength(4000);
        e.Property(x => x.DecidedLevel).HasMaxLength(64);
        e.Property(x => x.DecidedBy).HasMaxLength(64);
        e.HasOne<Nomination>().WithMany().HasForeignKey(x => x.NominationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReflectionNoteConfiguration : IEntityTypeConfiguration<ReflectionNote>
{
    public void Configure(EntityTypeBuilder<ReflectionNote> e)
    {
        e.ToTable("reflection_notes");
        e.HasKey(x => new { x.NominationId, x.Question });
        e.Property(x => x.Question).HasMaxLength(32);
        e.Property(x => x.Text).HasMaxLength(8000);
        e.HasOne<Nomination>().WithMany().HasForeignKey(x => x.NominationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConversationRequestConfiguration : IEntityTypeConfiguration<ConversationRequest>
{
    public void Configure(EntityTypeBuilder<ConversationRequest> e)
    {
        e.ToTable("conversation_requests");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.NominationId);
        e.HasIndex(x => x.WithId);
        e.Property(x => x.CandidateId).HasMaxLength(64);
        e.Property(x => x.WithId).HasMaxLength(64);
        e.Property(x => x.Kind).HasMaxLength(16);
        e.Property(x => x.Message).HasMaxLength(2000);
        e.HasOne<Nomination>().WithMany().HasForeignKey(x => x.NominationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EmployeeEventConfiguration : IEntityTypeConfiguration<EmployeeEvent>
{
    public void Configure(EntityTypeBuilder<EmployeeEvent> e)
    {
        e.ToTable("employee_events");
        e.HasKey(x => x.Id);
        e.HasIndex(x => x.EmployeeId);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.Kind).HasMaxLength(32);
        e.Property(x => x.Detail).HasMaxLength(2000);
        e.Property(x => x.By).HasMaxLength(64);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> e)
    {
        e.ToTable("notifications");
        e.HasKey(x => x.Id);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.Title).HasMaxLength(200);
        e.Property(x => x.Body).HasMaxLength(2000);
        e.Property(x => x.Link).HasMaxLength(300);
        e.HasIndex(x => new { x.EmployeeId, x.ReadAt });
    }
}

internal sealed class TransitionPlanConfiguration : IEntityTypeConfiguration<TransitionPlan>
{
    public void Configure(EntityTypeBuilder<TransitionPlan> e)
    {
        e.ToTable("transition_plans");
        e.HasKey(x => x.Id);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.ManagerId).HasMaxLength(64);
        e.Property(x => x.Cycle).HasMaxLength(64);
        e.Property(x => x.Level).HasMaxLength(64);
        e.Property(x => x.ClosedReason).HasMaxLength(2000);
        e.HasIndex(x => x.EmployeeId);
    }
}

internal sealed class TransitionCheckInConfiguration : IEntityTypeConfiguration<TransitionCheckIn>
{
    public void Configure(EntityTypeBuilder<TransitionCheckIn> e)
    {
        e.ToTable("transition_check_ins");
        e.HasKey(x => new { x.PlanId, x.Day });
        e.Property(x => x.CompletedBy).HasMaxLength(64);
        e.Property(x => x.Note).HasMaxLength(4000);
        e.HasOne<TransitionPlan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PulseAnswerConfiguration : IEntityTypeConfiguration<PulseAnswer>
{
    public void Configure(EntityTypeBuilder<PulseAnswer> e)
    {
        e.ToTable("pulse_answers");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.PlanId, x.Seq }).IsUnique();
        e.Property(x => x.Comment).HasMaxLength(2000);
        e.HasOne<TransitionPlan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PulseParticipationConfiguration : IEntityTypeConfiguration<PulseParticipation>
{
    public void Configure(EntityTypeBuilder<PulseParticipation> e)
    {
        e.ToTable("pulse_participation");
        e.HasKey(x => new { x.PlanId, x.EmployeeId });
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.HasOne<TransitionPlan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrackReturnConfiguration : IEntityTypeConfiguration<TrackReturn>
{
    public void Configure(EntityTypeBuilder<TrackReturn> e)
    {
        e.ToTable("track_returns", t => Data.TableRevision.Counted(t, Data.TableRevision.TrackReturns));
        e.HasKey(x => x.Id);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.FromLevel).HasMaxLength(64);
        e.Property(x => x.ToLevel).HasMaxLength(64);
        e.Property(x => x.Reason).HasMaxLength(2000);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.DecidedBy).HasMaxLength(64);
        e.Property(x => x.ReportsMovedTo).HasMaxLength(64);
        e.HasIndex(x => x.EmployeeId);
    }
}
