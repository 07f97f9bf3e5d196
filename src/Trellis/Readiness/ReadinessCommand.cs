using System.Runtime.CompilerServices;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Trellis.Cli;
using Microsoft.Data.Sqlite;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Readiness;

/// <summary><c>trellis readiness [--db V] [--as-of DATE] [--target next|LEVEL] [--format json|csv]</c> (README.md, "Command line").</summary>
public static class ReadinessCommand
{
    public static Command Create()
    {
        var asOf = new Option<string?>("--as-of") { Description = "use only evidence dated on or before this day (YYYY-MM-DD); default today" };
        var target = new Option<string?>("--target") { Description = "'next' (the next band on the same track, default) or a level key" };
        var format = new Option<string>("--format") { Description = "json or csv", DefaultValueFactory = _ => "json" };
        var command = new Command("readiness", "Compute readiness for every active employee");
        command.Options.Add(asOf);
        command.Options.Add(target);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            var formatValue = parse.GetValue(format) ?? "json";
            if (formatValue is not ("json" or "csv")) return TrellisCommands.Fail($"--format must be json or csv, not '{formatValue}'");
            DateOnly day;
            if (parse.GetValue(asOf) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
                    return TrellisCommands.Fail($"--as-of must be a date YYYY-MM-DD, not '{text}'");
            }
            else day = DateOnly.FromDateTime(DateTime.UtcNow);

            var timings = Environment.GetEnvironmentVariable("TRELLIS_TIMINGS") == "1" ? new PhaseTimings() : null;
            timings?.Mark("process start to command", DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime);
            await using var source = await EvidenceSource.OpenAsync(TrellisCommands.Selection(parse), () => TrellisCommands.Services(parse), ct);
            timings?.Mark("open and migration check");
            var framework = await source.FrameworkAsync(ct);
            if (framework is null) return TrellisCommands.Fail("no career framework has been imported yet; run 'trellis import --framework framework.json' first");
            var targetValue = parse.GetValue(target);
            if (ReadinessAssessment.ValidateTarget(framework, targetValue) is { } problem) return TrellisCommands.Fail($"--target: {problem}");

            timings?.Mark("framework");
            var evidence = await source.LoadAsync(framework, timings is null ? null : phase => timings.Mark($"load {phase}"), ct);
            var assessment = ReadinessAssessment.Compute(evidence.Snapshot, framework, new ReadinessOptions { AsOf = day }, evidence.Departments);
            timings?.Mark($"fit and bands (collapse {assessment.Model.CollapseTime.TotalMilliseconds:F0} ms, {assessment.Model.Iterations} sweeps {assessment.Model.SweepTime.TotalMilliseconds:F0} ms, variance {assessment.Model.VarianceTime.TotalMilliseconds:F0} ms)");
            await using var stdout = Console.OpenStandardOutput();
            await using var buffered = new BufferedStream(stdout, 1 << 16);
            if (formatValue == "json") WriteJson(buffered, assessment, targetValue);
            else WriteCsv(buffered, assessment, targetValue);
            await buffered.FlushAsync(ct);
            timings?.Mark("write output");
            timings?.Print();
            return 0;
        });
        return command;
    }

    /// <summary>A JSON array ordered by employee id, one object per line.</summary>
    public static void WriteJson(Stream stream, ReadinessAssessment assessment, string? target)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write('[');
        var first = true;
        foreach (var line in Lines(assessment, target, report => JsonSerializer.Serialize(report, TrellisJson.Unescaped)))
        {
            writer.Write(first ? "\n" : ",\n");
            first = false;
            writer.Write(line);
        }
        writer.Write(first ? "]\n" : "\n]\n");
    }

    /// <summary>
    /// Each active person's report, formatted, in employee-id order: built and formatted a block at a time on all
    /// cores (reports with their explanations are most of the command's work), written in order, memory bounded by the block.
    /// </summary>
    private static IEnumerable<string> Lines(ReadinessAssessment assessment, string? target, Func<ReadinessReport, string> format)
    {
        const int block = 2048;
        var persons = assessment.ActivePersons;
        var lines = new string[Math.Min(block, persons.Count)];
        for (var from = 0; from < persons.Count; from += block)
        {
            var count = Math.Min(block, persons.Count - from);
            Parallel.For(0, count, k => lines[k] = format(assessment.Report(persons[from + k], target)));
            for (var k = 0; k < count; k++) yield return lines[k];
        }
    }

    /// <summary>Columns of <c>--format csv</c>: the fixed ones, then five per behaviour in framework order.</summary>
    public static IReadOnlyList<string> CsvColumns(IReadOnlyList<string> behaviorKeys) =>
    [
        "employee_id", "current_level", "target_level", "move", "band", "values_score", "values_ci_low", "values_ci_high",
        "evidence_count", "rater_count", "results_gate", "self_rating_mean", "gaps", "explanation",
        .. behaviorKeys.SelectMany(k => new[] { $"{k}_score", $"{k}_ci_low", $"{k}_ci_high", $"{k}_evidence", $"{k}_expected" }),
    ];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteCsv(Stream stream, ReadinessAssessment assessment, string? target)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(string.Join(',', CsvColumns(assessment.Snapshot.BehaviorKeys)));
        writer.Write("\r\n");
        foreach (var line in Lines(assessment, target, CsvLine)) writer.Write(line);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string CsvLine(ReadinessReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        var line = new StringBuilder(1024);
        Field(line, r.EmployeeId).Append(',');
        Field(line, r.CurrentLevel).Append(',');
        Field(line, r.TargetLevel).Append(',');
        Field(line, r.Move).Append(',');
        Field(line, r.Band).Append(',');
        Number(line, r.ValuesScore).Append(',');
        Number(line, r.ValuesCi?[0]).Append(',');
        Number(line, r.ValuesCi?[1]).Append(',');
        line.Append(r.EvidenceCount.ToString(ci)).Append(',');
        line.Append(r.RaterCount.ToString(ci)).Append(',');
        Field(line, r.ResultsGate).Append(',');
        Number(line, r.SelfRatingMean).Append(',');
        Field(line, string.Join(';', r.Gaps)).Append(',');
        Field(line, r.Explanation);
        foreach (var b in r.Behaviors)
        {
            line.Append(',');
            Number(line, b.Score).Append(',');
            Number(line, b.Ci?[0]).Append(',');
            Number(line, b.Ci?[1]).Append(',');
            line.Append(b.EvidenceCount.ToString(ci)).Append(',');
            if (b.Expected is { } e) line.Append(e.ToString(ci));
        }
        line.Append("\r\n");
        return line.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static StringBuilder Number(StringBuilder line, double? value)
    {
        if (value is not { } v) return line;
        // Report values are already rounded to two decimals, so they print as whole cents with trailing zeros dropped
        // (exactly what "0.##" prints), without the general-purpose formatter for each of the ~60 numbers on a line.
        var cents = Math.Round(v * 100);
        if (Math.Abs(cents) < 1e15 && Math.Round(v, 2) == v && cents / 100 == v && !(cents == 0 && double.IsNegative(v)))
        {
            var c = (long)cents;
            if (c < 0) { line.Append('-'); c = -c; }
            line.Append(c / 100);
            var fraction = (int)(c % 100);
            if (fraction == 0) return line;
            line.Append('.').Append((char)('0' + fraction / 10));
            return fraction % 10 == 0 ? line : line.Append((char)('0' + fraction % 10));
        }
        return line.Append(v.ToString("0.##", CultureInfo.InvariantCulture));
    }

    /// <summary>A text cell through the shared spreadsheet-safe writer (RFC 4180 quoting, formulas defused).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static StringBuilder Field(StringBuilder line, string? value) => Shared.SpreadsheetCsv.AppendText(line, value);
}

