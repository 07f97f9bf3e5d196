using Microsoft.EntityFrameworkCore;

namespace Trellis.Data;

/// <summary>
/// Work that one node at a time does for every node sharing the database (several <c>trellis serve</c> processes on one
/// PostgreSQL). On PostgreSQL it is a session advisory lock held on the context's connection, so a node that dies releases
/// it with its connection; a second node waits for it and then finds the work done. On SQLite (one node) it takes nothing:
/// the callers' in-process gates already serialise the work.
/// </summary>
public sealed class ClusterLock : IAsyncDisposable
{
    /// <summary>The culture audit's decision snapshots (the engine fits per decision date).</summary>
    public const long Audit = 0x7472_656C_0001; // "trel" + 1

    private readonly TrellisDb? _db;
    private readonly long _key;

    private ClusterLock(TrellisDb? db, long key)
    {
        _db = db;
        _key = key;
    }

    /// <summary>Waits for the lock (the database's command timeout bounds the wait) and holds it until disposed.</summary>
    public static async Task<ClusterLock> TakeAsync(TrellisDb db, long key, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres) return new ClusterLock(null, key);
        // The lock belongs to the session: the connection stays open (and out of the pool) until the lock is released.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({key})", ct);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
        return new ClusterLock(db, key);
    }

    public async ValueTask DisposeAsync()
    {
        if (_db is null) return;
        try
        {
            await _db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({_key})", CancellationToken.None);
        }
        finally
        {
            // Closing also ends the lock if the unlock failed: Npgsql resets a pooled connection's session before reuse.
            await _db.Database.CloseConnectionAsync();
        }
    }
}
