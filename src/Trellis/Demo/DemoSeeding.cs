using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Demo;

/// <summary>Reports the progress of seeding, table by table.</summary>
public interface IDemoProgress
{
    /// <summary>A table starts; returns the callback that receives the rows written so far.</summary>
    Action<long> Start(string table, long expectedRows);

    void Done(string table, long rows, TimeSpan elapsed);
}

/// <summary>What a demo seeding wrote.</summary>
public sealed record DemoSeedResult(int Seed, DateOnly Today, IReadOnlyDictionary<string, long> Rows, TimeSpan Elapsed, IReadOnlyList<DemoSignIn> SignIns);

/// <summary>Seeds the demo organisation into an empty database and prints the demo sign-ins.</summary>
public static class DemoSeeding
{
    public const string DemoPassword = DemoOrganisation.DemoPassword;

    /// <summary>The audit-log action that records a demo seeding, with its sign-ins, so a restart can print them again.</summary>
    public const string SeededAction = "demo.seeded";


    private sealed record SeededDetail(int Seed, int Employees, DateOnly Today, IReadOnlyList<SeededSignIn> SignIns);
    private sealed record SeededSignIn(string Role, string EmployeeId);

    /// <summary><c>serve --demo</c>: seeds an empty database, then prints the demo sign-ins (also when it was seeded before).</summary>
    public static async Task SeedIfEmptyAndPrintAsync(IServiceProvider services, ServeOptions serve, CancellationToken ct)
    {
        var db = services.GetRequiredService<TrellisDb>();
        var store = services.GetRequiredService<FrameworkStore>();
        var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
        if (!await db.Employees.AnyAsync(ct))
        {
            var options = new DemoOptions(serve.DemoEmployees, serve.DemoSeed, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
            var result = await SeedAsync(db, store, clock, options, progress: null, ct);
            Console.WriteLine($"Seeded a demo organisation of {result.Rows["employees"]:N0} people (seed {result.Seed}) in {result.Elapsed.TotalSeconds:N1} s.");
        }
        Console.Write(await DescribeSignInsAsync(db, ct));
    }

    /// <summary>
    /// Generates the organisation and writes it in one transaction: the sample framework as a new version, people,
    /// accounts, every kind of evidence and the promotion history. The database must have no employees.
    /// </summary>
    public static async Task<DemoSeedResult> SeedAsync(TrellisDb db, FrameworkStore store, TimeProvider clock, DemoOptions options,
        IDemoProgress? progress, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework
            ?? throw new InvalidOperationException("the sample framework does not parse");
        var generating = Stopwatch.StartNew();
        progress?.Start("organisation", options.Employees);
        var org = DemoOrganisation.Generate(framework, options);
        progress?.Done("organisation", org.People.Count, generating.Elapsed);
        var rows = new Dictionary<string, long>();
        var previousTimeout = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.Provider == DatabaseProvider.Sqlite)
                await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -262144", ct); // 256 MB for the index inserts of this run

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (await db.Employees.AnyAsync(ct))
                throw new InvalidOperationException("the database already has employees; the demo only seeds an empty database");
            await store.SaveVersionAsync(db, framework, "demo", "sample framework of the demo organisation", ct);
            // No readiness to tell: the demo seeds before a server loads readiness, or from the CLI.
            await new Evidence.EvidenceChanges(db).RecordAsync(Evidence.EvidenceChanges.Everything, ct); // new people and evidence: no stored decision snapshot holds

            async Task Copy<T>(string table, long expected, IEnumerable<T> entities) where T : class
            {
                var clockForTable = Stopwatch.StartNew();
                var report = progress?.Start(table, expected);
                rows[table] = await BulkCopy.InsertAsync(db, entities, report, ct);
                progress?.Done(table, rows[table], clockForTable.Elapsed);
            }

            await Copy("employees", org.People.Count, org.Employees());
            await Copy("accounts", org.People.Count(p => p.Active), Accounts(org, clock));
            await Copy("observations", org.ExpectedObservations, org.Observations());
            await Copy("results", org.People.Count * org.Periods.Count, org.Results());
            await Copy("recognitions", org.ExpectedRecognitions, org.Recognitions());
            await Copy("promotions", org.Promotions.Count, org.Promotions);
            await Copy("concerns", org.Concerns.Count, org.Concerns);
            var openCycle = await DemoOpenCycle.AddAsync(db, org, framework, clock, ct);
            rows["nominations"] = await db.Nominations.CountAsync(n => n.CycleId == openCycle.Id, ct);
            rows["promotion_stories"] = await DemoStories.AddAsync(db, org, framework, clock, ct);

            var detail = new SeededDetail(options.Seed, org.People.Count, org.Today,
                org.SignIns.Select(s => new SeededSignIn(s.Role, s.EmployeeId)).ToList());
            db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), Action = SeededAction, Detail = JsonSerializer.Serialize(detail, TrellisJson.Options) });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            if (db.Provider == DatabaseProvider.Sqlite)
                await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -2000", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
            db.Database.SetCommandTimeout(previousTimeout);
        }
        store.Invalidate();
        return new DemoSeedResult(options.Seed, org.Today, rows, total.Elapsed, org.SignIns);
    }

    /// <summary>
    /// One account per active person. Hashing is deliberately slow, so each distinct password is hashed once and
    /// the hash shared (the hash does not depend on the account, and these passwords are public anyway).
    /// </summary>
    private static IEnumerable<Account> Accounts(DemoOrganisation org, TimeProvider clock)
    {
        var hasher = new PasswordHasher<Account>();
        var hashes = new Dictionary<string, string>();
        string Hash(string password)
        {
            if (!hashes.TryGetValue(password, out var hash))
                hashes[password] = hash = hasher.HashPassword(new Account { EmployeeId = "", PasswordHash = "", Roles = "" }, password);
            return hash;
        }
        var now = clock.GetUtcNow();
        foreach (var p in org.People.Where(p => p.Active))
        {
            yield return new Account
            {
                EmployeeId = p.Id,
                PasswordHash = Hash(org.SpecialPasswords.TryGetValue(p.Index, out var special) ? special : DemoOrganisation.DemoPassword),
                Roles = Roles.Join(org.RolesOf(p)),
                CreatedAt = now,
            };
        }
    }

    /// <summary>The demo sign-ins recorded by the last seeding, with the people's current names; null when the database was not seeded by the demo.</summary>
    public static async Task<IReadOnlyList<DemoSignIn>?> LoadSignInsAsync(TrellisDb db, CancellationToken ct)
    {
        var entry = await db.AuditLog.AsNoTracking().Where(e => e.Action == SeededAction).OrderByDescending(e => e.Id)
            .Select(e => e.Detail).FirstOrDefaultAsync(ct);
        if (entry is null) return null;
        var detail = JsonSerializer.Deserialize<SeededDetail>(entry, TrellisJson.Options);
        if (detail is null) return null;
        var ids = detail.SignIns.Select(s => s.EmployeeId).ToList();
        var people = await db.Employees.AsNoTracking().Where(e => ids.Contains(e.Id))
            .Join(db.Accounts, e => e.Id, a => a.EmployeeId, (e, a) => new { e.Id, e.Name, e.Title })
            .ToDictionaryAsync(e => e.Id, ct);
        return detail.SignIns.Where(s => people.ContainsKey(s.EmployeeId))
            .Select(s => new DemoSignIn(s.Role, s.EmployeeId, DemoOrganisation.RolePasswords[s.Role], people[s.EmployeeId].Name, people[s.EmployeeId].Title ?? ""))
            .ToList();
    }

    /// <summary>The sign-in table printed by <c>serve --demo</c> and <c>trellis demo</c>.</summary>
    public static async Task<string> DescribeSignInsAsync(TrellisDb db, CancellationToken ct)
    {
        var signIns = await LoadSignInsAsync(db, ct);
        if (signIns is null)
        {
            var count = await db.Employees.CountAsync(ct);
            return $"The database already has {count:N0} employees that trellis demo did not create, so there are no demo sign-ins to print.{Environment.NewLine}";
        }
        return FormatSignIns(signIns);
    }

    public static string FormatSignIns(IReadOnlyList<DemoSignIn> signIns)
    {
        var rows = signIns.Select(s => new[] { s.Role, s.EmployeeId, s.Password, $"{s.Name}, {s.Title}" }).Prepend(["role", "sign-in", "password", "name"]).ToList();
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new System.Text.StringBuilder("Demo sign-ins (employee id or email):").AppendLine();
        foreach (var row in rows)
            text.Append("  ").AppendJoin("  ", row.Select((cell, c) => c == 3 ? cell : cell.PadRight(widths[c]))).AppendLine();
        text.Append($"Everyone else in the demo signs in with their employee id or email and the password {DemoPassword}.").AppendLine();
        return text.ToString();
    }
}
