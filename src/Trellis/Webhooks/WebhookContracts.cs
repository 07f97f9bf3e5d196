namespace Trellis.Webhooks;

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description = null);

/// <summary>A change to an endpoint: only the fields given change; <c>description: ""</c> removes it; <c>enabled: false</c> pauses it, <c>true</c> resumes it.</summary>
public sealed record UpdateWebhookRequest(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);

/// <summary>An endpoint as listed: never its secret.</summary>
public sealed record WebhookView(int Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, DateTimeOffset CreatedAt,
    string CreatedBy, DateTimeOffset? PreviousSecretValidUntil, int Pending, int Failed, DateTimeOffset? LastDeliveredAt);

/// <summary>The answer to adding an endpoint: the only time its secret is shown.</summary>
public sealed record CreatedWebhook(int Id, string Url, IReadOnlyList<string> Events, string? Description, string Secret, DateTimeOffset CreatedAt);

/// <summary>A new secret after rotation; the old one keeps signing (as a second signature) until <c>previous_secret_valid_until</c>.</summary>
public sealed record RotatedSecret(int Id, string Secret, DateTimeOffset PreviousSecretValidUntil);

public sealed record DeliveryView(long Id, string MessageId, string Type, string Status, int Attempts, int? ResponseCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);

public sealed record EventTypesView(IReadOnlyList<string> Events);
