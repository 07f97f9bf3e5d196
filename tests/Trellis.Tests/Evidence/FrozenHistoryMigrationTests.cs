using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

/// <summary>
/// The backfill of <c>observation_versions.shown_until</c>: a version whose change was released before the column existed
/// gets the moment that change was released, so that the subject's past days keep showing it up to then.
/// </summary>
public sealed class FrozenHistoryMigrationTests
{
    private static DateTime At(int day, int hour = 12) => new(2026, 1, day, hour, 0, 0, DateTimeKind.Utc);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Versions_whose_change_was_released_end_when_their_batch_was_released(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using (var db = database.Selection.CreateContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var frozen = migrations.Single(m => m.EndsWith("_FrozenFeedbackHistory", StringComparison.Ordinal));
            await db.GetService<IMigrator>().MigrateAsync(migrations[migrations.IndexOf(frozen) - 1]);

            async Task ObservationAsync(string id, string rater, string relationship, DateTime released) =>
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO observations (id, subject_id, rater_id, relationship, behavior, rating, observed_on, visibility, released_at) " +
                    "VALUES ({0}, 'E1', {1}, {2}, 'asks-why', 3, {3}, 'shared', {4})", id, rater, relationship, new DateOnly(2026, 1, 2), released);
            async Task VersionAsync(string id, string rater, string relationship, string change, DateTime changed, DateTime released, bool shown) =>
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO observation_versions (observation_id, version, change, changed_at, subject_id, rater_id, relationship, behavior, rating, " +
                    "observed_on, visibility, released_at, shown_to_subject) VALUES ({0}, 1, {1}, {2}, 'E1', {3}, {4}, 'asks-why', 4, {5}, 'shared', {6}, {7})",
                    id, change, changed, rater, relationship, new DateOnly(2026, 1, 2), released, shown);

            // "other": a batch released on the 5th; R1 edited on the 8th, R2 withdrew on the 9th, and both changes went out
            // with R4's new answer on the 10th (R1's row and R4's released then). A later batch on the 20th changes nothing.
            await ObservationAsync("O1", "R1", "other", At(10));
            await ObservationAsync("O3", "R3", "other", At(5));
            await ObservationAsync("O4", "R4", "other", At(10));
            await ObservationAsync("O5", "R5", "other", At(20));
            await VersionAsync("O1", "R1", "other", "edited", At(8), At(5), shown: false);
            await VersionAsync("O2", "R2", "other", "withdrawn", At(9), At(5), shown: false);
            // "peer": three withdrawals that made a batch alone (no row released with them): they end together, with the last.
            await VersionAsync("P1", "R1", "peer", "withdrawn", At(11), At(5), shown: false);
            await VersionAsync("P2", "R2", "peer", "withdrawn", At(12), At(5), shown: false);
            await VersionAsync("P3", "R3", "peer", "withdrawn", At(13), At(5), shown: false);
            // Still shown (its change waits), attributed (never held back), never released: no window to end.
            await VersionAsync("O6", "R6", "report", "edited", At(14), At(5), shown: true);
            await VersionAsync("O7", "M2", "manager", "edited", At(14), At(5), shown: false);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO observation_versions (observation_id, version, change, changed_at, subject_id, rater_id, relationship, behavior, rating, " +
                "observed_on, visibility, shown_to_subject) VALUES ('O8', 1, 'edited', {0}, 'E1', 'R8', 'other', 'asks-why', 2, {1}, 'shared', FALSE)",
                At(14), new DateOnly(2026, 1, 2));

            await db.GetService<IMigrator>().MigrateAsync();
        }

        await using var after = database.Selection.CreateContext();
        var until = await after.ObservationVersions.AsNoTracking().ToDictionaryAsync(v => v.ObservationId, v => v.ShownUntil);
        DateTimeOffset Utc(DateTime t) => new(t, TimeSpan.Zero);
        Assert.Equal(Utc(At(10)), until["O1"]);
        Assert.Equal(Utc(At(10)), until["O2"]);
        Assert.Equal(new DateTimeOffset?[] { Utc(At(13)), Utc(At(13)), Utc(At(13)) }, new[] { until["P1"], until["P2"], until["P3"] });
        Assert.Null(until["O6"]);
        Assert.Null(until["O7"]);
        Assert.Null(until["O8"]);
    }
}
