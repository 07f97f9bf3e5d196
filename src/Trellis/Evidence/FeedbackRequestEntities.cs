using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Evidence;

/// <summary>Someone (the subject, or a manager in their line) asking colleagues for feedback on chosen behaviours.</summary>
public sealed class FeedbackRequest
{
    public required string Id { get; set; }
    public required string SubjectId { get; set; }
    public required string RequestedById { get; set; }
    /// <summary>Behaviour keys, comma-separated, in the order chosen.</summary>
    public required string Behaviors { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }
    public List<FeedbackRequestRater> Raters { get; set; } = [];
}

/// <summary>One asked colleague of a request; open until they answer or the request is withdrawn.</summary>
public sealed class FeedbackRequestRater
{
    public required string RequestId { get; set; }
    public required string RaterId { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    /// <summary>The observation that answered the request.</summary>
    public string? ObservationId { get; set; }
}

internal sealed class FeedbackRequestConfiguration : IEntityTypeConfiguration<FeedbackRequest>
{
    public void Configure(EntityTypeBuilder<FeedbackRequest> e)
    {
        e.ToTable("feedback_requests");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.SubjectId).HasMaxLength(64);
        e.Property(x => x.RequestedById).HasMaxLength(64);
        e.Property(x => x.Behaviors).HasMaxLength(1000);
        e.Property(x => x.Message).HasMaxLength(FeedbackRequestService.MaxMessageLength);
        e.HasIndex(x => x.RequestedById);
        e.HasIndex(x => x.SubjectId);
        e.HasMany(x => x.Raters).WithOne().HasForeignKey(x => x.RequestId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FeedbackRequestRaterConfiguration : IEntityTypeConfiguration<FeedbackRequestRater>
{
    public void Configure(EntityTypeBuilder<FeedbackRequestRater> e)
    {
        e.ToTable("feedback_request_raters");
        e.HasKey(x => new { x.RequestId, x.RaterId });
        e.Property(x => x.RequestId).HasMaxLength(64);
        e.Property(x => x.RaterId).HasMaxLength(64);
        e.Property(x => x.ObservationId).HasMaxLength(64);
        e.HasIndex(x => x.RaterId);
    }
}
