using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Webhooks;

/// <summary>Admin operations on webhook endpoints: add, change (pause, resume), list, remove, rotate the secret, send a test event, list and replay deliveries.</summary>
public sealed class WebhookService(TrellisDb db, Viewer viewer, TimeProvider clock, IOptions<WebhookOptions> options)
{
    public const int DeliveriesShown = 200;

    public async Task<IReadOnlyList<WebhookView>> ListAsync(CancellationToken ct = default)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct);
        var stats = await db.WebhookDeliveries.AsNoTracking().GroupBy(d => d.EndpointId)
            .Select(g => new
            {
                Id = g.Key,
                Pending = g.Count(d => d.Status == DeliveryStatus.Pending),
                Failed = g.Count(d => d.Status == DeliveryStatus.Failed),
                Last = g.Max(d => d.DeliveredAt),
            }).ToDictionaryAsync(x => x.Id, ct);
        return endpoints.Select(e => View(e, stats.TryGetValue(e.Id, out var s) ? (s.Pending, s.Failed, s.Last) : (0, 0, null))).ToList();
    }

    public async Task<Outcome<WebhookView>> GetAsync(int id, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(e => e.Id == id) is { } view ? view : NoEndpoint(id);

    public async Task<Outcome<CreatedWebhook>> CreateAsync(CreateWebhookRequest request, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        var errors = new Dictionary<string, string[]>();
        if (await UrlErrorAsync(request.Url, ct) is { } urlError) errors["url"] = [urlError];
        var events = Events(request.Events);
        if (EventsError(events) is { } eventsError) errors["events"] = [eventsError];
        var description = Description(request.Description);
        if (description is { Length: > 500 }) errors["description"] = ["description is longer than 500 characters"];
        if (errors.Count > 0) return Problem.Invalid(errors, "The webhook endpoint is not valid.");

        var endpoint = new WebhookEndpoint
        {
            Url = request.Url!.Trim(), Events = string.Join(' ', events), Description = description, Secret = WebhookSigner.NewSecret(),
            CreatedAt = clock.GetUtcNow(), CreatedBy = viewer.EmployeeId,
        };
        db.WebhookEndpoints.Add(endpoint);
        db.AuditLog.Add(new AuditLogEntry { At = endpoint.CreatedAt, ActorEmployeeId = viewer.EmployeeId, Action = "webhook.add", Detail = $"{endpoint.Url} ({endpoint.Events})" });
        await db.SaveChangesAsync(ct);
        return Outcome<CreatedWebhook>.New(new CreatedWebhook(endpoint.Id, endpoint.Url, events, description, endpoint.Secret, endpoint.CreatedAt));
    }

    /// <summary>Changes the fields given. A paused endpoint (<c>enabled: false</c>) is sent nothing and no events are queued for it; its pending deliveries wait for it to resume.</summary>
    public async Task<Outcome<WebhookView>> UpdateAsync(int id, UpdateWebhookRequest request, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return NoEndpoint(id);
        if (request.Url is null && request.Events is null && request.Description is null && request.Enabled is null)
            return Problem.Invalid("webhook", "nothing to change: give url, events, description or enabled");
        var errors = new Dictionary<string, string[]>();
        if (request.Url is not null && await UrlErrorAsync(request.Url, ct) is { } urlError) errors["url"] = [urlError];
        var events = request.Events is null ? null : Events(request.Events);
        if (events is not null && EventsError(events) is { } eventsError) errors["events"] = [eventsError];
        var description = request.Description is null ? endpoint.Description : Description(request.Description);
        if (description is { Length: > 500 }) errors["description"] = ["description is longer than 500 characters"];
        if (errors.Count > 0) return Problem.Invalid(errors, "The webhook endpoint is not valid.");

        var changed = new List<string>();
        var url = request.Url?.Trim();
        if (url is not null && url != endpoint.Url)
        {
            endpoint.Url = url;
            changed.Add($"url {url}");
        }
        var joined = events is null ? null : string.Join(' ', events);
        if (joined is not null && joined != endpoint.Events)
        {
            endpoint.Events = joined;
            changed.Add($"events {joined}");
        }
        if (description != endpoint.Description)
        {
            endpoint.Description = description;
            changed.Add("description");
        }
        if (request.Enabled is { } enabled && enabled != endpoint.Enabled)
        {
            endpoint.Enabled = enabled;
            // The failures that stopped it are the reason it was resumed, not a head start on the next disable.
            if (enabled) endpoint.ResumedAt = clock.GetUtcNow();
            changed.Add(enabled ? "resumed (failures counted afresh)" : "paused");
        }
        if (changed.Count > 0)
        {
            db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = viewer.EmployeeId, Action = "webhook.update", Detail = $"endpoint {id}: {string.Join("; ", changed)}" });
            await db.SaveChangesAsync(ct);
            if (endpoint.Enabled) WebhookSignal.Nudge(); // a resumed endpoint's pending deliveries go now
        }
        return await GetAsync(id, ct);
    }

    public async Task<Outcome<bool>> DeleteAsync(int id, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return NoEndpoint(id);
        db.WebhookEndpoints.Remove(endpoint); // its deliveries go with it (cascade)
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = viewer.EmployeeId, Action = "webhook.remove", Detail = endpoint.Url });
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<Outcome<RotatedSecret>> RotateSecretAsync(int id, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null) return NoEndpoint(id);
        var now = clock.GetUtcNow();
        // A second rotation would overwrite the previous secret and end its grace early: receivers still on it would fail.
        if (endpoint.PreviousSecret is not null && endpoint.PreviousSecretUntil > now)
            return Problem.Conflict($"The previous secret of webhook endpoint {id} still signs until {endpoint.PreviousSecretUntil.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC; " +
                                    "rotate again after that. To replace a leaked secret at once, remove the endpoint and add it again.");
        endpoint.PreviousSecret = endpoint.Secret;
        endpoint.PreviousSecretUntil = now.AddHours(options.Value.PreviousSecretHours);
        endpoint.Secret = WebhookSigner.NewSecret();
        db.AuditLog.Add(new AuditLogEntry { At = now, ActorEmployeeId = viewer.EmployeeId, Action = "webhook.rotate_secret", Detail = endpoint.Url });
        await db.SaveChangesAsync(ct);
        return new RotatedSecret(id, endpoint.Secret, endpoint.PreviousSecretUntil.Value);
    }

    /// <summary>Queues a <c>webhook.test</c> event for this endpoint only.</summary>
    public async Task<Outcome<DeliveryView>> SendTestAsync(int id, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct)) return NoEndpoint(id);
        var now = clock.GetUtcNow();
        var e = Outbox.NewEvent(EventTypes.Test, new TestData(id, $"Test event sent by {viewer.Name} from Trellis"), now);
        var delivery = Outbox.NewDelivery(id, e, now);
        db.OutboxEvents.Add(e);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        WebhookSignal.Nudge();
        return ToView(delivery, e);
    }

    public async Task<Outcome<IReadOnlyList<DeliveryView>>> DeliveriesAsync(int id, string? status, CancellationToken ct = default)
    {
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct)) return NoEndpoint(id);
        if (status is not null && status is not (DeliveryStatus.Pending or DeliveryStatus.Delivered or DeliveryStatus.Failed))
            return Problem.Invalid("status", "status must be pending, delivered or failed");
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id);
        if (status is not null) query = query.Where(d => d.Status == status);
        var rows = await query.OrderByDescending(d => d.Id).Take(DeliveriesShown)
            .Select(d => new { D = d, d.Event!.MessageId, d.Event.Type }).ToListAsync(ct);
        return rows.Select(r => ToView(r.D, r.MessageId, r.Type)).ToList();
    }

    /// <summary>Sends a delivery's event to its endpoint again, as a new delivery at the end of the endpoint's queue (same <c>webhook-id</c>).</summary>
    public async Task<Outcome<DeliveryView>> ReplayAsync(int id, long deliveryId, CancellationToken ct = default)
    {
        if (!viewer.IsAdmin) return Problem.Forbidden("Only admins manage webhooks.");
        var original = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Event).FirstOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == id, ct);
        if (original is null) return Problem.NotFound($"Webhook endpoint {id} has no delivery {deliveryId}.");
        var now = clock.GetUtcNow();
        var replay = new WebhookDelivery { EndpointId = id, EventId = original.EventId, Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now };
        db.WebhookDeliveries.Add(replay);
        db.AuditLog.Add(new AuditLogEntry { At = now, ActorEmployeeId = viewer.EmployeeId, Action = "webhook.replay", Detail = $"endpoint {id}, {original.Event!.MessageId}" });
        await db.SaveChangesAsync(ct);
        WebhookSignal.Nudge();
        return ToView(replay, original.Event);
    }

    private async Task<string?> UrlErrorAsync(string? url, CancellationToken ct) =>
        url?.Trim() is { Length: > WebhookEndpoint.UrlMaxLength }
            ? $"url is longer than {WebhookEndpoint.UrlMaxLength} characters" // the column's limit: PostgreSQL would refuse it with a 500
            : await UrlPolicy.CheckAsync(url, options.Value, ct);

    private static List<string> Events(IReadOnlyList<string>? events) =>
        (events ?? []).Select(e => e.Trim()).Where(e => e.Length > 0).Distinct().ToList();

    private static string? EventsError(List<string> events)
    {
        var unknown = events.Where(e => !EventTypes.All.Contains(e)).ToList();
        return events.Count == 0 ? $"events is required: one or more of {string.Join(", ", EventTypes.All)}"
            : unknown.Count > 0 ? $"unknown event(s): {string.Join(", ", unknown)} (known: {string.Join(", ", EventTypes.All)})"
            : null;
    }

    private static string? Description(string? description) => string.IsNullOrWhiteSpace(description) ? null : description.Trim();

    private static WebhookView View(WebhookEndpoint e, (int Pending, int Failed, DateTimeOffset? Last) s) =>
        new(e.Id, e.Url, e.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries), e.Description, e.Enabled, e.CreatedAt, e.CreatedBy,
            e.PreviousSecretUntil, s.Pending, s.Failed, s.Last);

    private static DeliveryView ToView(WebhookDelivery d, OutboxEvent e) => ToView(d, e.MessageId, e.Type);

    private static DeliveryView ToView(WebhookDelivery d, string messageId, string type) =>
        new(d.Id, messageId, type, d.Status, d.Attempts, d.ResponseCode, d.LastError, d.CreatedAt, d.LastAttemptAt,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt);

    private static Problem NoEndpoint(int id) => Problem.NotFound($"There is no webhook endpoint {id}.");
}
