using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Trellis.Benchmarks;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Readiness;

/// <summary>The readiness engine at scale: full recompute, the raw-pass baseline, memory, incremental update, ranking quality.</summary>
public sealed class ReadinessEngineBenchmark : IEndToEndBenchmark
{
    public string Name => "readiness engine (100,000 people, 10,000,000 observations)";
    public int Order => 40;

    public Task<IReadOnlyList<BenchFigure>> RunAsync(bool quick, CancellationToken ct)
    {
        var persons = quick ? 10_000 : 100_000;
        var observations = quick ? 1_000_000L : 10_000_000L;
        var org = SyntheticOrganisation.Generate(persons, observations, seed: 2026);
        var options = new ReadinessOptions { AsOf = org.AsOf };
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        var snapshot = new EvidenceSnapshot
        {
            PersonIds = Enumerable.Range(0, persons).Select(p => $"P{p:D6}").ToArray(),
            CurrentLevels = Enumerable.Range(0, persons).Select(p => (p % 3) switch { 0 => "e2", 1 => "e3", _ => "l3" }).ToArray(),
            BehaviorKeys = framework.Behaviors.Select(b => b.Key).ToArray(),
            Observations = org.Observations,
        };

        // Warm up (JIT), then take the best of five: the machine is shared.
        RawPass(org);
        RawPassAllArrays(org);
        ReadinessAssessment.Compute(snapshot, framework, options, org.Department);
        var raw = Best(5, () => RawPass(org));
        var rawAll = Best(5, () => RawPassAllArrays(org));
        ReadinessAssessment? assessment = null;
        var before = GC.GetTotalMemory(true);
        var full = Best(5, () =>
        {
            assessment = ReadinessAssessment.Compute(snapshot, framework, options, org.Department);
            var ready = 0;
            foreach (var band in assessment.Bands()) if (band == ReadinessBands.Ready) ready++;
            GC.KeepAlive(ready);
        });
        var model = assessment!.Model;
        // What the fitted assessment really keeps on the heap (model + look-ups), as a check on the computed figure.
        var retained = GC.GetTotalMemory(true) - before;
        var bytesPerObservation = (double)(org.Observations.Bytes + model.StateBytes) / observations;
        var reports = Best(1, () => GC.KeepAlive(assessment.All()));

        // Incremental: one new observation reflected in the subject's estimates.
        var random = new Random(5);
        const int adds = 2000;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < adds; k++)
            assessment.Add(random.Next(persons), random.Next(persons), random.Next(10), RelationshipCode.Peer, 1 + random.Next(5), org.AsOf);
        var perAdd = clock.Elapsed.TotalMilliseconds / adds;