/// <summary>
/// Where <c>trellis readiness</c> reads from. On SQLite it works on a plain connection: the migration check compares
/// the applied migration ids with the ones compiled in (and only runs EF Core's migrator when some are missing), and
/// the framework and evidence are read with plain SQL, so a run does not pay for building the EF model. PostgreSQL
/// goes through the app's context.
/// </summary>
internal sealed class EvidenceSource : IAsyncDisposable
{
    private readonly SqliteConnection? _sqlite;
    private readonly ServiceProvider? _services;
    private readonly AsyncServiceScope? _scope;
    private readonly TrellisDb? _db;

    private EvidenceSource(SqliteConnection sqlite) => _sqlite = sqlite;

    private EvidenceSource(ServiceProvider services)
    {
        _services = services;
        _scope = services.CreateAsyncScope();
        _db = _scope.Value.ServiceProvider.GetRequiredService<TrellisDb>();
    }

    /// <summary>
    /// Opens the source. The app's services (<paramref name="services"/>) are only built when they are needed: for
    /// PostgreSQL, or to migrate a SQLite database that is behind this build.
    /// </summary>
    public static async Task<EvidenceSource> OpenAsync(DatabaseSelection selection, Func<ServiceProvider> services, CancellationToken ct)
    {
        if (selection.Provider != DatabaseProvider.Sqlite)
        {
            var source = new EvidenceSource(services());
            try
            {
                await source._db!.RequireExistingAsync(selection, ct);
                await source._db!.MigrateAsync(ct);
            }
            catch
            {
                await source.DisposeAsync();
                throw;
            }
            return source;
        }
        // Readiness only reads: a mistyped path is refused rather than made into a new, empty database.
        if (selection.SqlitePath is not { } path || !File.Exists(path)) throw new UnusableDatabaseException($"no database at {selection.Location}");
        if (!await UpToDateAsync(selection, ct))
        {
            await using var provider = services();
            await using var scope = provider.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TrellisDb>().MigrateAsync(ct);
        }
        var connection = new SqliteConnection(selection.ConnectionString);
        await connection.OpenAsync(ct);
        return new EvidenceSource(connection);
    }

