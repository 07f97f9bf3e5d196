using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Webhooks;

/// <summary>
/// <c>employee.changed</c> for a bulk write (the import): the employees as they were before, the ids the write touched, and
/// after the write (inside its transaction) one event per employee added or whose name, manager, department, track, level or
/// status changed. Does nothing, and reads nothing, when no endpoint subscribes.
/// </summary>
public sealed class EmployeeChanges
{
    private readonly Dictionary<string, EmployeeChangedData> _before;
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

    private EmployeeChanges(Dictionary<string, EmployeeChangedData> before) => _before = before;

    /// <summary>Null when no enabled endpoint receives <c>employee.changed</c>.</summary>
    public static async Task<EmployeeChanges?> StartAsync(TrellisDb db, CancellationToken ct)
    {
        var subscribed = (await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).Select(e => e.Events).ToListAsync(ct))
            .Any(events => Outbox.Subscribes(events, EventTypes.EmployeeChanged));
        return subscribed ? new EmployeeChanges(await SnapshotAsync(db, null, ct)) : null;
    }

    /// <summary>The row callback of the employees file: notes the id in its first column.</summary>
    public void Row(object?[] values)
    {
        if (values[0] is string id) _touched.Add(id);
    }

    /// <summary>Adds the events to the outbox; the caller's next save writes them in its transaction.</summary>
    public async Task AddEventsAsync(TrellisDb db, CancellationToken ct)
    {
        if (_touched.Count == 0) return;
        var after = await SnapshotAsync(db, _touched, ct);
        foreach (var id in _touched.Order(StringComparer.Ordinal))
        {
            if (!after.TryGetValue(id, out var now)) continue;
            if (!_before.TryGetValue(id, out var was)) db.Outbox.Add(WebhookEvents.EmployeeChanged(now with { Change = "added" }));
            else if (was != now) db.Outbox.Add(WebhookEvents.EmployeeChanged(now));
        }
    }

    private static async Task<Dictionary<string, EmployeeChangedData>> SnapshotAsync(TrellisDb db, HashSet<string>? only, CancellationToken ct)
    {
        var result = new Dictionary<string, EmployeeChangedData>(StringComparer.Ordinal);
        await foreach (var e in db.Employees.AsNoTracking()
                           .Select(e => new EmployeeChangedData(e.Id, e.Name, e.Track, e.Level, e.ManagerId, e.Department, e.Status, "updated"))
                           .AsAsyncEnumerable().WithCancellation(ct))
            if (only is null || only.Contains(e.EmployeeId)) result[e.EmployeeId] = e;
        return result;
    }
}
