namespace Trellis.Webhooks;

/// <summary>The <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Accept <c>http://</c> endpoint URLs (otherwise only <c>https://</c>).</summary>
    public bool AllowHttp { get; set; }
    /// <summary>Accept endpoints on loopback, private, link-local and other non-public addresses (checked again at every connection).</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>Run the delivery worker on this node (every node may; they share the work without doubling it).</summary>
    public bool Deliver { get; set; } = true;
    /// <summary>How often the worker looks for due deliveries written by other nodes (its own wake it at once).</summary>
    public double PollSeconds { get; set; } = 2;
    /// <summary>How long one node holds an endpoint while delivering; a node that dies releases it when the lease runs out.</summary>
    public double LeaseSeconds { get; set; } = 60;
    /// <summary>The first wait after a failed attempt; each later wait doubles, up to <see cref="MaxRetryDelayMinutes"/>.</summary>
    public double RetryBaseSeconds { get; set; } = 10;
    public double MaxRetryDelayMinutes { get; set; } = 360;
    /// <summary>An event not delivered this long after it was written is marked failed (3 days).</summary>
    public double GiveUpAfterHours { get; set; } = 72;
    /// <summary>Time allowed for one HTTP request to an endpoint.</summary>
    public double TimeoutSeconds { get; set; } = 10;
    /// <summary>Quick retries inside one attempt (exponential backoff from 1 s), before the attempt counts as failed.</summary>
    public int QuickRetries { get; set; } = 2;
    public double QuickRetryDelaySeconds { get; set; } = 1;
    /// <summary>How long the old secret keeps signing after a rotation.</summary>
    public double PreviousSecretHours { get; set; } = 24;

    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
    public TimeSpan GiveUpAfter => TimeSpan.FromHours(GiveUpAfterHours);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 after <paramref name="attempt"/> failed ones.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var seconds = RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelayMinutes * 60));
    }
}
