using Microsoft.EntityFrameworkCore;
using Trellis.Core.Organisation;
using Trellis.Data;

namespace Trellis.People;

/// <summary>
/// The active organisation as compact arrays plus its <see cref="OrgStructure"/>: what the org chart, the span of
/// control and the report counts of the directory need, without touching the database per person.
/// </summary>
public sealed class OrgSnapshot
{
    private readonly ReportingLines _active;

    public OrgSnapshot(string[] ids, string[] names, string?[] titles, string?[] departments, string[] tracks, string[] levels, string?[] managerIds)
    {
        Ids = ids;
        Names = names;
        Titles = titles;
        Departments = departments;
        Tracks = tracks;
        Levels = levels;
        _active = new ReportingLines(ids, managerIds);
        Structure = _active.Structure;
        DepartmentNames = departments.Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()!;
    }

    public string[] Ids { get; }
    public string[] Names { get; }
    public string?[] Titles { get; }
    public string?[] Departments { get; }
    public string[] Tracks { get; }
    public string[] Levels { get; }
    public OrgStructure Structure { get; }
    public IReadOnlyList<string> DepartmentNames { get; }

    public int Count => Ids.Length;

    /// <summary>Everyone, active and left, for the directory's search and filters.</summary>
    public DirectoryIndex Directory { get; init; } = new([]);

    /// <summary>Everyone in the employee table, active and left, in ordinal id order (what <see cref="Lines"/> is built from).</summary>
    public IReadOnlyList<DirectoryIndex.Entry> Everyone { get; init; } = [];

    /// <summary>
    /// The reporting line over everyone in the employee table, leavers included: the links that access through the
    /// line follows (<see cref="Accounts.ReportingLine"/> walks the same ones in the database for one person). Built on
    /// first use and kept with the snapshot, so listing a senior manager's line costs no walk of the database.
    /// </summary>
    public ReportingLines Lines => Memo(typeof(ReportingLines), () =>
        new ReportingLines([.. Everyone.Select(e => e.Id)], [.. Everyone.Select(e => e.ManagerId)]));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<object, object> _memo = new();

    /// <summary>
    /// A value derived from this snapshot alone (plus whatever <paramref name="key"/> names, e.g. a framework version),
    /// computed once and kept as long as the snapshot is in use: a new snapshot starts with none.
    /// </summary>
    public T Memo<T>(object key, Func<T> build) where T : class =>
        ((Lazy<T>)_memo.GetOrAdd(key, _ => new Lazy<T>(build))).Value;

    /// <summary>The index of an active employee, or null.</summary>
    public int? IndexOf(string? id) => _active.IndexOf(id);

    public int DirectReports(string id) => IndexOf(id) is { } i ? Structure.DirectReports(i) : 0;
    public int TotalReports(string id) => IndexOf(id) is { } i ? Structure.TotalReports(i) : 0;
}

/// <summary>
/// Caches the <see cref="OrgSnapshot"/> (a singleton). Each use reads the employees' <see cref="TableRevision"/>, which database
/// triggers raise on every write to employees whichever path or process makes it (a hire, a leaver, a move, a rename,
/// a bulk import, a SCIM update, another web node), and reloads when it changed: one primary-key read per request,
/// whatever the size of the organisation. Pages that can say so use <see cref="GetOrLoadingAsync"/>: right after
/// start, before the first snapshot is loaded (seconds at 100,000 people), they show a short "loading" state instead
/// of waiting.
/// </summary>
public sealed class OrgSnapshots(IServiceScopeFactory scopes) : IDisposable
{
    public void Dispose() => _gate.Dispose();

    /// <summary>How long <see cref="GetOrLoadingAsync"/> waits for a first snapshot before the page shows "loading".</summary>
    public static readonly TimeSpan LoadingWait = TimeSpan.FromMilliseconds(300);

    private sealed record Entry(OrgSnapshot Snapshot, long Revision);

    private volatile Entry? _entry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task _background = Task.CompletedTask;
    private readonly Lock _backgroundLock = new();

    /// <summary>Drops the cached snapshot; the next request rebuilds it.</summary>
    public void Invalidate() => _entry = null;

    private volatile bool _loadingState;

    /// <summary>
    /// Lets <see cref="GetOrLoadingAsync"/> answer "still loading": <c>trellis serve</c> turns it on when it starts loading the
    /// organisation in the background after start. Without it (the CLI, the tests, which seed after start) pages wait.
    /// </summary>
    public void AllowLoadingState() => _loadingState = true;

