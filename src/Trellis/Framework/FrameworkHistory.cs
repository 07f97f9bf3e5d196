using Microsoft.EntityFrameworkCore;
using Trellis.Core.Framework;
using Trellis.Data;

namespace Trellis.Framework;

/// <summary>
/// The framework's versions: listing, reading and diffing them, and every write (a whole document or one
/// behaviour or level), each of which stores a new version. The API and the pages both call this.
/// </summary>
public sealed class FrameworkHistory(TrellisDb db, FrameworkStore store, TimeProvider clock)
{
    public const int MaxNoteLength = 500;

    // Serialises writes on this node; PostgreSQL additionally takes an advisory lock so that several nodes serialise too.
    private static readonly SemaphoreSlim WriteGate = new(1, 1);
    private const string PostgresLock = "SELECT pg_advisory_xact_lock(7472656)"; // an arbitrary key reserved for framework writes

    public async Task<IReadOnlyList<FrameworkVersionSummary>> ListAsync(CancellationToken ct = default)
    {
        var rows = await db.FrameworkVersions.AsNoTracking().OrderByDescending(v => v.Id)
            .Select(v => new { v.Id, v.Label, v.Name, v.CreatedAt, v.CreatedBy, v.Note })
            .ToListAsync(ct);
        var names = await NamesAsync(rows.Select(r => r.CreatedBy), ct);
        var current = rows.Count > 0 ? rows[0].Id : 0;
        return rows.Select(r => new FrameworkVersionSummary(r.Id, r.Label, r.Name, r.CreatedAt, r.CreatedBy,
            r.CreatedBy is not null && names.TryGetValue(r.CreatedBy, out var n) ? n : null, r.Note, r.Id == current)).ToList();
    }

