using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;

namespace Trellis.Readiness;

/// <summary>The evidence snapshot as the engine wants it, plus the department of each person (the rater groups).</summary>
public sealed record LoadedEvidence(EvidenceSnapshot Snapshot, int[] Departments);

/// <summary>
/// Streams the evidence tables into the engine's compact arrays with plain ADO.NET (no EF model, no tracked entities,
/// no object per row): employees, observations, results and substantiated concerns. On SQLite the observations are
/// read through the native statement API, and ids, behaviours and relationships are matched as UTF-8 bytes, so a row
/// allocates nothing.
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
            return await LoadAsync(connection, framework, ct);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Loads from an open connection (SQLite or PostgreSQL).</summary>
    public static Task<LoadedEvidence> LoadAsync(DbConnection connection, CareerFramework framework, CancellationToken ct = default) =>
        LoadAsync(connection, framework, nativeSqlite: true, mark: null, ct);

    /// <summary>
    /// As above; <paramref name="nativeSqlite"/> false reads SQLite through plain ADO.NET too (tests compare the two
    /// paths), and <paramref name="mark"/> is called with the name of each part read as it ends (for <c>TRELLIS_TIMINGS</c>).
    /// </summary>
    internal static async Task<LoadedEvidence> LoadAsync(DbConnection connection, CareerFramework framework, bool nativeSqlite, Action<string>? mark, CancellationToken ct = default)
    {
        var sqlite = connection is SqliteConnection;
        var people = new People();

        await using (var command = Command(connection, """SELECT id, level, status, department FROM employees"""))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            // SQLite reads are synchronous whatever the API, so its rows are read in a plain (optimised) loop.
            if (sqlite) ReadEmployees(reader, people);
            else
                while (await reader.ReadAsync(ct)) AddEmployee(reader, people);
        }

        mark?.Invoke("employees");
        var behaviorKeys = framework.Behaviors.Select(b => b.Key).ToArray();
        ObservationTable table;
        if (connection is SqliteConnection native && nativeSqlite) table = await ReadObservationsNativeAsync(native, people, behaviorKeys, ct);
        else
        {
            var count = await ScalarAsync(connection, "SELECT COUNT(*) FROM observations", ct);
            table = new ObservationTable((int)Math.Min(count + 16, int.MaxValue));
            await ReadObservationsAsync(connection, people, behaviorKeys, table, ct);
        }
        // Rows come in the order they were stored (as feedback arrived); every fit reads them grouped by subject.
        table.GroupBySubject();
        mark?.Invoke("observations");

        var results = new List<ResultEntry>();
        await using (var command = Command(connection, """SELECT employee_id, period, period_end, score FROM results"""))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                results.Add(new ResultEntry(people.Person(reader.GetString(0)), reader.GetString(1), ReadDate(reader, 2, sqlite), reader.GetDouble(3)));

        var concerns = new List<ConcernEntry>();
        await using (var command = Command(connection, """SELECT employee_id, recorded_on FROM concerns WHERE substantiated """))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                concerns.Add(new ConcernEntry(people.Person(reader.GetString(0)), ReadDate(reader, 1, sqlite)));

        mark?.Invoke("results and concerns");
        var snapshot = new EvidenceSnapshot
        {
            PersonIds = people.Ids, CurrentLevels = people.Levels, BehaviorKeys = behaviorKeys, Observations = table, Results = results, Concerns = concerns,
        };
        return new LoadedEvidence(snapshot, [.. people.DepartmentOf]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadEmployees(DbDataReader reader, People people)
    {
        while (reader.Read()) AddEmployee(reader, people);
    }

    private static void AddEmployee(DbDataReader reader, People people) =>
        people.AddEmployee(reader.GetString(0), reader.GetString(2) == EmployeeStatus.Active ? reader.GetString(1) : null,
            reader.IsDBNull(3) ? null : reader.GetString(3));

    /// <summary>The person space: employees first, then anyone else who rated someone (an index, no report).</summary>
    private sealed class People
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Utf8Index _utf8 = new();
        private readonly Dictionary<string, int> _departments = new(StringComparer.Ordinal);
        public readonly List<string> Ids = [];
        public readonly List<string?> Levels = [];
        public readonly List<int> DepartmentOf = [];

        /// <summary>The index of someone already known by their UTF-8 id, else −1. Only reads: safe while other threads read too.</summary>
        public int FindUtf8(ReadOnlySpan<byte> id) => _utf8.Find(id);

        public void AddEmployee(string id, string? level, string? department) => Add(id, level, department);

        /// <summary>The person's index; someone who is not (or no longer) in the employee table still rated people: they get an index, no report.</summary>
        public int Person(string id) => _index.TryGetValue(id, out var p) ? p : Add(id, null, null);

        private int Add(string id, string? level, string? department)
        {
            var p = Ids.Count;
            _utf8.Add(id, p);
            _index[id] = p;
            Ids.Add(id);
            Levels.Add(level);
            DepartmentOf.Add(Department(department));
            return p;
        }

        private int Department(string? department)
        {
            department ??= "";
            if (!_departments.TryGetValue(department, out var d)) _departments[department] = d = _departments.Count;
            return d;
        }
    }

    private const string ObservationsSql = """SELECT subject_id, rater_id, relationship, behavior, rating, observed_on FROM observations""";

    private static async Task ReadObservationsAsync(DbConnection connection, People people, string[] behaviorKeys, ObservationTable table, CancellationToken ct)
    {
        var behaviorIndex = behaviorKeys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        await using var command = Command(connection, ObservationsSql);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var subjectId = reader.GetString(0);
            var raterId = reader.GetString(1);
            // Observations are validated on the way in; anything the current framework no longer knows is left out,
            // and only the rows kept give someone outside the employee table a place in the person space.
            if (!RelationshipCodes.TryParse(reader.GetString(2), out var relationship)) continue;
            if (!behaviorIndex.TryGetValue(reader.GetString(3), out var behavior)) continue;
            var rating = reader.GetInt32(4);
            if (rating is < 1 or > 5) continue;
            var day = reader.GetFieldValue<DateOnly>(5).DayNumber;
            table.Add(people.Person(subjectId), people.Person(raterId), behavior, relationship, rating, day);
        }
    }

    /// <summary>Rowid ranges read in parallel (each by its own connection) and parsed in rowid order.</summary>
    private const int Ranges = 16;

    /// <summary>The columns a reader steps through, by rowid range.</summary>
    private const string RangeSql = """
        SELECT subject_id, rater_id, relationship, behavior, rating, observed_on
        FROM observations WHERE rowid >= {0} AND rowid < {1}
        """;
    private static readonly System.Text.CompositeFormat RangeSqlFormat = System.Text.CompositeFormat.Parse(RangeSql);

    /// <summary>
    /// Rows kept aside because they name someone not yet in the person space: their fields already parsed, and both
    /// ids as UTF-8 bytes back to back in one buffer.
    /// </summary>
    private sealed class DeferredRows
    {
        public readonly record struct Row(int Behavior, RelationshipCode Relationship, int Rating, int Day, int SubjectEnd, int RaterEnd);

        public byte[] Ids = new byte[1 << 12];
        public int Length;
        public readonly List<Row> Rows = [];

        public void Add(int behavior, RelationshipCode relationship, int rating, int day, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> rater)
        {
            var needed = Length + subject.Length + rater.Length;
            if (needed > Ids.Length) Array.Resize(ref Ids, Math.Max(Ids.Length * 2, needed));
            subject.CopyTo(Ids.AsSpan(Length));
            Length += subject.Length;
            var subjectEnd = Length;
            rater.CopyTo(Ids.AsSpan(Length));
            Length += rater.Length;
            Rows.Add(new Row(behavior, relationship, rating, day, subjectEnd, Length));
        }
    }

    /// <summary>What one reader made of a rowid range: rows whose people are known, and the rows that name someone new.</summary>
    private sealed class RangeResult
    {
        public readonly ObservationTable Table = new(1 << 14);
        public readonly DeferredRows Deferred = new();
    }

    /// <summary>
    /// SQLite: two reader connections step through rowid ranges through the native statement API (no string per row)
    /// and turn rows into observations themselves, looking people up in the employee index (read-only while they
    /// run). Rows naming someone who is not an employee are kept aside and resolved afterwards on this thread, in rowid
    /// order, so that new person indices do not depend on thread timing. The engine does not depend on row order.
    /// </summary>
    private static async Task<ObservationTable> ReadObservationsNativeAsync(SqliteConnection connection, People people, string[] behaviorKeys, CancellationToken ct)
    {
        long lo, hi;
        // The rowid span bounds the ranges (COUNT(*) would scan the whole table once more). Each bound is its own
        // subquery: min and max in one SELECT make SQLite scan a whole index (90 ms at a million rows) instead of
        // reading one end of the table's b-tree each.
        await using (var command = Command(connection, "SELECT (SELECT min(rowid) FROM observations), (SELECT max(rowid) FROM observations)"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct) || reader.IsDBNull(0)) return new ObservationTable();
            lo = reader.GetInt64(0);
            hi = reader.GetInt64(1) + 1;
        }
        RangeResult[] results;
        var builder = new SqliteConnectionStringBuilder(connection.ConnectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            // An in-memory database is private to its connection: read it on that connection, in one go.
            var handle = connection.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
            results = [ReadRange(handle, lo, hi, new RowParser(people, behaviorKeys), ct)];
        }
        else
        {
            results = new RangeResult[Ranges];
            var next = -1;
            var connectionString = connection.ConnectionString;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                // A read-only native connection without SQLite's per-call mutex: it is used by this thread alone.
                var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
                var rc = raw.sqlite3_open_v2(path, out var own, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
                using var _ = own;
                if (rc != raw.SQLITE_OK) Check(own, rc);
                var parser = new RowParser(people, behaviorKeys);
                int k;
                while ((k = Interlocked.Increment(ref next)) < Ranges)
                {
                    var from = lo + (hi - lo) * k / Ranges;
                    var to = lo + (hi - lo) * (k + 1) / Ranges;
                    results[k] = ReadRange(own, from, to, parser, stop.Token);
                }
            }, CancellationToken.None)).ToArray();
            try
            {
                await Task.WhenAll(readers).WaitAsync(ct);
            }
            catch
            {
                await stop.CancelAsync();
                try { await Task.WhenAll(readers); } catch (Exception) { /* the first failure is rethrown below */ }
                throw;
            }
        }

        var table = new ObservationTable(Math.Max(1, results.Sum(r => r.Table.Count + r.Deferred.Rows.Count)));
        foreach (var r in results) table.Append(r.Table);
        // In rowid order, so that new people get the same indices whatever the thread timing.
        foreach (var r in results) ResolveDeferred(people, r.Deferred, table);
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RangeResult ReadRange(sqlite3 handle, long lo, long hi, RowParser parser, CancellationToken ct)
    {
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, RangeSqlFormat, lo, hi);
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        var result = new RangeResult();
        try
        {
            int rc, rows = 0;
            var native = statement.DangerousGetHandle();
            while ((rc = SqliteNative.Step(native)) == raw.SQLITE_ROW)
            {
                if ((++rows & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                parser.ParseColumns(native, result.Table, result.Deferred);
            }
            if (rc != raw.SQLITE_DONE) Check(handle, rc);
        }
        finally
        {
            raw.sqlite3_finalize(statement);
        }
        return result;
    }

    private sealed class RowParser(People people, string[] behaviorKeys)
    {
        private readonly byte[][] _behaviors = behaviorKeys.Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
        private readonly (byte[] Bytes, RelationshipCode Code)[] _relationships =
            Relationships.All.Select(r => (Encoding.UTF8.GetBytes(r), RelationshipCodes.Parse(r))).ToArray();
        private readonly byte[] _lastSubject = new byte[256];
        private int _lastSubjectLength = -1, _lastSubjectIndex = -1;

        /// <summary>
        /// Adds the statement's current row (<see cref="RangeSql"/>) when both people are known, leaves out a row the
        /// framework no longer knows, and keeps aside one that names someone new. Only reads shared state: safe from
        /// several threads.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ParseColumns(IntPtr statement, ObservationTable table, DeferredRows deferred)
        {
            var behaviorBytes = SqliteNative.Column(statement, 3);
            var behavior = -1;
            for (var b = 0; b < _behaviors.Length; b++)
                if (behaviorBytes.SequenceEqual(_behaviors[b])) { behavior = b; break; }
            if (behavior < 0) return; // a behaviour the current framework no longer has (or NULL)
            var relationshipBytes = SqliteNative.Column(statement, 2);
            var relationship = (RelationshipCode)255;
            foreach (var (bytes, code) in _relationships)
                if (relationshipBytes.SequenceEqual(bytes)) { relationship = code; break; }
            if ((byte)relationship == 255) return;
            if (SqliteNative.ColumnType(statement, 4) != raw.SQLITE_INTEGER) return;
            var rating = SqliteNative.ColumnInt(statement, 4);
            if (rating is < 1 or > 5) return;
            var dayBytes = SqliteNative.Column(statement, 5);
            if (dayBytes.IsEmpty) return;
            var day = ParseDay(dayBytes);
            var subjectBytes = SqliteNative.Column(statement, 0);
            var raterBytes = SqliteNative.Column(statement, 1);
            int subject;
            if (subjectBytes.Length == _lastSubjectLength && subjectBytes.SequenceEqual(_lastSubject.AsSpan(0, _lastSubjectLength))) subject = _lastSubjectIndex;
            else
            {
                subject = people.FindUtf8(subjectBytes);
                if (subject >= 0 && subjectBytes.Length <= _lastSubject.Length)
                {
                    subjectBytes.CopyTo(_lastSubject);
                    _lastSubjectLength = subjectBytes.Length;
                    _lastSubjectIndex = subject;
                }
            }
            var rater = subject < 0 ? -1 : people.FindUtf8(raterBytes);
            if (rater < 0) deferred.Add(behavior, relationship, rating, day, subjectBytes, raterBytes);
            else table.Add(subject, rater, behavior, relationship, rating, day);
        }
    }

    /// <summary>Rows naming people outside the employee table, in the order they were read: new people get the next indices.</summary>
    private static void ResolveDeferred(People people, DeferredRows deferred, ObservationTable table)
    {
        var start = 0;
        foreach (var row in deferred.Rows)
        {
            var subject = people.Person(Encoding.UTF8.GetString(deferred.Ids, start, row.SubjectEnd - start));
            var rater = people.Person(Encoding.UTF8.GetString(deferred.Ids, row.SubjectEnd, row.RaterEnd - row.SubjectEnd));
            table.Add(subject, rater, row.Behavior, row.Relationship, row.Rating, row.Day);
            start = row.RaterEnd;
        }
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException($"SQLite error {rc} reading observations: {raw.sqlite3_errmsg(handle).utf8_to_string()}", rc);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ParseDay(ReadOnlySpan<byte> text)
    {
        if (text.Length >= 10 && text[4] == '-' && text[7] == '-' && IsDigits(text[..4]) && IsDigits(text.Slice(5, 2)) && IsDigits(text.Slice(8, 2)))
        {
            var y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
            var m = (text[5] - '0') * 10 + (text[6] - '0');
            var d = (text[8] - '0') * 10 + (text[9] - '0');
            return new DateOnly(y, m, d).DayNumber;
        }
        return ParseDay(Encoding.UTF8.GetString(text));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
            if (c is < (byte)'0' or > (byte)'9') return false;
        return true;
    }
}

/// <summary>
/// Person ids as UTF-8 bytes → index (open addressing): SQLite hands ids over as UTF-8, and looking them up without
/// first turning them into strings is what makes reading a million observations cheap. Reads are safe from several
/// threads while nobody adds.
/// </summary>
internal sealed class Utf8Index
{
    private int[] _slots = new int[1024];
    private byte[] _bytes = new byte[4096];
    private int[] _start = new int[256], _length = new int[256];
    private int _count, _used;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(string id, int index)
    {
        var bytes = Encoding.UTF8.GetBytes(id);
        if (Find(bytes) >= 0) return;
        if ((_count + 1) * 2 > _slots.Length) Rehash(_slots.Length * 2);
        if (_used + bytes.Length > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + bytes.Length));
        if (index >= _start.Length)
        {
            Array.Resize(ref _start, Math.Max(_start.Length * 2, index + 1));
            Array.Resize(ref _length, _start.Length);
        }
        bytes.CopyTo(_bytes, _used);
        _start[index] = _used;
        _length[index] = bytes.Length;
        _used += bytes.Length;
        Insert(index);
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Find(ReadOnlySpan<byte> key)
    {
        var mask = _slots.Length - 1;
        for (var i = Hash(key) & mask; ; i = (i + 1) & mask)
        {
            var entry = _slots[i];
            if (entry == 0) return -1;
            var p = entry - 1;
            if (key.SequenceEqual(_bytes.AsSpan(_start[p], _length[p]))) return p;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Insert(int index)
    {
        var mask = _slots.Length - 1;
        var i = Hash(_bytes.AsSpan(_start[index], _length[index])) & mask;
        while (_slots[i] != 0) i = (i + 1) & mask;
        _slots[i] = index + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rehash(int size)
    {
        var old = _slots;
        _slots = new int[size];
        foreach (var entry in old)
            if (entry != 0) Insert(entry - 1);
    }

    /// <summary>FNV-1a: ids are short, and this is fast and spreads them well enough for open addressing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> key)
    {
        var h = 2166136261u;
        foreach (var b in key) h = (h ^ b) * 16777619u;
        return (int)(h ^ (h >> 15));
    }
}
