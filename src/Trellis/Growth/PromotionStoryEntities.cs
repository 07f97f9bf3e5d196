using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Growth;

public static class StoryStatuses
{
    /// <summary>Drafted, seen only by its subject.</summary>
    public const string Draft = "draft";
    /// <summary>Approved by its subject: listed on the Promotions page and their person page.</summary>
    public const string Published = "published";
    /// <summary>The subject said no (or withdrew it): never listed.</summary>
    public const string Declined = "declined";
}

/// <summary>
/// The story of one promotion (one promoted outcome of one cycle), drafted by Trellis from the evidence and published
/// only when its subject approves it.
/// </summary>
public sealed class PromotionStory
{
    public int Id { get; set; }
    public required string Cycle { get; set; }
    public required string EmployeeId { get; set; }
    /// <summary>The level they left and the level they reached (as published).</summary>
    public required string FromLevel { get; set; }
    public required string ToLevel { get; set; }
    public string Status { get; set; } = StoryStatuses.Draft;
    public required string Headline { get; set; }
    public required string Text { get; set; }
    /// <summary>Behaviour keys the story names, comma-separated, in the order chosen.</summary>
    public string Behaviors { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    /// <summary>Approved on the person's behalf by <c>trellis demo</c> (demo data only).</summary>
    public bool Demo { get; set; }
    public int Version { get; set; }
    public List<PromotionStoryValue> Values { get; set; } = [];
    public List<PromotionStoryQuote> Quotes { get; set; } = [];
}

/// <summary>A value the story names (what the Promotions page filters by and the culture audit counts).</summary>
public sealed class PromotionStoryValue
{
    public int StoryId { get; set; }
    public required string Value { get; set; }
}

/// <summary>A recognition about the subject that they chose to quote.</summary>
public sealed class PromotionStoryQuote
{
    public int StoryId { get; set; }
    public required string RecognitionId { get; set; }
    public int Position { get; set; }
}

internal sealed class PromotionStoryConfiguration : IEntityTypeConfiguration<PromotionStory>
{
    public void Configure(EntityTypeBuilder<PromotionStory> e)
    {
        e.ToTable("promotion_stories", t => Data.TableRevision.Counted(t, Data.TableRevision.PromotionStories));
        e.HasKey(x => x.Id);
        e.Property(x => x.Cycle).HasMaxLength(64);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.FromLevel).HasMaxLength(64);
        e.Property(x => x.ToLevel).HasMaxLength(64);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.Headline).HasMaxLength(PromotionStoryService.MaxHeadlineLength);
        e.Property(x => x.Text).HasMaxLength(PromotionStoryService.MaxTextLength);
        e.Property(x => x.Behaviors).HasMaxLength(1000);
        e.Property(x => x.Version).IsConcurrencyToken();
        // One story per promotion.
        e.HasIndex(x => new { x.Cycle, x.EmployeeId }).IsUnique();
        e.HasIndex(x => new { x.Status, x.PublishedAt });
        e.HasIndex(x => x.EmployeeId);
        e.HasMany(x => x.Values).WithOne().HasForeignKey(x => x.StoryId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.Quotes).WithOne().HasForeignKey(x => x.StoryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromotionStoryValueConfiguration : IEntityTypeConfiguration<PromotionStoryValue>
{
    public void Configure(EntityTypeBuilder<PromotionStoryValue> e)
    {
        e.ToTable("promotion_story_values");
        e.HasKey(x => new { x.StoryId, x.Value });
        e.Property(x => x.Value).HasMaxLength(128);
        e.HasIndex(x => x.Value);
    }
}

internal sealed class PromotionStoryQuoteConfiguration : IEntityTypeConfiguration<PromotionStoryQuote>
{
    public void Configure(EntityTypeBuilder<PromotionStoryQuote> e)
    {
        e.ToTable("promotion_story_quotes");
        e.HasKey(x => new { x.StoryId, x.RecognitionId });
        e.Property(x => x.RecognitionId).HasMaxLength(64);
    }
}
