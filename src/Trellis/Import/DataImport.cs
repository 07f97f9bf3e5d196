using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Import;

/// <summary>One input file of a run: the name it is reported under (as the user gave it) and where to read it.</summary>
public sealed record ImportSource(string DisplayName, string Path);

/// <summary>The files of one import run; any subset of the seven.</summary>
public sealed record ImportRequest(IReadOnlyDictionary<ImportFileKind, ImportSource> Files)
{
    public bool IsEmpty => Files.Count == 0;
}

/// <summary>Progress of a long import, for a progress bar: bytes of the current file checked or written so far.</summary>
public interface IImportProgress
{
    void Report(string step, string file, long done, long total);
}

/// <summary>
/// <c>trellis import</c> and the Import page: validates every file completely first (types, columns, enums, dates,
/// ranges, duplicates, references across files and the database, manager cycles), then writes everything in one
/// transaction with bulk upserts. On any problem nothing is written. Streams the files twice (check, then write)
/// and keeps only compact id sets in memory.
/// </summary>
public sealed partial class DataImport(TrellisDb db, FrameworkStore frameworks, TimeProvider clock, Evidence.EvidenceChanges changes,
    Microsoft.Extensions.Options.IOptions<Provisioning.ScimOptions> scim, Accounts.AccountStates? sessions = null)
{
    private const int ProgressEvery = 16_384;
    private const int SqliteImportCacheKiB = 256 * 1024;

    public async Task<ImportReport> RunAsync(ImportRequest request, string? actor, IImportProgress? progress = null, CancellationToken ct = default)
    {
        var problems = new ProblemList();
        var run = new RunState(request, problems);

        // 1. The framework: the one being imported, else the stored current one.
        CareerFramework? imported = null;
        var frameworkGiven = request.Files.TryGetValue(ImportFileKind.Framework, out var frameworkSource);
        if (frameworkGiven)
        {
            imported = ReadFramework(frameworkSource!, problems);
            run.Framework = imported;
        }
        else
        {
            run.Framework = (await FrameworkStore.LoadCurrentAsync(db, ct))?.Framework;
        }
        run.FrameworkUsable = run.Framework is not null;
        run.FrameworkMissing = !frameworkGiven && run.Framework is null;
        if (run.Framework is { } fw) run.Keys = FrameworkKeys.Of(fw);

        // 2. The employees already stored: ids, manager line, track and level (small next to the evidence).
        var csvFormats = CsvFormats.All.Where(f => request.Files.ContainsKey(f.Kind)).ToList();
        //    Their emails only when employees.csv may give one of them to someone else.
        if (csvFormats.Count > 0 || imported is not null)
        {
            var emails = request.Files.ContainsKey(ImportFileKind.Employees);
            await foreach (var e in db.Employees.AsNoTracking().Select(e => new { e.Id, e.ManagerId, e.Track, e.Level, Email = emails ? e.Email : null, e.Status })
                               .AsAsyncEnumerable().WithCancellation(ct))
            {
                run.StoredEmployees[e.Id] = new StoredEmployee(e.ManagerId, e.Track, e.Level);
                if (!string.IsNullOrWhiteSpace(e.Email)) run.AddStoredEmail(EmployeeRules.EmailKey(e.Email), e.Id, e.Status == EmployeeStatus.Left);
            }
        }

        // 3. Check every CSV file, employees first since the others refer to them.
        foreach (var format in csvFormats)
        {
            ct.ThrowIfCancellationRequested();
            await CheckFileAsync(format, request.Files[format.Kind], run, progress, ct);
        }

        // 4. A new framework must still hold the level of every stored employee that this run does not move, and every
        //    behaviour and value stored evidence refers to (the rule of the framework editor and PUT /api/v1/framework).
        if (imported is not null)
        {
            CheckStoredEmployeesFit(imported, frameworkSource!, run);
            if ((await FrameworkStore.LoadCurrentAsync(db, ct))?.Framework is { } stored)
                foreach (var (path, message) in await FrameworkHistory.OrphanedEvidenceAsync(db, stored, imported, ct))
                    problems.Add(0, new(frameworkSource!.DisplayName, 1, path, message));
        }

        if (problems.Total > 0) return ImportReport.Failed(problems.Sorted(), problems.Total);

        // 5. Write everything in one transaction.
        var outcomes = new List<ImportFileOutcome>();
        FrameworkImportOutcome? frameworkOutcome = null;
        List<int> closed = [];
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            outcomes.Clear();
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                // SQLite's default 2 MB page cache spills to the WAL again and again while a million rows go into three
                // B-trees at random places; a larger cache for this connection keeps the work in memory until commit.
                if (db.Provider == DatabaseProvider.Sqlite) await db.Database.ExecuteSqlRawAsync($"PRAGMA cache_size = -{SqliteImportCacheKiB}", ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (imported is not null)
                {
                    var (versionId, created) = await frameworks.SaveVersionAsync(db, imported, actor, $"imported from {frameworkSource!.DisplayName}", ct);
                    frameworkOutcome = new FrameworkImportOutcome(frameworkSource.DisplayName, versionId, imported.Version, created);
                }
                var writer = BulkUpsert.For(db, tx.GetDbTransaction());
                // Who has an account and is active before employees.csv is written: those it makes leavers lose their access.
                var activeAccounts = csvFormats.Any(f => f.Kind == ImportFileKind.Employees)
                    ? await db.Accounts.Join(db.Employees.Where(e => e.Status == EmployeeStatus.Active), a => a.EmployeeId, e => e.Id, (a, e) => a.EmployeeId).ToListAsync(ct)
                    : [];
                var employeeChanges = await Webhooks.EmployeeChanges.StartAsync(db, ct);
                Action<object?[]>? employeeRows = employeeChanges is null ? null : employeeChanges.Row;
                // The earliest date of the observations and results written: decision snapshots after it are stale.
                DateOnly? earliest = null;
                foreach (var format in csvFormats)
                {
                    var source = request.Files[format.Kind];
                    var dated = format.Kind switch
                    {
                        ImportFileKind.Observations => format.IndexOf("observed_on"),
                        ImportFileKind.Results => format.IndexOf("period_end"),
                        _ => -1,
                    };
                    outcomes.Add(await WriteFileAsync(writer, format, source, progress, ct, dated < 0 ? (format.Kind == ImportFileKind.Employees ? employeeRows : null) : row =>
                    {
                        if (row[dated] is DateOnly d && (earliest is null || d < earliest)) earliest = d;
                    }));
                }
                // Imported feedback follows the same release rule as feedback given in the app (whole batches only).
                if (run.Framework is { } releasing && outcomes.Any(o => o.Kind == ImportFileKind.Observations && o.Added > 0))
                    await Evidence.FeedbackRelease.ReleaseDueAsync(db, releasing.Rules.AnonymityThreshold, clock.GetUtcNow(), null, ct);
                await InvalidateDecisionSnapshotsAsync(frameworkOutcome, outcomes, earliest, ct);
                // Who reports to whom decides who reads whose evidence: every change of manager is logged with who made it.
                var now = clock.GetUtcNow();
                var by = actor is null ? $"trellis import on the command line (OS user {Environment.UserName})" : $"import by {actor}";
                foreach (var (id, manager, previous) in ManagerChanges(run))
                    db.AuditLog.Add(People.ManagerChangeLog.Entry(now, actor, id, previous, manager, by));
                if (activeAccounts.Count > 0)
                {
                    var leavers = await db.Employees.Where(e => e.Status == EmployeeStatus.Left && activeAccounts.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
                    closed = await Accounts.Leavers.CloseAccessAsync(db, leavers, scim.Value.GroupRoles(), now, actor, by, ct);
                }
                if (employeeChanges is not null) await employeeChanges.AddEventsAsync(db, ct);
                var report = new ImportReport([], 0, frameworkOutcome, outcomes);
                db.AuditLog.Add(new AuditLogEntry
                {
                    At = clock.GetUtcNow(),
                    ActorEmployeeId = actor,
                    Action = "import",
                    Detail = string.Join("; ", report.SummaryLines().SkipLast(1)),
                });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            finally
            {
                if (db.Provider == DatabaseProvider.Sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -2000", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        });

        var result = new ImportReport([], 0, frameworkOutcome, outcomes);
        // A page request may have cached the old framework while the transaction ran.
        frameworks.Invalidate();
        foreach (var account in closed) sessions?.Forget(account);
        return result;
    }

    /// <summary>Employees of this run whose stored manager the run changes (only when employees.csv has a manager_id column).</summary>
    private static IEnumerable<(string Id, string? Manager, string? Previous)> ManagerChanges(RunState run)
    {
        if (!run.ManagerColumnGiven) yield break;
        foreach (var (id, row) in run.FileEmployees.OrderBy(x => x.Value.Line))
        {
            if (run.StoredEmployees.TryGetValue(id, out var stored) && stored.ManagerId != row.ManagerId)
                yield return (id, row.ManagerId, stored.ManagerId);
        }
    }

    /// <summary>
    /// Stored decision snapshots (audit) that this run's writes make stale go in the same transaction: all of them when
    /// the framework, the employees (people and departments are part of the readiness model) or existing observations
    /// or results changed (an update may move a row from an earlier date); those of decisions after the earliest new
    /// observation or result otherwise.
    /// </summary>
    private async Task InvalidateDecisionSnapshotsAsync(FrameworkImportOutcome? framework, List<ImportFileOutcome> outcomes, DateOnly? earliest, CancellationToken ct)
    {
        var dated = outcomes.Where(o => o.Kind is ImportFileKind.Observations or ImportFileKind.Results).ToList();
        if (framework?.Created == true || outcomes.Any(o => o.Kind == ImportFileKind.Employees && o.Changed) || dated.Any(o => o.Updated > 0))
            await changes.RecordAsync(Evidence.EvidenceChanges.Everything, ct);
        else if (dated.Any(o => o.Added > 0) && earliest is { } from)
            await changes.RecordAsync(from, ct);
        else if (outcomes.Any(o => o.Changed))
            await changes.RecordAsync(null, ct); // concerns, say: every running server refits
    }

    // ---------------------------------------------------------------- framework

    [GeneratedRegex(@"\(line (\d+), column \d+\)")]
    private static partial Regex LineInMessage();

    private static CareerFramework? ReadFramework(ImportSource source, ProblemList problems)
    {
        string json;
        try
        {
            json = ReadAllText(source.Path);
        }
        catch (DecoderFallbackException)
        {
            problems.Add(0, new(source.DisplayName, 1, "$", "is not valid UTF-8 text; save it as UTF-8"));
            return null;
        }
        if (string.IsNullOrWhiteSpace(json))
        {
            problems.Add(0, new(source.DisplayName, 1, "$", "the document is empty"));
            return null;
        }
        var parsed = FrameworkJson.Parse(json);
        foreach (var problem in parsed.Problems)
        {
            var inMessage = LineInMessage().Match(problem.Message);
            var line = inMessage.Success ? int.Parse(inMessage.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : JsonLines.LineOf(json, problem.Path);
            problems.Add(0, new(source.DisplayName, line, problem.Path, problem.Message));
        }
        return parsed.IsValid ? parsed.Framework : null;
    }

    private static string ReadAllText(string path)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static void CheckStoredEmployeesFit(CareerFramework framework, ImportSource source, RunState run)
    {
        var keys = FrameworkKeys.Of(framework);
        var misfits = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, stored) in run.StoredEmployees)
        {
            if (run.FileEmployees.ContainsKey(id)) continue; // this run gives them a level of the new framework
            string? problem = null;
            if (!keys.LevelTrack.TryGetValue(stored.Level, out var track)) problem = $"level '{stored.Level}' is no longer defined";
            else if (track != stored.Track) problem = $"level '{stored.Level}' is no longer on the '{stored.Track}' track";
            if (problem is null) continue;
            if (!misfits.TryGetValue(problem, out var ids)) misfits[problem] = ids = [];
            ids.Add(id);
        }
        foreach (var (problem, ids) in misfits)
        {
            ids.Sort(StringComparer.Ordinal);
            var list = string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? $" and {ids.Count - 5:N0} more" : "");
            run.Problems.Add(0, new(source.DisplayName, 1, "$.tracks",
                $"{problem}, but {ids.Count:N0} stored employee{(ids.Count == 1 ? " is" : "s are")} on it ({list}); give them a new level in employees.csv in the same run"));
        }
    }

    // ---------------------------------------------------------------- checking

    private async Task CheckFileAsync(CsvFormat format, ImportSource source, RunState run, IImportProgress? progress, CancellationToken ct)
    {
        var order = (int)format.Kind;
        void Report(ImportProblem p) => run.Problems.Add(order, p);

        await using var stream = OpenRead(source.Path);
        using var reader = new CsvRowReader(stream, source.DisplayName, format);
        reader.ReadHeader(Report);
        if (!reader.HeaderOk) return;
        if (format.Kind == ImportFileKind.Employees) run.ManagerColumnGiven = reader.Has(format.IndexOf("manager_id"));

        var check = new RowCheck(format, source.DisplayName, reader, run, Report);
        if (run.FrameworkMissing && check.NeedsFramework is { } column)
            Report(new(source.DisplayName, 1, column, "no career framework has been imported yet; import framework.json in the same run (--framework) or before"));

        var keys = new KeyIndex();
        var values = new object?[format.Columns.Count];
        var rows = 0L;
        var keyA = format.IndexOf(format.Key[0]);
        var keyB = format.Key.Count > 1 ? format.IndexOf(format.Key[1]) : -1;
        while (reader.Read(Report))
        {
            rows++;
            for (var c = 0; c < values.Length; c++)
            {
                if (!CsvValues.TryParse(format.Columns[c], reader[c], out values[c], out var error))
                {
                    Report(new(source.DisplayName, reader.Line, format.Columns[c].Name, error!));
                }
            }
            // References and cross-field rules need the parsed values; a broken value was reported already.
            check.Row(values);
            if (format.Kind != ImportFileKind.Employees && values[keyA] is string a)
                keys.Add(a, keyB >= 0 ? values[keyB] as string : null, reader.Line);
            if (progress is not null && rows % ProgressEvery == 0) progress.Report("checking", source.DisplayName, reader.Position, reader.Length);
        }
        progress?.Report("checking", source.DisplayName, reader.Length, reader.Length);
        check.Finish();
        if (keys.Suspects.Count > 0) ConfirmDuplicates(format, source, keys, Report, ct);
    }

    private static FileStream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>Reads the file again for the few lines whose key hashes matched an earlier line, and reports the real duplicates.</summary>
    private static void ConfirmDuplicates(CsvFormat format, ImportSource source, KeyIndex keys, Action<ImportProblem> report, CancellationToken ct)
    {
        var wanted = new HashSet<int>();
        foreach (var (line, first) in keys.Suspects) { wanted.Add(line); wanted.Add(first); }
        var keyOf = new Dictionary<int, string>();
        var keyA = format.IndexOf(format.Key[0]);
        var keyB = format.Key.Count > 1 ? format.IndexOf(format.Key[1]) : -1;
        using (var stream = OpenRead(source.Path))
        using (var reader = new CsvRowReader(stream, source.DisplayName, format))
        {
            reader.ReadHeader(_ => { });
            while (reader.Read(_ => { }))
            {
                ct.ThrowIfCancellationRequested();
                // The parsed values, as the first read hashed them and as they would be stored (periods upper-cased, the
                // export's formula apostrophe removed): raw text that differs may still be one key. A broken key was reported already.
                if (!wanted.Contains(reader.Line) || KeyPart(reader, keyA) is not { } a) continue;
                if (keyB < 0) keyOf[reader.Line] = a;
                else if (KeyPart(reader, keyB) is { } b) keyOf[reader.Line] = $"{a}\u001F{b}";
            }
        }
        foreach (var (line, first) in keys.Suspects)
        {
            if (keyOf.TryGetValue(line, out var key) && keyOf.TryGetValue(first, out var firstKey) && key == firstKey)
            {
                var shown = key.Replace("\u001F", "', '", StringComparison.Ordinal);
                var what = keyB >= 0 ? $"({format.Key[0]}, {format.Key[1]}) ('{shown}')" : $"{format.Key[0]} '{shown}'";
                report(new(source.DisplayName, line, format.Key[0], $"duplicate {what}; first on line {first}"));
            }
        }

        string? KeyPart(CsvRowReader reader, int column) =>
            CsvValues.TryParse(format.Columns[column], reader[column], out var value, out _) ? value as string : null;
    }

    // ---------------------------------------------------------------- writing

    private static async Task<ImportFileOutcome> WriteFileAsync(BulkUpsert writer, CsvFormat format, ImportSource source, IImportProgress? progress, CancellationToken ct,
        Action<object?[]>? written = null)
    {
        await using var stream = OpenRead(source.Path);
        using var reader = new CsvRowReader(stream, source.DisplayName, format);
        reader.ReadHeader(_ => { });
        var present = Enumerable.Range(0, format.Columns.Count).Select(reader.Has).ToArray();
        var rows = 0L;
        var counts = await writer.UpsertAsync(format, present, Prefetch.Ahead(Rows(), ct), ct);
        return new ImportFileOutcome(format.Kind, source.DisplayName, counts.Added, counts.Updated, rows - counts.Added - counts.Updated);

        IEnumerable<object?[]> Rows()
        {
            while (reader.Read(_ => { }))
            {
                // A fresh array per row: rows are parsed ahead while earlier ones are written.
                var values = new object?[format.Columns.Count];
                for (var c = 0; c < values.Length; c++)
                {
                    // Checked already: a failure here means the file changed between the check and the write.
                    if (!CsvValues.TryParse(format.Columns[c], reader[c], out values[c], out var error))
                        throw new InvalidDataException($"{source.DisplayName}:{reader.Line}: {format.Columns[c].Name}: {error} (the file changed during the import)");
                }
                rows++;
                written?.Invoke(values);
                if (progress is not null && rows % ProgressEvery == 0) progress.Report("writing", source.DisplayName, reader.Position, reader.Length);
                yield return values;
            }
            progress?.Report("writing", source.DisplayName, reader.Length, reader.Length);
        }
    }
}

internal sealed record StoredEmployee(string? ManagerId, string Track, string Level);

/// <summary>An employee row of this run's employees.csv: where it is and who it reports to.</summary>
internal sealed record FileEmployee(int Line, string? ManagerId);

/// <summary>The keys of a framework as sets, for checking references quickly.</summary>
internal sealed record FrameworkKeys(HashSet<string> Tracks, Dictionary<string, string> LevelTrack, Dictionary<string, string> BehaviorValue, HashSet<string> Values)
{
    public static FrameworkKeys Of(CareerFramework f) => new(
        f.Tracks.Select(t => t.Key).ToHashSet(StringComparer.Ordinal),
        f.Tracks.SelectMany(t => t.Levels.Select(l => (l.Key, t.Key))).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal),
        f.Values.SelectMany(v => v.Behaviors.Select(b => (b.Key, v.Key))).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal),
        f.Values.Select(v => v.Key).ToHashSet(StringComparer.Ordinal));
}