    /// <summary>
    /// Whether every SQLite migration compiled into this build is recorded as applied. One that is recorded but not
    /// compiled in means a newer build migrated the database: refused, as <see cref="DatabaseSetup.MigrateAsync"/> does.
    /// </summary>
    private static async Task<bool> UpToDateAsync(DatabaseSelection selection, CancellationToken ct)
    {
        var known = CompiledMigrations.Sqlite.ToHashSet(StringComparer.Ordinal);
        if (known.Count == 0) return false;
        List<string>? newer = null;
        await using var connection = new SqliteConnection(selection.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'";
        if (await command.ExecuteScalarAsync(ct) is null) return false;
        command.CommandText = "SELECT MigrationId FROM __EFMigrationsHistory";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (!known.Remove(id) && !CompiledMigrations.Sqlite.Contains(id)) (newer ??= []).Add(id);
        }
        if (newer is not null) throw new UnusableDatabaseException(DatabaseSetup.NewerBuildMessage(newer));
        return known.Count == 0;
    }

    /// <summary>The current (latest) framework version, or null when none has been imported.</summary>
    public async Task<CareerFramework?> FrameworkAsync(CancellationToken ct)
    {
        if (_db is not null) return (await FrameworkStore.LoadCurrentAsync(_db, ct))?.Framework;
        await using var command = _sqlite!.CreateCommand();
        command.CommandText = "SELECT id, json FROM framework_versions ORDER BY id DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var parsed = FrameworkJson.Parse(reader.GetString(1));
        return parsed.Framework ?? throw new InvalidOperationException(
            $"Stored framework version {reader.GetInt64(0)} is invalid: {string.Join("; ", parsed.Problems)}");
    }

    /// <summary>The evidence; <paramref name="mark"/> is told the name of each part read as it ends (SQLite), or "evidence" at the end.</summary>
    public async Task<LoadedEvidence> LoadAsync(CareerFramework framework, Action<string>? mark, CancellationToken ct)
    {
        if (_db is null) return await ReadinessSnapshotLoader.LoadAsync(_sqlite!, framework, nativeSqlite: true, mark, ct);
        var evidence = await ReadinessSnapshotLoader.LoadAsync(_db, framework, ct);
        mark?.Invoke("evidence");
        return evidence;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlite is not null) await _sqlite.DisposeAsync();
        if (_scope is { } scope) await scope.DisposeAsync();
        if (_services is not null) await _services.DisposeAsync();
    }
}

/// <summary>Where a command's time went, printed to standard error when <c>TRELLIS_TIMINGS=1</c> (for benchmarks).</summary>
internal sealed class PhaseTimings
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<(string Phase, TimeSpan Time)> _phases = [];
    private TimeSpan _last;

    public void Mark(string phase)
    {
        var now = _clock.Elapsed;
        _phases.Add((phase, now - _last));
        _last = now;
    }

    public void Mark(string phase, TimeSpan time) => _phases.Add((phase, time));

    public void Print()
    {
        foreach (var (phase, time) in _phases) Console.Error.WriteLine($"{phase} {time.TotalMilliseconds:F0} ms");
    }
}
