using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Evidence;

/// <summary>
/// A version of an observation that its rater replaced (edited) or withdrew, kept as it was. The observation row always
/// holds the current version; a withdrawn observation has no row left, only its versions here.
/// </summary>
public sealed class ObservationVersion
{
    public long Id { get; set; }
    public required string ObservationId { get; set; }
    /// <summary>1 = as first given; the current version of an observation is its number of kept versions + 1.</summary>
    public int Version { get; set; }
    /// <summary>What ended this version: <see cref="ObservationChanges.Edited"/> or <see cref="ObservationChanges.Withdrawn"/>.</summary>
    public required string Change { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    public required string SubjectId { get; set; }
    public required string RaterId { get; set; }
    public required string Relationship { get; set; }
    public required string Behavior { get; set; }
    public int Rating { get; set; }
    public DateOnly ObservedOn { get; set; }
    public string? Comment { get; set; }
    public required string Visibility { get; set; }
    /// <summary>When this version had been released to its subject (null: it never was).</summary>
    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>
    /// The subject's own views still show this version instead of the change: a released anonymous answer changed or
    /// withdrawn stays as it was for the subject until the change is released in a batch of at least
    /// <c>anonymity_threshold</c> raters (<see cref="FeedbackRelease"/>), so that the subject cannot difference out one rater.
    /// </summary>
    public bool ShownToSubject { get; set; }

    /// <summary>
    /// When the change that replaced this shown version was released (it stopped showing then). A subject's view as of a
    /// past day uses the versions shown that day, from <see cref="ReleasedAt"/> until this: history already seen stays as
    /// it was, so that it cannot be compared with today's to read one rater's change off the difference.
    /// </summary>
    public DateTimeOffset? ShownUntil { get; set; }
}

public static class ObservationChanges
{
    public const string Edited = "edited";
    public const string Withdrawn = "withdrawn";
    /// <summary>How long after the day it was given its rater may edit or withdraw an observation.</summary>
    public const int EditableDays = 7;
}

internal sealed class ObservationVersionConfiguration : IEntityTypeConfiguration<ObservationVersion>
{
    public void Configure(EntityTypeBuilder<ObservationVersion> e)
    {
        e.ToTable("observation_versions");
        e.HasKey(x => x.Id);
        e.Property(x => x.ObservationId).HasMaxLength(64);
        e.Property(x => x.Change).HasMaxLength(16);
        e.Property(x => x.SubjectId).HasMaxLength(64);
        e.Property(x => x.RaterId).HasMaxLength(64);
        e.Property(x => x.Relationship).HasMaxLength(16);
        e.Property(x => x.Behavior).HasMaxLength(64);
        e.Property(x => x.Visibility).HasMaxLength(16);
        e.HasIndex(x => new { x.ObservationId, x.Version }).IsUnique();
        // Read on every release pass and every subject view: the versions still shown in place of a change.
        e.HasIndex(x => new { x.SubjectId, x.ShownToSubject });
    }
}
