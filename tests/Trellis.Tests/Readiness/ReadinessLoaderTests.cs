using Microsoft.EntityFrameworkCore;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Readiness;

/// <summary>
/// The SQLite fast path of the evidence loader (native statements on mutex-free connections, UTF-8 id look-ups, rows
/// naming people outside the employee table resolved afterwards) must read exactly what plain ADO.NET reads.
/// SQLite only: PostgreSQL always takes the ADO.NET path.
/// </summary>
public sealed class ReadinessLoaderTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Native_sqlite_reader_reads_exactly_what_ado_net_reads()
    {
        await using var app = await TrellisApp.StartAsync(Provider.Sqlite);
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        var behaviors = framework.Behaviors.Select(b => b.Key).ToArray();
        string[] relationships = ["self", "manager", "peer", "report", "skip_level", "other"];
        await app.WithDbAsync(async db =>
        {
            db.Employees.Add(new Employee { Id = "Ü7-é", Name = "Ünal", Email = "u@example.test", Track = "expert", Level = "e2", HireDate = Today.AddYears(-2) });
            var random = new Random(7);
            string[] people = ["E1", "E2", "E3", "M1", "M2", "Ü7-é"];
            for (var i = 0; i < 3000; i++)
            {
                // Raters include someone who is not (or no longer) an employee, in two spellings that differ only in case.
                var rater = (i % 11) switch { 0 => "GONE-1", 1 => "gone-1", _ => people[random.Next(people.Length)] };
                db.Observations.Add(new Observation
                {
                    Id = $"L{i:D5}", SubjectId = people[random.Next(people.Length)], RaterId = rater,
                    Relationship = relationships[random.Next(relationships.Length)],
                    // A behaviour the current framework no longer has is left out by both paths.
                    Behavior = i % 97 == 0 ? "retired-behaviour" : behaviors[random.Next(behaviors.Length)],
                    Rating = 1 + random.Next(5), ObservedOn = Today.AddDays(-random.Next(900)),
                });
            }
            await db.SaveChangesAsync();
        });

        var native = await LoadAsync(app, framework, nativeSqlite: true);
        var plain = await LoadAsync(app, framework, nativeSqlite: false);

        Assert.Equal(plain.Snapshot.PersonIds, native.Snapshot.PersonIds);
        Assert.Contains("GONE-1", native.Snapshot.PersonIds);
        Assert.Contains("gone-1", native.Snapshot.PersonIds);
        Assert.Equal(plain.Departments, native.Departments);
        var expected = Rows(plain.Snapshot);
        Assert.Equal(3000 - 31, expected.Count); // 31 rows name the retired behaviour
        Assert.Equal(expected, Rows(native.Snapshot));
    }

    private static async Task<LoadedEvidence> LoadAsync(TrellisApp app, CareerFramework framework, bool nativeSqlite) =>
        await app.WithDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try { return await ReadinessSnapshotLoader.LoadAsync(connection, framework, nativeSqlite, mark: null); }
            finally { await db.Database.CloseConnectionAsync(); }
        });

    /// <summary>Every observation by ids, sorted: the engine does not depend on row order, so neither does this comparison.</summary>
    private static List<string> Rows(EvidenceSnapshot snapshot)
    {
        var o = snapshot.Observations;
        var rows = new List<string>(o.Count);
        for (var i = 0; i < o.Count; i++)
            rows.Add($"{snapshot.PersonIds[o.Subject[i]]}|{snapshot.PersonIds[o.Rater[i]]}|{o.Behavior[i]}|{o.Relationship[i]}|{o.Rating[i]}|{o.Day[i]}");
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}

public sealed class ReadinessCsvNumberTests
{
    [Fact]
    public void Numbers_print_exactly_as_the_two_decimal_format_does()
    {
        var values = new List<double>();
        for (var cents = -10_000; cents <= 100_000; cents++) values.Add(Math.Round(cents / 100.0, 2));
        var random = new Random(3);
        for (var i = 0; i < 10_000; i++) values.Add(Math.Round((random.NextDouble() - 0.2) * 1e6, random.Next(4)));
        values.AddRange([0.0, -0.0, 1e-9, 123456789.125, double.MaxValue, 1e20, 0.005, 2.675]);
        foreach (var v in values)
        {
            var line = Trellis.Readiness.ReadinessCommand.Number(new System.Text.StringBuilder(), v).ToString();
            Assert.True(v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) == line, $"{v:R}: printed {line}");
        }
        Assert.Equal("", Trellis.Readiness.ReadinessCommand.Number(new System.Text.StringBuilder(), null).ToString());
    }
}

/// <summary>
/// <c>trellis readiness</c> decides whether a SQLite database needs migrating from the migration ids the build writes
/// into the assembly (from the migration file names); they must be exactly the migrations EF Core would apply.
/// </summary>
public sealed class CompiledMigrationsTests
{
    [Fact]
    public async Task The_ids_written_by_the_build_are_the_migrations_ef_core_knows()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trellis-migrations-{Guid.NewGuid():N}.db");
        await using var db = DatabaseSelection.Parse(path).CreateContext();
        var efCore = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(efCore);
        Assert.Equal(efCore.Order(StringComparer.Ordinal), CompiledMigrations.Sqlite.Order(StringComparer.Ordinal));
    }
}
