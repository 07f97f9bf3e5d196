using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Data;

public sealed class BulkCopyTests
{
    private static async Task<TrellisDb> OpenAsync(TestDatabase database)
    {
        var db = database.Selection.CreateContext();
        await db.MigrateAsync();
        return db;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Entities_round_trip_with_every_value_kind_and_a_partial_last_batch(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var db = await OpenAsync(database);
        var observations = Enumerable.Range(1, 123).Select(i => new Observation
        {
            Id = $"O{i:D4}", SubjectId = "E1", RaterId = i % 2 == 0 ? "E2" : "E1", Relationship = i % 2 == 0 ? "peer" : "self",
            Behavior = "asks-why", Rating = 1 + i % 5, ObservedOn = new DateOnly(2025, 1, 1).AddDays(i),
            Comment = i % 3 == 0 ? null : $"comment \"{i}\", with 'quotes' and ünïcode", Visibility = "shared",
        }).ToList();
        var reported = new List<long>();
        Assert.Equal(123, await BulkCopy.InsertAsync(db, observations, reported.Add));
        Assert.Equal(123, reported[^1]);
        var concerns = new[]
        {
            new Concern { Id = "C1", EmployeeId = "E1", Category = "conduct", Substantiated = true, RecordedOn = new DateOnly(2024, 2, 29) },
            new Concern { Id = "C2", EmployeeId = "E2", Category = "other", Substantiated = false, RecordedOn = new DateOnly(2025, 12, 31) },
        };
        Assert.Equal(2, await BulkCopy.InsertAsync(db, concerns));
        var results = new[] { new ResultRecord { EmployeeId = "E1", Period = "2025-H2", PeriodEnd = new DateOnly(2025, 12, 31), Score = 3.7 } };
        Assert.Equal(1, await BulkCopy.InsertAsync(db, results));
        Assert.Equal(0, await BulkCopy.InsertAsync(db, Array.Empty<Recognition>()));
        db.Employees.Add(new Employee { Id = "E1", Name = "One", Email = "one@example.test", Track = "expert", Level = "e1", HireDate = new DateOnly(2020, 1, 1) });
        await db.SaveChangesAsync();
        var created = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        Assert.Equal(1, await BulkCopy.InsertAsync(db, new[] { new Account { EmployeeId = "E1", PasswordHash = "hash", Roles = "employee", CreatedAt = created } }));

        db.ChangeTracker.Clear();
        var read = await db.Observations.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
        Assert.Equal(observations.Select(Text), read.Select(Text));
        Assert.Equal(concerns.Select(c => $"{c.Id}|{c.Substantiated}|{c.RecordedOn}"),
            (await db.Concerns.AsNoTracking().OrderBy(c => c.Id).ToListAsync()).Select(c => $"{c.Id}|{c.Substantiated}|{c.RecordedOn}"));
        Assert.Equal(3.7, (await db.Results.SingleAsync()).Score);
        var account = await db.Accounts.AsNoTracking().SingleAsync();
        Assert.True(account.Id > 0);
        Assert.Equal(created, account.CreatedAt);
        Assert.Null(account.LockedUntil);

        static string Text(Observation o) => $"{o.Id}|{o.SubjectId}|{o.RaterId}|{o.Relationship}|{o.Behavior}|{o.Rating}|{o.ObservedOn}|{o.Comment}|{o.Visibility}";
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Rows_join_the_callers_transaction_and_a_bad_row_writes_nothing(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var db = await OpenAsync(database);
        string[] columns = ["employee_id", "period", "period_end", "score"];
        IEnumerable<object?[]> Rows(int n) => Enumerable.Range(1, n).Select(i => new object?[] { $"E{i}", "2025-H1", new DateOnly(2025, 6, 30), 3.0 });

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(500, await BulkCopy.InsertAsync(db, "results", columns, Rows(500)));
            await transaction.RollbackAsync();
        }
        Assert.Equal(0, await db.Results.CountAsync());

        var bad = Rows(300).Append(["E999", "2025-H1"]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BulkCopy.InsertAsync(db, "results", columns, bad));
        Assert.Contains("row 301 for results has 2 values but 4 columns", error.Message);
        Assert.Equal(0, await db.Results.CountAsync());

        Assert.Equal(77, await BulkCopy.InsertAsync(db, "results", columns, Rows(77)));
        Assert.Equal(77, await db.Results.CountAsync());
    }
}