/// <summary>What the checks of one run share: the framework in force, the stored employees and those of this run's employees.csv.</summary>
internal sealed class RunState(ImportRequest request, ProblemList problems)
{
    public ImportRequest Request { get; } = request;
    public ProblemList Problems { get; } = problems;
    public CareerFramework? Framework { get; set; }
    public FrameworkKeys? Keys { get; set; }
    public bool FrameworkUsable { get; set; }
    public bool FrameworkMissing { get; set; }
    public Dictionary<string, StoredEmployee> StoredEmployees { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, FileEmployee> FileEmployees { get; } = new(StringComparer.Ordinal);
    /// <summary>This run's employees.csv has a manager_id column (without it, stored managers stay as they are).</summary>
    public bool ManagerColumnGiven { get; set; }

    public bool IsEmployee(string id) => FileEmployees.ContainsKey(id) || StoredEmployees.ContainsKey(id);

    // Stored employees by email key (employees.csv runs only): one owner each, as the import keeps it; owners of an email
    // shared before the import refused that are kept apart, so that none of them is missed.
    private readonly Dictionary<string, string> _storedEmails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _sharedStoredEmails = new(StringComparer.Ordinal);
    private readonly HashSet<string> _storedLeavers = new(StringComparer.Ordinal);

    /// <summary>A stored employee who has left (only known for those with an email, in employees.csv runs).</summary>
    public bool IsStoredLeaver(string id) => _storedLeavers.Contains(id);

    public void AddStoredEmail(string key, string id, bool left)
    {
        if (left) _storedLeavers.Add(id);
        if (_storedEmails.TryAdd(key, id)) return;
        if (!_sharedStoredEmails.TryGetValue(key, out var more)) _sharedStoredEmails[key] = more = [];
        more.Add(id);
    }

    public IEnumerable<string> StoredEmailOwners(string key)
    {
        if (!_storedEmails.TryGetValue(key, out var first)) yield break;
        yield return first;
        if (_sharedStoredEmails.TryGetValue(key, out var more))
            foreach (var id in more) yield return id;
    }

    public string UnknownEmployee(string id) => Request.Files.TryGetValue(ImportFileKind.Employees, out var employees)
        ? $"unknown employee '{CsvValues.Shorten(id)}' (not in the database or in {employees.DisplayName})"
        : EmployeeRules.UnknownEmployee(id);
}
