using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Trellis.Data;

namespace Trellis.Webhooks;

/// <summary>
/// The events of one unit of work (<c>db.Outbox.Add(...)</c>). When the context saves, the change is written first (so
/// its ids exist), then each event and one delivery per subscribed endpoint, all in one transaction: an event exists
/// if and only if its change committed. Events nobody subscribes to are not stored.
/// </summary>
public sealed class Outbox(TrellisDb db)
{
    private readonly List<PendingEvent> _pending = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Adds an event; null (an event that is not sent, e.g. an outcome private to its candidate) adds nothing.</summary>
    public void Add(PendingEvent? e)
    {
        if (e is not null) _pending.Add(e);
    }

    internal bool HasPending => _pending.Count > 0;

    /// <summary>Runs <paramref name="save"/> and writes the pending events after it, inside the caller's transaction or one of its own.</summary>
    internal async Task<int> SaveWithEventsAsync(Func<CancellationToken, Task<int>> save, CancellationToken ct)
    {
        var events = _pending.ToList();
        _pending.Clear(); // a failed save must not send its events with a later one
        IDbContextTransaction? own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var written = await save(ct);
            if (await StageAsync(events, ct) > 0) written += await save(ct);
            if (own is not null) await own.CommitAsync(ct);
            // Inside a caller's transaction this wakes the worker early, and its next poll finds the rows once committed.
            WebhookSignal.Nudge();
            return written;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>Adds the events and their deliveries to the context; the number of events kept.</summary>
    private async Task<int> StageAsync(List<PendingEvent> events, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).Select(e => new { e.Id, e.Events }).ToListAsync(ct);
        var subscribers = EventTypes.All.ToDictionary(t => t, t => endpoints.Where(e => Subscribes(e.Events, t)).Select(e => e.Id).ToList());
        var kept = 0;
        var now = DateTimeOffset.UtcNow;
        foreach (var pending in events)
        {
            if (!subscribers.TryGetValue(pending.Type, out var ids) || ids.Count == 0) continue;
            var row = NewEvent(pending.Type, await pending.Data(db, ct), now);
            db.OutboxEvents.Add(row);
            foreach (var id in ids)
                db.WebhookDeliveries.Add(NewDelivery(id, row, now));
            kept++;
        }
        return kept;
    }

    public static bool Subscribes(string events, string type) => events.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(type);

    public static OutboxEvent NewEvent(string type, object data, DateTimeOffset now)
    {
        // The envelope of the Standard Webhooks specification: type, timestamp, data.
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var body = JsonSerializer.Serialize(new Envelope(type, timestamp, data), Json);
        return new OutboxEvent { MessageId = "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), Type = type, Body = body, CreatedAt = now };
    }

    private sealed record Envelope(string Type, string Timestamp, object Data);

    public static WebhookDelivery NewDelivery(int endpointId, OutboxEvent e, DateTimeOffset now) => new()
    {
        EndpointId = endpointId, Event = e, Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
    };
}

/// <summary>Wakes this process's delivery worker after a commit that added deliveries; other nodes find them on their next poll.</summary>
public static class WebhookSignal
{
    private static readonly SemaphoreSlim Signal = new(0, 1);

    public static void Nudge()
    {
        if (Signal.CurrentCount == 0)
        {
            try { Signal.Release(); } catch (SemaphoreFullException) { } // already nudged
        }
    }

    public static Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => Signal.WaitAsync(timeout, ct);
}