        var (engineRho, plainRho) = Spearman(org, model);
        var scale = quick ? " (quick: 10,000 people, 1,000,000 observations)" : "";
        return Task.FromResult<IReadOnlyList<BenchFigure>>(
        [
            new("raw pass over the six arrays the engine reads (plain means per cell and per rater, as-of filter, self apart; 1 thread)", Ms(rawAll), "baseline", null),
            new("raw pass over three arrays (subject, behaviour, rating: plain mean per person × behaviour; 1 thread)", Ms(raw), "earlier baseline", null),
            new($"full recompute: fit + bands for everyone{scale}", Ms(full), "≤ 1000 ms (aim 300 ms)", full.TotalMilliseconds <= 1000,
                $"1 pass over {observations:N0} rows (collapse {model.CollapseTime.TotalMilliseconds:F0} ms) + {model.PairPasses} passes over {model.PairCount:N0} (cell, rater) pairs " +
                $"({model.Iterations} sweeps, {(model.Converged ? "converged" : "NOT converged")}, {model.SweepTime.TotalMilliseconds:F0} ms) + variance pass {model.VarianceTime.TotalMilliseconds:F0} ms, {Environment.ProcessorCount} threads"),
            // The ratio is stated for 100,000 people and 10,000,000 observations: on the quick run's tenth of that the fit
            // needs more sweeps relative to its size and fixed costs weigh more, so it is shown but not judged there.
            new("full recompute / raw pass over the six arrays", $"{full / rawAll:F1}×",
                quick ? "≤ 10× at 10,000,000 observations (not judged on the quick run)" : "≤ 10×", quick ? null : full / rawAll <= 10),
            new("full recompute / raw pass over three arrays", $"{full / raw:F1}×", "no goal (the engine reads six arrays; shown for comparison with earlier runs)", null),
            new("engine memory per observation (arrays + model state)", $"{bytesPerObservation:F1} B", "≤ 24 B", bytesPerObservation <= 24,
                $"observation table {org.Observations.Bytes / (double)observations:F1} B + model {model.StateBytes / (double)observations:F1} B (cells 20 B, pairs 6 B, rater slots 4 B, persons 84 B each)"),
            new("measured heap kept by the fitted assessment, per observation", $"{retained / (double)observations:F1} B", "no goal (check of the above, without the table)", null),
            new("one new observation reflected", $"{perAdd * 1000:F1} µs", "≤ 1 ms", perAdd <= 1),
            new("materialise every report (records, explanations)", Ms(reports), "no goal", null),
            new("Spearman with planted truth (values score)", $"engine {engineRho:F3}, plain mean {plainRho:F3}", "engine clearly above plain mean", 1 - engineRho <= 0.75 * (1 - plainRho)),
        ]);
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F0} ms";

    /// <summary>The best of a few runs (the machine is shared), each after a full collection, as BenchmarkDotNet does between iterations.</summary>
    private static TimeSpan Best(int runs, Action action)
    {
        var best = TimeSpan.MaxValue;
        for (var k = 0; k < runs; k++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var clock = Stopwatch.StartNew();
            action();
            if (clock.Elapsed < best) best = clock.Elapsed;
        }
        return best;
    }

    /// <summary>The baseline: one pass that sums ratings and counts per person × behaviour.</summary>
    public static double RawPass(SyntheticOrganisation org)
    {
        var o = org.Observations;
        var sum = new int[org.Persons * org.Behaviors];
        var count = new int[sum.Length];
        var subject = o.Subject; var behavior = o.Behavior; var rating = o.Rating;
        for (var i = 0; i < o.Count; i++)
        {
            var c = subject[i] * org.Behaviors + behavior[i];
            sum[c] += rating[i];
            count[c]++;
        }
        return (double)sum[0] / Math.Max(1, count[0]);
    }

    /// <summary>
    /// The baseline over the same six arrays the engine reads: as-of filter on the day, self-ratings apart by the
    /// relationship, and plain sums per person × behaviour and per rater — every array once, nothing more.
    /// </summary>
    public static double RawPassAllArrays(SyntheticOrganisation org)
    {
        var o = org.Observations;
        var asOf = org.AsOf.DayNumber;
        var sum = new int[org.Persons * org.Behaviors];
        var count = new int[sum.Length];
        var raterSum = new int[org.Persons];
        var selfSum = new int[org.Persons];
        var subject = o.Subject; var rater = o.Rater; var behavior = o.Behavior; var relationship = o.Relationship; var rating = o.Rating; var day = o.Day;
        for (var i = 0; i < o.Count; i++)
        {
            if (day[i] > asOf) continue;
            if (relationship[i] == (byte)RelationshipCode.Self) { selfSum[subject[i]] += rating[i]; continue; }
            var c = subject[i] * org.Behaviors + behavior[i];
            sum[c] += rating[i];
            count[c]++;
            raterSum[rater[i]] += rating[i];
        }
        return (double)sum[0] / Math.Max(1, count[0]) + raterSum[0] + selfSum[0];
    }

    public static (double Engine, double Plain) Spearman(SyntheticOrganisation org, ReadinessModel model)
    {
        var o = org.Observations;
        var sum = new double[org.Persons];
        var count = new int[org.Persons];
        for (var i = 0; i < o.Count; i++) { sum[o.Subject[i]] += o.Rating[i]; count[o.Subject[i]]++; }
        var people = Enumerable.Range(0, org.Persons).Where(p => model.EvidenceCount(p) > 0).ToArray();
        var truth = people.Select(org.TrueValues).ToArray();
        return (SyntheticOrganisation.Spearman(people.Select(model.ValuesScore).ToArray(), truth),
                SyntheticOrganisation.Spearman(people.Select(p => sum[p] / count[p]).ToArray(), truth));
    }
}

/// <summary><c>trellis readiness --format csv</c> end to end on SQLite against the sqlite3 CLI grouping the same rows.</summary>
public sealed class ReadinessEndToEndBenchmark : IEndToEndBenchmark
{
    public string Name => "trellis readiness --format csv on SQLite (1,000,000 observations) vs sqlite3";
    public int Order => 41;

