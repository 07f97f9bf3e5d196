using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Data;

namespace Trellis.Webhooks;

/// <summary>
/// Delivers webhook deliveries from the outbox, in <see cref="WebhookOptions.Lanes"/> lanes at once. Each pass of a lane claims one endpoint with due work (a lease on its row, taken in
/// a transaction: <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, SQLite's single writer otherwise), sends its pending
/// deliveries oldest first and stops at the first failure, so an endpoint always receives its events in order and no two
/// nodes send to it at once. A failed attempt waits <see cref="WebhookOptions.RetryDelay"/> (doubling) and the delivery
/// is marked failed when the next try would fall more than <see cref="WebhookOptions.GiveUpAfter"/> after it was written.
/// A node that dies mid-delivery loses its lease when it expires; the delivery is then sent again with the same
/// <c>webhook-id</c> (at least once: receivers deduplicate by that id).
/// </summary>
internal sealed partial class WebhookWorker(
    IServiceScopeFactory scopes, IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookWorker> log) : BackgroundService
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery pass failed; retrying after the poll interval")]
    private static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {MessageId} to endpoint {Endpoint} failed after {Attempts} attempts: {Error}")]
    private static partial void GaveUp(ILogger logger, string messageId, int endpoint, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {Endpoint} disabled: its last {Failed} events all failed")]
    private static partial void Disabled(ILogger logger, int endpoint, int failed);

    public const string HttpClientName = "webhooks";
    private static readonly System.Diagnostics.Metrics.Meter Meter = new(Operations.OperationsSetup.MeterName);
    private static readonly System.Diagnostics.Metrics.Counter<long> Delivered = Meter.CreateCounter<long>("trellis.webhooks.delivered");
    private static readonly System.Diagnostics.Metrics.Counter<long> AttemptsFailed = Meter.CreateCounter<long>("trellis.webhooks.attempts_failed");
    private static readonly System.Diagnostics.Metrics.Counter<long> GivenUp = Meter.CreateCounter<long>("trellis.webhooks.given_up");
    private const int PerClaim = 100;
    /// <summary>This worker's name in leases: unique per process and per app instance.</summary>
    private readonly string _node = Truncate($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}", 100);

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[^length..];
    private WebhookOptions O => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (!O.Deliver) return;
        await Task.Yield();
        // Several lanes, each serving one claimed endpoint at a time: a slow or dead endpoint holds one lane for its
        // attempt, and the others go on delivering to every other endpoint. The lease keeps each endpoint in one lane.
        await Task.WhenAll(Enumerable.Range(0, O.Lanes).Select(_ => LaneAsync(stop)));
    }

    private async Task LaneAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await PassAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be briefly unreachable; nothing is lost, the rows wait for the next pass.
                PassFailed(log, e);
            }
            if (worked) continue;
            try { await WebhookSignal.WaitAsync(O.Poll, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One endpoint's due deliveries; false when no endpoint had any.</summary>
    internal async Task<bool> PassAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var endpointId = await ClaimAsync(db, ct);
        if (endpointId is not { } id) return false;
        // Another endpoint may have due work too: wake an idle lane to look while this one delivers.
        WebhookSignal.Nudge();
        try
        {
            await DeliverAsync(db, id, ct);
        }
        finally
        {
            var now = clock.GetUtcNow();
            // Keeps the release time: endpoints served longest ago are claimed first, so one busy endpoint starves none.
            await db.WebhookEndpoints.Where(e => e.Id == id && e.LeaseOwner == _node)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, (string?)null).SetProperty(e => e.LeaseUntil, now), CancellationToken.None);
        }
        return true;
    }

    private async Task<int?> ClaimAsync(TrellisDb db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var at = now.UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // An endpoint whose oldest pending delivery is due and that no live lease holds. On PostgreSQL the row is locked and
        // other nodes skip it instead of waiting; SQLite has one writer at a time, and its transactions begin IMMEDIATE.
        var candidates = db.Provider == DatabaseProvider.Postgres
            ? db.Database.SqlQuery<int>($"""
                SELECT e.id AS "Value" FROM webhook_endpoints e
                WHERE e.enabled AND (e.lease_owner IS NULL OR e.lease_until < {at})
                  AND (SELECT d.next_attempt_at FROM webhook_deliveries d
                       WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.id LIMIT 1) <= {at}
                ORDER BY e.lease_until NULLS FIRST, e.id LIMIT 1
                FOR UPDATE OF e SKIP LOCKED
                """)
            : db.Database.SqlQuery<int>($"""
                SELECT e.id AS "Value" FROM webhook_endpoints e
                WHERE e.enabled AND (e.lease_owner IS NULL OR e.lease_until < {at})
                  AND (SELECT d.next_attempt_at FROM webhook_deliveries d
                       WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.id LIMIT 1) <= {at}
                ORDER BY e.lease_until NULLS FIRST, e.id LIMIT 1
                """);
        var found = await candidates.ToListAsync(ct);
        if (found.Count == 0) return null;
        var id = found[0];
        var until = now + O.Lease;
        var claimed = await db.WebhookEndpoints.Where(e => e.Id == id && (e.LeaseOwner == null || e.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, _node).SetProperty(e => e.LeaseUntil, until), ct);
        await tx.CommitAsync(ct);
        return claimed == 1 ? id : null;
    }

    private async Task DeliverAsync(TrellisDb db, int endpointId, CancellationToken ct)
    {
        for (var sent = 0; sent < PerClaim; sent++)
        {
            var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == endpointId && e.Enabled, ct);
            if (endpoint is null) return;
            var delivery = await db.WebhookDeliveries.Include(d => d.Event)
                .Where(d => d.EndpointId == endpointId && d.Status == DeliveryStatus.Pending).OrderBy(d => d.Id).FirstOrDefaultAsync(ct);
            var now = clock.GetUtcNow();
            if (delivery is null || delivery.NextAttemptAt > now) return;
            // Keep the lease for this attempt; a node that lost it (it expired) stops before sending anything twice.
            var until = now + O.Lease;
            if (await db.WebhookEndpoints.Where(e => e.Id == endpointId && e.LeaseOwner == _node)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseUntil, until), ct) == 0) return;

            var result = await SendAsync(endpoint, delivery.Event!, ct);
            var after = clock.GetUtcNow();
            delivery.Attempts++;
            delivery.LastAttemptAt = now;
            delivery.ResponseCode = result.Status;
            delivery.LastError = result.Error is { Length: > 500 } e ? e[..500] : result.Error;
            if (result.Ok)
            {
                delivery.Status = DeliveryStatus.Delivered;
                delivery.DeliveredAt = after;
                Delivered.Add(1);
                await db.SaveChangesAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                continue;
            }
            AttemptsFailed.Add(1);
            var next = after + O.RetryDelay(delivery.Attempts);
            if (next - delivery.CreatedAt > O.GiveUpAfter)
            {
                delivery.Status = DeliveryStatus.Failed;
                GivenUp.Add(1);
                var error = delivery.LastError ?? $"HTTP {delivery.ResponseCode}";
                GaveUp(log, delivery.Event!.MessageId, endpointId, delivery.Attempts, error);
                await db.SaveChangesAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                await DisableIfFailingAsync(db, endpointId, after, ct);
                continue; // the next event may go now (unless the endpoint was just disabled)
            }
            delivery.NextAttemptAt = next;
            await db.SaveChangesAsync(CancellationToken.None);
            // In order: nothing later goes to this endpoint before this one is delivered or given up.
            return;
        }
    }

    /// <summary>
    /// Disables an endpoint whose last <see cref="WebhookOptions.DisableAfterFailedEvents"/> settled deliveries all failed:
    /// a dead endpoint is not tried for days per event forever. An admin resumes it (the audit log says why it stopped);
    /// deliveries attempted before the resume do not count again (<see cref="WebhookEndpoint.ResumedAt"/>).
    /// </summary>
    private async Task DisableIfFailingAsync(TrellisDb db, int endpointId, DateTimeOffset now, CancellationToken ct)
    {
        var n = O.DisableAfterFailedEvents;
        if (n <= 0) return;
        var resumedAt = await db.WebhookEndpoints.Where(e => e.Id == endpointId).Select(e => e.ResumedAt).FirstOrDefaultAsync(ct);
        var last = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.EndpointId == endpointId && d.Status != DeliveryStatus.Pending && (resumedAt == null || d.LastAttemptAt >= resumedAt))
            .OrderByDescending(d => d.Id).Take(n).Select(d => d.Status).ToListAsync(ct);
        if (last.Count < n || last.Any(s => s != DeliveryStatus.Failed)) return;
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == endpointId && e.Enabled, ct);
        if (endpoint is null) return;
        endpoint.Enabled = false;
        db.AuditLog.Add(new AuditLogEntry
        {
            At = now, Action = "webhook.disable",
            Detail = $"endpoint {endpointId} ({endpoint.Url}): its last {n} events all failed; resume it on /admin/webhooks or with PATCH enabled=true",
        });
        await db.SaveChangesAsync(CancellationToken.None);
        db.ChangeTracker.Clear();
        Disabled(log, endpointId, n);
    }

    private sealed record SendResult(bool Ok, int? Status, string? Error);

    private async Task<SendResult> SendAsync(WebhookEndpoint endpoint, OutboxEvent e, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var secrets = new List<string> { endpoint.Secret };
        if (endpoint.PreviousSecret is { } old && endpoint.PreviousSecretUntil > clock.GetUtcNow()) secrets.Add(old);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(e.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", e.MessageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigner.Header(secrets, e.MessageId, timestamp, e.Body));
        request.Headers.UserAgent.ParseAdd("Trellis-Webhooks/1");
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return new(response.IsSuccessStatusCode, code, response.IsSuccessStatusCode ? null : $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (HttpRequestException x)
        {
            return new(false, null, x.Message);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new(false, null, $"no answer within {O.TimeoutSeconds:0.#} s");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(false, null, "the request was cancelled");
        }
    }
}
