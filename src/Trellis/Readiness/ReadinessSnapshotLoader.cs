using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;

namespace Trellis.Readiness;

/// <summary>The evidence snapshot as the engine wants it, plus the department of each person (the rater groups).</summary>
public sealed record LoadedEvidence(EvidenceSnapshot Snapshot, int[] Departments);

/// <summary>
/// Streams the evidence tables into the engine's compact arrays with plain ADO.NET (no tracked entities, no object per
/// row): employees, observations, results and substantiated concerns.
/// </summary>
public static class ReadinessSnapshotLoader
{
    public static async Task<LoadedEvidence> LoadAsync(TrellisDb db, CareerFramework framework, CancellationToken ct = default)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            var sqlite = db.Provider == DatabaseProvider.Sqlite;
            var ids = new List<string>();
            var levels = new List<string?>();
            var departmentOf = new List<int>();
            var departments = new Dictionary<string, int>(StringComparer.Ordinal);
            var index = new Dictionary<string, int>(StringComparer.Ordinal);

            int Person(string id)
            {
                if (index.TryGetValue(id, out var p)) return p;
                // Someone who is not (or no longer) in the employee table still rated people: they get an index, no report.
                p = ids.Count;
                index[id] = p;
                ids.Add(id);
                levels.Add(null);
                departmentOf.Add(DepartmentIndex(null));
                return p;
            }
            int DepartmentIndex(string? department)
            {
                department ??= "";
                if (!departments.TryGetValue(department, out var d)) departments[department] = d = departments.Count;
                return d;
            }

            await using (var command = Command(connection, """SELECT id, level, status, department FROM employees"""))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetString(0);
                    index[id] = ids.Count;
                    ids.Add(id);
                    levels.Add(reader.GetString(2) == EmployeeStatus.Active ? reader.GetString(1) : null);
                    departmentOf.Add(DepartmentIndex(reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }

            var behaviorKeys = framework.Behaviors.Select(b => b.Key).ToArray();
            var behaviorIndex = behaviorKeys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
            var relationships = Relationships.All.ToDictionary(r => r, RelationshipCodes.Parse, StringComparer.Ordinal);
            var count = await ScalarAsync(connection, "SELECT COUNT(*) FROM observations", ct);
            var table = new ObservationTable((int)Math.Min(count + 16, int.MaxValue));
            await using (var command = Command(connection, """SELECT subject_id, rater_id, relationship, behavior, rating, observed_on FROM observations"""))
            await using (var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var subject = Person(reader.GetString(0));
                    var rater = Person(reader.GetString(1));
                    // Observations are validated on the way in; anything the current framework no longer knows is left out.
                    if (!relationships.TryGetValue(reader.GetString(2), out var relationship)) continue;
                    if (!behaviorIndex.TryGetValue(reader.GetString(3), out var behavior)) continue;
                    var rating = reader.GetInt32(4);
                    if (rating is < 1 or > 5) continue;
                    var day = sqlite ? ParseDay(reader.GetString(5)) : reader.GetFieldValue<DateOnly>(5).DayNumber;
                    table.Add(subject, rater, behavior, relationship, rating, day);
                }
            }
            table.TrimExcess();

            var results = new List<ResultEntry>();
            await using (var command = Command(connection, """SELECT employee_id, period, period_end, score FROM results"""))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    results.Add(new ResultEntry(Person(reader.GetString(0)), reader.GetString(1), ReadDate(reader, 2, sqlite), reader.GetDouble(3)));

            var concerns = new List<ConcernEntry>();
            await using (var command = Command(connection, """SELECT employee_id, recorded_on FROM concerns WHERE substantiated """))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    concerns.Add(new ConcernEntry(Person(reader.GetString(0)), ReadDate(reader, 1, sqlite)));

            var snapshot = new EvidenceSnapshot
            {
                PersonIds = ids, CurrentLevels = levels, BehaviorKeys = behaviorKeys, Observations = table, Results = results, Concerns = concerns,
            };
            return new LoadedEvidence(snapshot, [.. departmentOf]);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        return command;
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DateOnly ReadDate(DbDataReader reader, int column, bool sqlite) =>
        sqlite ? DateOnly.FromDayNumber(ParseDay(reader.GetString(column))) : reader.GetFieldValue<DateOnly>(column);

    /// <summary>yyyy-MM-dd as stored by EF Core on SQLite, without the general-purpose parser.</summary>
    private static int ParseDay(string text)
    {
        if (text.Length >= 10 && text[4] == '-' && text[7] == '-')
        {
            var y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
            var m = (text[5] - '0') * 10 + (text[6] - '0');
            var d = (text[8] - '0') * 10 + (text[9] - '0');
            return new DateOnly(y, m, d).DayNumber;
        }
        return DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture).DayNumber;
    }
}