    public async Task<OrgSnapshot> GetAsync(TrellisDb db, CancellationToken ct = default)
    {
        var revision = await TableRevision.ReadAsync(db, TableRevision.Employees, ct);
        if (_entry is { } cached && cached.Revision == revision) return cached.Snapshot;
        await _gate.WaitAsync(ct);
        try
        {
            if (_entry is { } again && again.Revision == revision) return again.Snapshot;
            return await LoadEntryAsync(db, revision, ct);
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// The snapshot, or null while the first one is still loading (after <see cref="LoadingWait"/>): the page then shows
    /// a short "loading" state and asks again. Once a snapshot exists this is <see cref="GetAsync"/>.
    /// </summary>
    public async Task<OrgSnapshot?> GetOrLoadingAsync(TrellisDb db, CancellationToken ct = default)
    {
        if (_entry is not null || !_loadingState) return await GetAsync(db, ct);
        var load = StartBackgroundLoad();
        await Task.WhenAny(load, Task.Delay(LoadingWait, ct));
        return _entry is null ? null : await GetAsync(db, ct);
    }

    private Task StartBackgroundLoad()
    {
        lock (_backgroundLock)
        {
            if (!_background.IsCompleted) return _background;
            _background = Task.Run(async () =>
            {
                await _gate.WaitAsync();
                try
                {
                    using var scope = scopes.CreateScope();
                    var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
                    await LoadEntryAsync(db, await TableRevision.ReadAsync(db, TableRevision.Employees), default);
                }
                catch (Exception)
                {
                    // The snapshot served so far stays; the next request that needs a fresh one loads it itself.
                }
                finally { _gate.Release(); }
            });
            return _background;
        }
    }

    private async Task<OrgSnapshot> LoadEntryAsync(TrellisDb db, long revision, CancellationToken ct)
    {
        // The revision is read before the rows: a write committed meanwhile raises it again, so the next use reloads.
        var snapshot = await LoadAsync(db, ct);
        _entry = new Entry(snapshot, revision);
        return snapshot;
    }

    public static async Task<OrgSnapshot> LoadAsync(TrellisDb db, CancellationToken ct = default)
    {
        var everyone = await db.Employees.AsNoTracking()
            .Select(e => new DirectoryIndex.Entry(e.Id, e.Name, e.Email, e.Title, e.Department, e.Track, e.Level, e.ManagerId, e.Status))
            .ToListAsync(ct);
        // Ordinal order makes indexes (and so every tie-break) the same on both providers.
        everyone.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var rows = everyone.Where(e => e.Status == EmployeeStatus.Active).ToList();
        return new OrgSnapshot(
            rows.Select(r => r.Id).ToArray(), rows.Select(r => r.Name).ToArray(), rows.Select(r => r.Title).ToArray(),
            rows.Select(r => r.Department).ToArray(), rows.Select(r => r.Track).ToArray(), rows.Select(r => r.Level).ToArray(),
            rows.Select(r => r.ManagerId).ToArray()) { Directory = new DirectoryIndex(everyone), Everyone = everyone };
    }
}

/// <summary>
/// Who is below whom among a set of people, by id: the active organisation (<see cref="OrgSnapshot.Structure"/>) or
/// everyone in the employee table (<see cref="OrgSnapshot.Lines"/>). A manager outside the set counts as none.
/// </summary>
public sealed class ReportingLines
{
    private readonly Dictionary<string, int> _index;
    private readonly string[] _ids;
    private readonly OrgStructure _structure;

    public ReportingLines(string[] ids, IReadOnlyList<string?> managerIds)
    {
        _ids = ids;
        _index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++) _index[ids[i]] = i;
        var managerOf = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
            managerOf[i] = managerIds[i] is { } m && _index.TryGetValue(m, out var k) ? k : -1;
        _structure = OrgStructure.Build(managerOf);
    }

    /// <summary>The structure over the set, by index in the ids given.</summary>
    public OrgStructure Structure => _structure;

    /// <summary>The index of someone in the set, or null.</summary>
    public int? IndexOf(string? id) => id is not null && _index.TryGetValue(id, out var i) ? i : null;

    /// <summary>True when <paramref name="managerId"/> is above <paramref name="personId"/> (directly or not); never for oneself.</summary>
    public bool IsAbove(string managerId, string personId) =>
        _index.TryGetValue(managerId, out var m) && _index.TryGetValue(personId, out var p) && _structure.IsAbove(m, p);

    /// <summary>How many people are below <paramref name="managerId"/>, directly or not.</summary>
    public int TotalReports(string managerId) => _index.TryGetValue(managerId, out var m) ? _structure.TotalReports(m) : 0;

    /// <summary>Everyone below <paramref name="managerId"/>, directly or not, breadth first.</summary>
    public List<string> ReportsOf(string managerId) =>
        _index.TryGetValue(managerId, out var m) ? [.. _structure.ReportsOf(m).Select(i => _ids[i])] : [];
}
