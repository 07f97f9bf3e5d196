using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Webhooks;

// The outbox and the webhook tables. They stay in the data layer: Webhooks/ projects them into WebhookContracts.cs.

/// <summary>
/// One event, written in the same transaction as the change it announces. <see cref="Body"/> is the exact JSON sent
/// (and signed) on every attempt, so retries and replays carry the same bytes.
/// </summary>
public sealed class OutboxEvent
{
    public long Id { get; set; }
    /// <summary>The Standard Webhooks message id (<c>webhook-id</c>): the same on every attempt and replay, for receivers to deduplicate.</summary>
    public required string MessageId { get; set; }
    public required string Type { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class WebhookEndpoint
{
    public const int UrlMaxLength = 2000;

    public int Id { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }
    /// <summary>Space-separated event types this endpoint receives.</summary>
    public required string Events { get; set; }
    /// <summary><c>whsec_</c> + base64 of the key.</summary>
    public required string Secret { get; set; }
    /// <summary>After a rotation the old secret also signs, until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretUntil { get; set; }
    /// <summary>False while paused by an admin or after <see cref="WebhookOptions.DisableAfterFailedEvents"/> failed events: nothing is queued or sent.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>
    /// When an admin last resumed the endpoint: only deliveries attempted since count towards disabling it again, so a
    /// resumed endpoint gets a fresh run of <see cref="WebhookOptions.DisableAfterFailedEvents"/> failures.
    /// </summary>
    public DateTimeOffset? ResumedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    /// <summary>The node delivering to this endpoint and until when: one node at a time keeps deliveries in order and never doubles them.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One event for one endpoint: sent in id order per endpoint, retried with backoff until delivered or too old.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public int EndpointId { get; set; }
    public long EventId { get; set; }
    public OutboxEvent? Event { get; set; }
    public required string Status { get; set; }
    /// <summary>Attempts made so far; each is one HTTP request and up to <see cref="WebhookOptions.QuickRetries"/> quick retries of it.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? ResponseCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> e)
    {
        e.ToTable("outbox_events");
        e.HasKey(x => x.Id);
        e.Property(x => x.MessageId).HasMaxLength(64);
        e.HasIndex(x => x.MessageId).IsUnique();
        e.Property(x => x.Type).HasMaxLength(64);
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.ToTable("webhook_endpoints");
        e.HasKey(x => x.Id);
        e.Property(x => x.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        e.Property(x => x.Description).HasMaxLength(500);
        e.Property(x => x.Events).HasMaxLength(1000);
        e.Property(x => x.Secret).HasMaxLength(100);
        e.Property(x => x.PreviousSecret).HasMaxLength(100);
        e.Property(x => x.CreatedBy).HasMaxLength(64);
        e.Property(x => x.LeaseOwner).HasMaxLength(100);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.ToTable("webhook_deliveries");
        e.HasKey(x => x.Id);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.LastError).HasMaxLength(500);
        // The worker's question: the oldest pending delivery of an endpoint.
        e.HasIndex(x => new { x.EndpointId, x.Status, x.Id });
        e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(x => x.Event).WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}