    /// <summary>One stored version, or null when there is no version with that id.</summary>
    public async Task<StoredFramework?> GetAsync(int id, CancellationToken ct = default)
    {
        var row = await db.FrameworkVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct);
        return row is null ? null : await ToStoredAsync(row, ct);
    }

    /// <summary>The current version read from the database (not the cache: writes must start from what is really current).</summary>
    public async Task<StoredFramework?> CurrentAsync(CancellationToken ct = default)
    {
        var row = await db.FrameworkVersions.AsNoTracking().OrderByDescending(v => v.Id).FirstOrDefaultAsync(ct);
        return row is null ? null : await ToStoredAsync(row, ct);
    }

    /// <summary>The version just before <paramref name="id"/>, if any.</summary>
    public Task<int?> PreviousIdAsync(int id, CancellationToken ct = default) =>
        db.FrameworkVersions.Where(v => v.Id < id).OrderByDescending(v => v.Id).Select(v => (int?)v.Id).FirstOrDefaultAsync(ct);

    public async Task<FrameworkDiffResponse?> DiffAsync(int from, int to, CancellationToken ct = default)
    {
        var a = await GetAsync(from, ct);
        var b = await GetAsync(to, ct);
        if (a is null || b is null) return null;
        return new(a.Version, b.Version, FrameworkDiff.Compare(a.Framework, b.Framework));
    }

    /// <summary>Replaces the whole document with <paramref name="json"/>; problems are keyed by JSON path.</summary>
    public async Task<FrameworkWrite> SaveDocumentAsync(string json, string by, string? note, int? baseVersion, CancellationToken ct = default)
    {
        var parsed = FrameworkJson.Parse(json);
        var errors = FrameworkEdits.ErrorsByPath(parsed.Problems).ToDictionary();
        AddNoteError(errors, note);
        if (parsed.Framework is null || errors.Count > 0) return new FrameworkWrite.Invalid(errors);
        return await SaveAsync(parsed.Framework, by, note, baseVersion, checkReferences: true, ("framework.replaced", parsed.Framework.Version), ct);
    }

    public Task<FrameworkWrite> EditBehaviorAsync(string key, BehaviorChange change, string by, string? note, int? baseVersion, CancellationToken ct = default) =>
        ApplyAsync(f => FrameworkEdits.EditBehavior(f, key, change), $"There is no behaviour '{key}'", "framework.behavior_edited", key, by, note, baseVersion, ct);

    public Task<FrameworkWrite> EditLevelAsync(string key, LevelChange change, string by, string? note, int? baseVersion, CancellationToken ct = default) =>
        ApplyAsync(f => FrameworkEdits.EditLevel(f, key, change), $"There is no level '{key}'", "framework.level_edited", key, by, note, baseVersion, ct);

    /// <summary>
    /// One structural edit (add, rename, move, retire or remove a value, behaviour or level) applied to the current
    /// version and stored as a new one, under the same checks as an import: the document must validate, and nothing
    /// people or evidence still refer to may disappear. <paramref name="action"/> names the audit-log entry.
    /// </summary>
    public async Task<FrameworkWrite> ApplyAsync(Func<CareerFramework, FrameworkEditResult?> edit, string notFound, string action, string subject,
        string by, string? note, int? baseVersion, CancellationToken ct = default)
    {
        var current = await CurrentAsync(ct);
        if (current is null) return NoFramework;
        var edited = edit(current.Framework);
        if (edited is null) return new FrameworkWrite.NotFound($"{notFound} in the current framework (version {current.Version.Id}).");
        var errors = edited.Errors.ToDictionary();
        AddNoteError(errors, note);
        if (errors.Count > 0) return new FrameworkWrite.Invalid(errors);
        return await SaveAsync(edited.Framework, by, note, baseVersion ?? current.Version.Id, checkReferences: true, (action, subject), ct);
    }

    private static FrameworkWrite NoFramework => new FrameworkWrite.NotFound("No career framework has been imported yet.");

    private static void AddNoteError(Dictionary<string, string[]> errors, string? note)
    {
        if (note is { Length: > MaxNoteLength })
            errors["note"] = [$"must be at most {MaxNoteLength} characters (got {note.Length})"];
    }

    private async Task<FrameworkWrite> SaveAsync(CareerFramework framework, string by, string? note, int? baseVersion, bool checkReferences,
        (string Action, string Subject) audit, CancellationToken ct)
    {
        await WriteGate.WaitAsync(ct);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (db.Provider == DatabaseProvider.Postgres)
                await db.Database.ExecuteSqlRawAsync(PostgresLock, ct);

            var current = await CurrentAsync(ct);
            if (baseVersion is { } expected && current is not null && current.Version.Id != expected)
                return new FrameworkWrite.Stale(expected, current.Version.Id);
            if (checkReferences && current is not null)
            {
                var broken = await BrokenReferencesAsync(current.Framework, framework, ct);
                if (broken.Count > 0) return new FrameworkWrite.Invalid(broken);
            }

            var (id, created) = await store.SaveVersionAsync(db, framework, by, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), ct);
            var changes = current is null || !created ? [] : FrameworkDiff.Compare(current.Framework, framework);
            if (created)
            {
                // Who changed the framework, what, and into which version: the version row says who, the log says it with everything else HR did.
                db.AuditLog.Add(new AuditLogEntry
                {
                    At = clock.GetUtcNow(), ActorEmployeeId = by, Action = audit.Action,
                    Detail = Truncate($"{audit.Subject}: version {id}{(current is null ? "" : $" replaces version {current.Version.Id}")}; " +
                                      string.Join("; ", changes.Select(c => c.Description))),
                });
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
            // A reader may have reloaded the cache between the insert and the commit and cached the old version.
            store.Invalidate();
            return new FrameworkWrite.Saved(new FrameworkSaveResponse(id, created, changes));
        }
        finally { WriteGate.Release(); }
    }

    /// <summary>Removing a level, track, behaviour or value that people or evidence still refer to would orphan them.</summary>
    private async Task<Dictionary<string, string[]>> BrokenReferencesAsync(CareerFramework before, CareerFramework after, CancellationToken ct)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string path, string message)
        {
            if (!errors.TryGetValue(path, out var list)) errors[path] = list = [];
            list.Add(message);
        }

        string LevelName(string key) => before.FindLevel(key) is { } l ? $"the level “{l.Name}” ({before.TrackOf(key)!.Name})" : $"the level {key}";
        static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

        var removedLevels = before.Levels.Select(l => l.Key).Except(after.Levels.Select(l => l.Key)).ToList();
        var removedTracks = before.Tracks.Select(t => t.Key).Except(after.Tracks.Select(t => t.Key)).ToList();

        if (removedLevels.Count > 0)
            foreach (var g in await db.Employees.Where(e => removedLevels.Contains(e.Level)).GroupBy(e => e.Level)
                         .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
                Add("$.tracks", $"{LevelName(g.Key)} is still held by {Count(g.Count, "person", "people")}: move them to another level first, then remove it");
        if (removedTracks.Count > 0)
            foreach (var g in await db.Employees.Where(e => removedTracks.Contains(e.Track)).GroupBy(e => e.Track)
                         .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
                Add("$.tracks", $"track '{g.Key}' is removed but {g.Count} employee(s) are on it");
        foreach (var (path, message) in await OrphanedEvidenceAsync(db, before, after, ct))
            Add(path, message);
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>
    /// Behaviours and values removed between <paramref name="before"/> and <paramref name="after"/> that stored evidence
    /// still refers to (feedback, its kept versions, recognitions), as (JSON path, message naming what and how many). Both
    /// the framework writes here and <c>trellis import --framework</c> refuse such a change: the evidence would name a
    /// behaviour that no longer exists, and an export of it would no longer import.
    /// </summary>
    public static async Task<IReadOnlyList<(string Path, string Message)>> OrphanedEvidenceAsync(TrellisDb db, CareerFramework before, CareerFramework after,
        CancellationToken ct)
    {
        var problems = new List<(string, string)>();
        static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n:N0} {many}";
        var removedBehaviors = before.Behaviors.Select(b => b.Key).Except(after.Behaviors.Select(b => b.Key)).ToList();
        var removedValues = before.Values.Select(v => v.Key).Except(after.Values.Select(v => v.Key)).ToList();
        foreach (var key in removedBehaviors)
        {
            var name = before.FindBehavior(key) is { } b ? $"the behaviour “{b.Name}” ({key})" : $"the behaviour {key}";
            // Withdrawn and replaced feedback keeps its versions, which name the behaviour too: that history must stay readable.
            var observations = await db.Observations.CountAsync(o => o.Behavior == key, ct);
            var versions = await db.ObservationVersions.CountAsync(v => v.Behavior == key, ct);
            if (observations + versions > 0)
            {
                var what = string.Join(" and ", new[] { (observations, "observation", "observations"), (versions, "earlier version of feedback", "earlier versions of feedback") }
                    .Where(x => x.Item1 > 0).Select(x => Count(x.Item1, x.Item2, x.Item3)));
                problems.Add(("$.values", $"{name} has feedback given on it ({what}), so it cannot be removed: retire it instead (its evidence stays readable)"));
            }
            else if (await db.Recognitions.CountAsync(r => r.Behavior == key, ct) is var recognitions and > 0)
            {
                problems.Add(("$.values", $"{name} has recognitions given for it ({Count(recognitions, "recognition", "recognitions")}), so it cannot be removed: retire it instead (its evidence stays readable)"));
            }
        }
        foreach (var key in removedValues)
            if (await db.Recognitions.CountAsync(r => r.Value == key, ct) is var recognitions and > 0)
                problems.Add(("$.values", $"the value “{before.Values.First(v => v.Key == key).Name}” ({key}) has recognitions given for it ({Count(recognitions, "recognition", "recognitions")}), so it cannot be removed: retire it instead"));
        return problems;
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..997] + "...";

    private async Task<StoredFramework> ToStoredAsync(FrameworkVersion row, CancellationToken ct)
    {
        var parsed = FrameworkJson.Parse(row.Json);
        // A stored version was valid when saved; if it no longer parses the schema changed under it — fail loudly.
        var framework = parsed.Framework ?? throw new InvalidOperationException(
            $"Stored framework version {row.Id} is invalid: {string.Join("; ", parsed.Problems)}");
        var currentId = await db.FrameworkVersions.MaxAsync(v => v.Id, ct);
        var names = await NamesAsync([row.CreatedBy], ct);
        var summary = new FrameworkVersionSummary(row.Id, row.Label, row.Name, row.CreatedAt, row.CreatedBy,
            row.CreatedBy is not null && names.TryGetValue(row.CreatedBy, out var n) ? n : null, row.Note, row.Id == currentId);
        return new(summary, framework, row.Json);
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string?> employeeIds, CancellationToken ct)
    {
        var ids = employeeIds.OfType<string>().Distinct().ToList();
        if (ids.Count == 0) return [];
        return await db.Employees.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
    }
}
