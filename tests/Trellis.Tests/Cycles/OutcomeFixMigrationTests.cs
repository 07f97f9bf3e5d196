using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Cycles;

/// <summary>
/// The data fix of issue 11: the earlier rule published "deferred" for a candidate who never answered and whom the committee
/// decided "not yet". The migration makes those <c>not_promoted</c>, in the nominations and in the promotion history, and
/// leaves every other outcome alone.
/// </summary>
public sealed class OutcomeFixMigrationTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Not_yet_without_a_defer_answer_becomes_not_promoted(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using (var db = database.Selection.CreateContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var fix = migrations.Single(m => m.EndsWith("_TrustworthyCycles", StringComparison.Ordinal));
            var before = migrations[migrations.IndexOf(fix) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);

            // Written by the earlier rule: (employee, answer, last decision, stored outcome).
            (string Id, string? Choice, string? Decision, string Outcome)[] rows =
            [
                ("P1", null, "not_yet", "deferred"),      // the defect: becomes not_promoted
                ("P2", "defer", "not_yet", "deferred"),   // their own deferral: stays
                ("P3", "defer", null, "deferred"),        // stays
                ("P4", null, null, "deferred"),           // no decision at all: stays (nothing to say otherwise)
                ("P5", "accept", "not_yet", "not_promoted"),
                ("P6", "decline", "not_yet", "declined"),
                ("P7", "accept", "promoted", "promoted"),
            ];
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO cycles (id, name, opens_on, closes_on, response_deadline, budget, eligible_levels, phase, created_at, created_by, published_on, revision) " +
                "VALUES (1, 'old', '2025-01-01', '2025-03-01', '2025-02-01', 3, '', 'published', '2025-01-01T00:00:00Z', 'H1', '2025-03-01', 0)");
            var id = 1;
            foreach (var r in rows)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO nominations (id, cycle_id, employee_id, from_level, target_level, rationale, nominated_by, nominated_as, suggested, created_at, " +
                    "choice, decision, version, published_outcome, published_level) VALUES ({0}, 1, {1}, 'e2', 'e3', 'why', 'H1', 'hr', FALSE, '2025-01-02T00:00:00Z', {2}, {3}, 1, {4}, 'e3')",
                    id++, r.Id, r.Choice!, r.Decision!, r.Outcome);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO promotions (cycle, employee_id, decided_on, from_level, to_level, outcome) VALUES ('old', {0}, '2025-03-01', 'e2', 'e3', {1})",
                    r.Id, r.Outcome);
            }

            await db.GetService<IMigrator>().MigrateAsync();
        }

        await using var after = database.Selection.CreateContext();
        var nominations = await after.Nominations.AsNoTracking().OrderBy(n => n.EmployeeId).Select(n => new { n.EmployeeId, n.PublishedOutcome }).ToListAsync();
        var promotions = await after.Promotions.AsNoTracking().OrderBy(p => p.EmployeeId).Select(p => new { p.EmployeeId, p.Outcome }).ToListAsync();
        string[] expected = ["not_promoted", "deferred", "deferred", "deferred", "not_promoted", "declined", "promoted"];
        Assert.Equal(expected, nominations.Select(n => n.PublishedOutcome));
        Assert.Equal(expected, promotions.Select(p => p.Outcome));
        Assert.Equal("self", await after.Cycles.Select(c => c.Recuse).SingleAsync());
    }
}
