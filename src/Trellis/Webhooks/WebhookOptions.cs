using Microsoft.Extensions.Options;

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
    /// <summary>An endpoint whose last this many events all failed (each after <see cref="GiveUpAfterHours"/>) is disabled, with an audit entry; 0 never disables.</summary>
    public int DisableAfterFailedEvents { get; set; } = 5;
    /// <summary>Endpoints served at once by this node's worker: a slow or unreachable endpoint holds one lane, not the others.</summary>
    public int Lanes { get; set; } = 4;
    /// <summary>How long the old secret keeps signing after a rotation.</summary>
    public double PreviousSecretHours { get; set; } = 24;

    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
    public TimeSpan GiveUpAfter => TimeSpan.FromHours(GiveUpAfterHours);

    /// <summary>The longest wait between two quick retries (the client caps the jittered backoff here).</summary>
    public TimeSpan QuickRetryMaxDelay => TimeSpan.FromSeconds(QuickRetryDelaySeconds * Math.Pow(2, QuickRetries));

    /// <summary>The longest one attempt can take: every HTTP request running into the timeout, and every wait at its cap.</summary>
    public TimeSpan LongestAttempt => TimeSpan.FromSeconds((QuickRetries + 1) * TimeoutSeconds) + QuickRetries * QuickRetryMaxDelay;

    /// <summary>Why these settings cannot run, or null. An attempt must end within its lease, or a second node could send the same event while the first still is.</summary>
    public string? Inconsistency() =>
        Lanes < 1 ? $"{Section}:{nameof(Lanes)} must be at least 1"
        : TimeoutSeconds <= 0 ? $"{Section}:{nameof(TimeoutSeconds)} must be positive"
        : QuickRetries < 0 ? $"{Section}:{nameof(QuickRetries)} must not be negative"
        : LongestAttempt >= Lease
            ? $"{Section}:{nameof(LeaseSeconds)} ({LeaseSeconds:0.#} s) must be longer than the longest attempt: ({QuickRetries} quick retries + 1) × " +
              $"{nameof(TimeoutSeconds)} ({TimeoutSeconds:0.#} s) + the retries' longest waits = {LongestAttempt.TotalSeconds:0.#} s; raise {nameof(LeaseSeconds)} or lower the others"
        : null;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 after <paramref name="attempt"/> failed ones.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var seconds = RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelayMinutes * 60));
    }
}

/// <summary>Refuses to start with <see cref="WebhookOptions"/> that cannot work (<see cref="WebhookOptions.Inconsistency"/>).</summary>
internal sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options) =>
        options.Inconsistency() is { } why ? ValidateOptionsResult.Fail(why) : ValidateOptionsResult.Success;
}
