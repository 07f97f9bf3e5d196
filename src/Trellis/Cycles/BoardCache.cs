using System.Collections.Concurrent;

namespace Trellis.Cycles;

/// <summary>
/// The database part of a calibration board (nominations with names, latest results, concern markers), kept per cycle
/// under the cycle's <c>revision</c>. Every nomination, answer, decision and publication raises the revision in the
/// database, so every node sees those changes on its next read. Results and concerns are imported by other features and
/// do not raise it: an entry is therefore used for at most <see cref="MaxAge"/>. Readiness is never cached here.
/// </summary>
public sealed class BoardCache(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private sealed record Entry(int Revision, DateTimeOffset At, IReadOnlyList<CalibrationBoard.BoardRowData> Rows);

    private readonly ConcurrentDictionary<int, Entry> _entries = new();

    public List<CalibrationBoard.BoardRowData>? Get(int cycleId, int revision) =>
        _entries.TryGetValue(cycleId, out var e) && e.Revision == revision && clock.GetUtcNow() - e.At < MaxAge ? [.. e.Rows] : null;

    public void Put(int cycleId, int revision, List<CalibrationBoard.BoardRowData> rows) =>
        _entries[cycleId] = new Entry(revision, clock.GetUtcNow(), rows.ToArray());
}