    public async Task<IReadOnlyList<BenchFigure>> RunAsync(bool quick, CancellationToken ct)
    {
        var persons = quick ? 1_000 : 10_000;
        var observations = quick ? 100_000L : 1_000_000L;
        var dir = Path.Combine(Path.GetTempPath(), $"trellis-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "trellis.db");
        try
        {
            await CreateDatabaseAsync(path, persons, observations, ct);
            var (ours, ourCode, ourError) = await TimeAsync(TrellisCommand(), ["readiness", "--db", path, "--format", "csv"], ct);
            // Run both twice and keep the second (warm file cache for both); the second run also reports its phases.
            (ours, ourCode, ourError) = await TimeAsync(TrellisCommand(), ["readiness", "--db", path, "--format", "csv"], ct, timings: true);
            const string query = "SELECT subject_id, behavior, avg(rating), count(*) FROM observations GROUP BY 1, 2";
            var (theirs, theirCode, theirError) = await TimeAsync(["sqlite3"], [path, query], ct);
            (theirs, theirCode, theirError) = await TimeAsync(["sqlite3"], [path, query], ct);
            if (ourCode != 0) return [new("trellis readiness", $"failed: {ourError}", "exit 0", false)];
            if (theirCode != 0) return [new("sqlite3", $"failed ({theirError.Trim()}); install it with apt-get install sqlite3", "exit 0", false)];
            var ratio = ours / theirs;
            var scale = quick ? " (quick: 100,000 observations)" : "";
            return
            [
                new($"sqlite3 CLI: {query}{scale}", $"{theirs.TotalMilliseconds:F0} ms", "baseline", null),
                // The goal is stated for 1,000,000 rows; on the quick run's 100,000 the process start-up dominates.
                new($"trellis readiness --format csv, {persons:N0} employees{scale}", $"{ours.TotalMilliseconds:F0} ms",
                    quick ? "≤ 1.2× sqlite3 at 1,000,000 rows (not judged on the quick run)" : "≤ 1.2× sqlite3 (issue 18)", quick ? null : ratio <= 1.2,
                    "whole process: " + string.Join(", ", ourError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))),
                new("ratio", $"{ratio:F2}×", quick ? "≤ 1.2× at 1,000,000 rows (not judged on the quick run)" : "≤ 1.2×", quick ? null : ratio <= 1.2),
            ];
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static string[] TrellisCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(ReadinessEndToEndBenchmark).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, assembly] : [process];
    }

    private static async Task<(TimeSpan Elapsed, int Code, string Error)> TimeAsync(string[] command, string[] args, CancellationToken ct, bool timings = false)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (timings) start.Environment["TRELLIS_TIMINGS"] = "1";
        foreach (var a in command.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        // Drain the output as it comes (both tools print their full result).
        var output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        await output;
        return (clock.Elapsed, process.ExitCode, await error);
    }

    /// <summary>A realistic database: the sample framework, employees in departments, observations from the synthetic generator.</summary>
    private static async Task CreateDatabaseAsync(string path, int persons, long observations, CancellationToken ct)
    {
        var selection = DatabaseSelection.Parse(path);
        await using (var db = selection.CreateContext())
        {
            await db.MigrateAsync(ct);
            var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
            db.FrameworkVersions.Add(new FrameworkVersion { Name = framework.Name, Label = framework.Version, Json = FrameworkJson.Write(framework), CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(ct);
        }
        var org = SyntheticOrganisation.Generate(persons, observations, seed: 99);
        var behaviors = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.Select(b => b.Key).ToArray();
        string[] relationships = ["self", "manager", "peer", "report", "skip_level", "other"];
        string[] levels = ["e2", "e3", "e4", "l3", "l4"];
        await using var connection = new SqliteConnection(selection.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction();
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """INSERT INTO employees (id,name,email,department,track,level,hire_date,status) VALUES ($id,$name,$email,$dept,$track,$level,'2020-01-06','active')""";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var email = insert.Parameters.Add("$email", SqliteType.Text);
            var dept = insert.Parameters.Add("$dept", SqliteType.Text);
            var track = insert.Parameters.Add("$track", SqliteType.Text);
            var level = insert.Parameters.Add("$level", SqliteType.Text);
            for (var p = 0; p < persons; p++)
            {
                id.Value = $"E{p:D6}"; name.Value = $"Person {p}"; email.Value = $"e{p}@example.test"; dept.Value = $"D{org.Department[p]}";
                var l = levels[p % levels.Length];
                level.Value = l; track.Value = l[0] == 'e' ? "expert" : "leader";
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """INSERT INTO observations (id,subject_id,rater_id,relationship,behavior,rating,observed_on,visibility) VALUES ($id,$s,$r,$rel,$b,$y,$d,'shared')""";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var s = insert.Parameters.Add("$s", SqliteType.Text);
            var r = insert.Parameters.Add("$r", SqliteType.Text);
            var rel = insert.Parameters.Add("$rel", SqliteType.Text);
            var b = insert.Parameters.Add("$b", SqliteType.Text);
            var y = insert.Parameters.Add("$y", SqliteType.Integer);
            var d = insert.Parameters.Add("$d", SqliteType.Text);
            insert.Prepare();
            var o = org.Observations;
            // Rows go in by a shuffled id, as real feedback arrives: not grouped by subject.
            for (var i = 0; i < o.Count; i++)
            {
                id.Value = $"O{(i * 7919L) % o.Count:D8}";
                s.Value = $"E{o.Subject[i]:D6}";
                r.Value = $"E{o.Rater[i]:D6}";
                rel.Value = relationships[o.Relationship[i]];
                b.Value = behaviors[o.Behavior[i]];
                y.Value = (int)o.Rating[i];
                d.Value = DateOnly.FromDayNumber(o.Day[i]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
    }
}
