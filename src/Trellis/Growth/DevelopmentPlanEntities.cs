using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Growth;

public static class PlanStatuses
{
    public const string Open = "open";
    public const string Met = "met";
    public const string Changed = "changed";
    public const string Dropped = "dropped";

    public static readonly IReadOnlyList<string> All = [Open, Met, Changed, Dropped];
    public static readonly IReadOnlyList<string> Closing = [Met, Changed, Dropped];
}

/// <summary>A development plan: one to three behaviours someone works on from a start date, until it closes as met, changed or dropped.</summary>
public sealed class DevelopmentPlan
{
    public int Id { get; set; }
    public required string EmployeeId { get; set; }
    public required string CreatedById { get; set; }
    /// <summary>Behaviour keys, comma-separated, in the order chosen.</summary>
    public required string Behaviors { get; set; }
    public DateOnly StartedOn { get; set; }
    public string Status { get; set; } = PlanStatuses.Open;
    public DateOnly? ClosedOn { get; set; }
    public string? ClosingNote { get; set; }
    /// <summary>The feedback request sent to the watchers when the plan started, if any.</summary>
    public string? FeedbackRequestId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Version { get; set; }
    public List<DevelopmentPlanAction> Actions { get; set; } = [];
    public List<DevelopmentPlanComment> Comments { get; set; } = [];
}

/// <summary>A concrete practice action for one behaviour of a plan, with its date, done or not.</summary>
public sealed class DevelopmentPlanAction
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public required string Behavior { get; set; }
    public required string Text { get; set; }
    public DateOnly DueOn { get; set; }
    public DateOnly? DoneOn { get; set; }
}

/// <summary>A comment on a plan (typically the manager's).</summary>
public sealed class DevelopmentPlanComment
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public required string AuthorId { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class DevelopmentPlanConfiguration : IEntityTypeConfiguration<DevelopmentPlan>
{
    public void Configure(EntityTypeBuilder<DevelopmentPlan> e)
    {
        e.ToTable("development_plans");
        e.HasKey(x => x.Id);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.CreatedById).HasMaxLength(64);
        e.Property(x => x.Behaviors).HasMaxLength(1000);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.ClosingNote).HasMaxLength(DevelopmentPlanService.MaxTextLength);
        e.Property(x => x.FeedbackRequestId).HasMaxLength(64);
        e.Property(x => x.Version).IsConcurrencyToken();
        e.HasIndex(x => x.EmployeeId);
        e.HasMany(x => x.Actions).WithOne().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.Comments).WithOne().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DevelopmentPlanActionConfiguration : IEntityTypeConfiguration<DevelopmentPlanAction>
{
    public void Configure(EntityTypeBuilder<DevelopmentPlanAction> e)
    {
        e.ToTable("development_plan_actions");
        e.HasKey(x => x.Id);
        e.Property(x => x.Behavior).HasMaxLength(128);
        e.Property(x => x.Text).HasMaxLength(DevelopmentPlanService.MaxTextLength);
        e.HasIndex(x => x.PlanId);
    }
}

internal sealed class DevelopmentPlanCommentConfiguration : IEntityTypeConfiguration<DevelopmentPlanComment>
{
    public void Configure(EntityTypeBuilder<DevelopmentPlanComment> e)
    {
        e.ToTable("development_plan_comments");
        e.HasKey(x => x.Id);
        e.Property(x => x.AuthorId).HasMaxLength(64);
        e.Property(x => x.Text).HasMaxLength(DevelopmentPlanService.MaxTextLength);
        e.HasIndex(x => x.PlanId);
    }
}
