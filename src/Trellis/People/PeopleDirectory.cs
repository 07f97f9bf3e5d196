using System.Text;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Core.Organisation;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.People;

/// <summary>What a span-of-control request came to: the report, or why the viewer may not have it.</summary>

/// <summary>
/// The organisation as people see it: the directory (indexed queries, one page at a time), a person's profile,
/// the org chart one level at a time, and the span of control. The API and the pages both call this.
/// </summary>
public sealed class PeopleDirectory(TrellisDb db, OrgSnapshots snapshots, FrameworkStore frameworks, Viewer viewer, SensitiveReads reads)
{
    public static readonly string[] StatusFilters = ["active", "left", "all"];
    public static readonly string[] SpanSortKeys = ["status", "name", "department", "level", "direct", "total"];

    /// <summary>Field errors of a directory filter, keyed by the snake_case query parameter.</summary>
    public static Dictionary<string, string[]> Validate(DirectoryFilter f)
    {
        var errors = new Dictionary<string, string[]>();
        if (f.Page < 1) errors["page"] = [$"page must be 1 or more (got {f.Page})"];
        if (f.PageSize is < 1 or > DirectoryFilter.MaxPageSize)
            errors["page_size"] = [$"page_size must be between 1 and {DirectoryFilter.MaxPageSize} (got {f.PageSize})"];
        if (f.Status is { Length: > 0 } s && !StatusFilters.Contains(s))
            errors["status"] = [$"status must be one of {string.Join(", ", StatusFilters)} (got '{s}')"];
        return errors;
    }

    public Task<OrgSnapshot> SnapshotAsync(CancellationToken ct = default) => snapshots.GetAsync(db, ct);

    /// <summary>The snapshot, or null while the first one is still loading after a start (the page shows "loading").</summary>
    public Task<OrgSnapshot?> SnapshotOrLoadingAsync(CancellationToken ct = default) => snapshots.GetOrLoadingAsync(db, ct);

    /// <summary>
    /// One page of the directory. The search and the filters run over the in-memory <see cref="DirectoryIndex"/> of the
    /// organisation snapshot (see there for what a search matches); only the page's rows are read from the database.
    /// </summary>
    public async Task<EmployeePage> ListAsync(DirectoryFilter f, CancellationToken ct = default)
    {
        var org = await SnapshotAsync(ct);
        var (total, ids) = org.Directory.Find(f);
        var found = ids.ToList();
        var rows = found.Count == 0 ? [] : await db.Employees.AsNoTracking().Where(e => found.Contains(e.Id))
            .Select(e => new { e.Id, e.Name, e.Email, e.Title, e.Department, e.Location, e.Track, e.Level, e.ManagerId, e.Status })
            .ToListAsync(ct);
        var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var names = await NamesAsync(rows.Select(r => r.ManagerId), ct);
        var items = found.Where(byId.ContainsKey).Select(id => byId[id]).Select(r => new EmployeeSummary(r.Id, r.Name, r.Email, r.Title, r.Department,
            r.Location, r.Track, r.Level, r.ManagerId, r.ManagerId is null ? null : names.GetValueOrDefault(r.ManagerId), r.Status,
            org.DirectReports(r.Id), org.TotalReports(r.Id))).ToList();
        return new EmployeePage(items, total, f.Page, f.PageSize);
    }

    /// <summary>A person's profile, or null when there is no such employee. Gender only for HR and admins (audited).</summary>
    public async Task<EmployeeProfile?> GetProfileAsync(string id, CancellationToken ct = default)
    {
        var e = await db.Employees.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e is null) return null;
        var chainIds = await ReportingLine.ChainAsync(db, id, ct);
        var chainRows = await db.Employees.AsNoTracking().Where(x => chainIds.Contains(x.Id))
            .Select(x => new PersonRef(x.Id, x.Name, x.Title, x.Level)).ToListAsync(ct);
        var chain = chainIds.Select(c => chainRows.First(r => r.Id == c)).ToList();
        // Sorted here, not by the database: with ORDER BY name SQLite walks the (status, name, id) index through all
        // 100,000 people looking for this manager's reports (1.7 s) instead of using the manager_id index.
        var reports = (await db.Employees.AsNoTracking().Where(x => x.ManagerId == id && x.Status == EmployeeStatus.Active)
            .Select(x => new PersonRef(x.Id, x.Name, x.Title, x.Level)).ToListAsync(ct))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ThenBy(x => x.Id, StringComparer.Ordinal).ToList();
        var org = await SnapshotAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var level = framework?.FindLevel(e.Level);
        var track = framework?.Tracks.FirstOrDefault(t => t.Key == e.Track);

        string? gender = null;
        if ((viewer.IsHr || viewer.IsAdmin) && e.Gender is not null)
        {
            gender = e.Gender;
            await reads.RecordAsync("read_sensitive_attributes", e.Id, "gender", ct);
        }
        return new EmployeeProfile(e.Id, e.Name, e.Email, e.Title, e.Department, e.Location, e.Track, track?.Name, e.Level, level?.Name,
            level?.Band, e.LevelSince, e.HireDate, e.Status, chain, reports, reports.Count, org.TotalReports(e.Id)) { Gender = gender };
    }

    /// <summary>One level of the org chart: the tops (no manager) or a person's direct reports; managers of larger lines first.</summary>
    public async Task<OrgNodes?> NodesAsync(string? parentId, int page, int pageSize, CancellationToken ct = default)
    {
        var org = await SnapshotAsync(ct);
        int[] members;
        if (string.IsNullOrEmpty(parentId)) members = org.Structure.Roots.ToArray();
        else if (org.IndexOf(parentId) is { } p) members = org.Structure.DirectReportsOf(p).ToArray();
        else return null;
        Array.Sort(members, (a, b) =>
        {
            var byTotal = org.Structure.TotalReports(b).CompareTo(org.Structure.TotalReports(a));
            return byTotal != 0 ? byTotal : string.Compare(org.Names[a], org.Names[b], StringComparison.OrdinalIgnoreCase);
        });
        var items = members.Skip((page - 1) * pageSize).Take(pageSize).Select(i => Node(org, i)).ToList();
        return new OrgNodes(string.IsNullOrEmpty(parentId) ? null : parentId, items, members.Length, page, pageSize);
    }

    /// <summary>The org chart path from the top down to an active person (inclusive), or null.</summary>
    public async Task<OrgPath?> PathAsync(string id, CancellationToken ct = default)
    {
        var org = await SnapshotAsync(ct);
        if (org.IndexOf(id) is not { } i) return null;
        var path = org.Structure.ChainOf(i).Reverse().Append(i).Select(k => Node(org, k)).ToList();
        return new OrgPath(id, path);
    }

    private static OrgNode Node(OrgSnapshot org, int i) =>
        new(org.Ids[i], org.Names[i], org.Titles[i], org.Departments[i], org.Levels[i], org.Structure.DirectReports(i), org.Structure.TotalReports(i));

    /// <summary>
    /// The span of control the viewer may see, in the order asked for (<see cref="SpanSortKeys"/>; the most serious
    /// findings first by default): HR and admins everyone (or one manager's line), managers their own line (or a line
    /// below them). Everyone else is forbidden. <paramref name="page"/>: one page of <paramref name="pageSize"/> rows; all
    /// rows when null. The rows of everyone are computed and sorted once per organisation snapshot, framework version and
    /// order, so a view costs a filter of the line and a page.
    /// </summary>
    public async Task<Outcome<SpanOfControlReport>> SpanAsync(string? managerId, string? sort = null, string? dir = null,
        int? page = null, int pageSize = DirectoryFilter.MaxPageSize, CancellationToken ct = default)
    {
        var everyone = viewer.IsHr || viewer.IsAdmin;
        if (!everyone && !viewer.IsManager) return NotYourLine(managerId);
        var org = await SnapshotAsync(ct);
        int? top;
        if (!string.IsNullOrEmpty(managerId))
        {
            if (org.IndexOf(managerId) is not { } m) return Problem.NotFound($"There is no active employee with id '{managerId}'.");
            if (!everyone && managerId != viewer.EmployeeId && !(org.IndexOf(viewer.EmployeeId) is { } me && org.Structure.IsAbove(me, m)))
                return NotYourLine(managerId);
            top = m;
        }
        else top = everyone ? null : org.IndexOf(viewer.EmployeeId) ?? -1;

        var current = await frameworks.GetAsync(ct);
        var table = org.Memo(("span", current?.VersionId), () => SpanTable.Compute(org, current?.Framework));
        var descending = dir is null ? sort is null or "status" or "direct" or "total" : dir == "desc";
        var order = table.Order(sort ?? "status", descending);
        // Someone whose line is the whole organisation (a chief executive) sees what HR sees.
        if (top is { } whole && whole >= 0 && org.Structure.TotalReports(whole) == org.Count - 1) top = null;
        if (top is null)
        {
            // Everyone: the order and the counts are kept with the table, so a page costs its rows.
            var pageRows = (page is { } first ? order.Skip((first - 1) * pageSize).Take(pageSize) : order).Select(i => table.Rows[i]!).ToList();
            return new SpanOfControlReport(table.Limit, string.IsNullOrEmpty(managerId) ? null : managerId, pageRows)
            {
                Total = order.Length, OverLimit = table.OverLimit, AboveRange = table.AboveRange, BelowRange = table.BelowRange,
                Page = page, PageSize = page is null ? null : pageSize,
            };
        }
        // One line: its rows in the table's order (a manager without a place in the organisation has none).
        var t = top.Value;
        var inLine = new bool[org.Count];
        if (t >= 0)
        {
            inLine[t] = true;
            foreach (var r in org.Structure.ReportsOf(t)) inLine[r] = true;
        }
        var all = order.Where(i => inLine[i]).Select(i => table.Rows[i]!).ToList();
        var rows = page is { } p ? all.Skip((p - 1) * pageSize).Take(pageSize).ToList() : all;
        return new SpanOfControlReport(table.Limit, string.IsNullOrEmpty(managerId) ? null : managerId, rows)
        {
            Total = all.Count,
            OverLimit = all.Count(r => r.Status == SpanStatuses.OverLimit),
            AboveRange = all.Count(r => r.Status == SpanStatuses.AboveRange),
            BelowRange = all.Count(r => r.Status == SpanStatuses.BelowRange),
            Page = page,
            PageSize = page is null ? null : pageSize,
        };
    }

    /// <summary>Everyone's span-of-control row (null for people who lead nobody and need not), and the orders asked for so far.</summary>
    private sealed class SpanTable(SpanOfControlRow?[] rows, int limit)
    {
        public SpanOfControlRow?[] Rows { get; } = rows;
        public int Limit { get; } = limit;
        public int OverLimit { get; } = rows.Count(r => r?.Status == SpanStatuses.OverLimit);
        public int AboveRange { get; } = rows.Count(r => r?.Status == SpanStatuses.AboveRange);
        public int BelowRange { get; } = rows.Count(r => r?.Status == SpanStatuses.BelowRange);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool), Lazy<int[]>> _orders = new();

        public static SpanTable Compute(OrgSnapshot org, CareerFramework? framework)
        {
            var limit = framework?.Rules.MaxDirectReports ?? new FrameworkRules().MaxDirectReports;
            var rows = new SpanOfControlRow?[org.Count];
            foreach (var r in SpanOfControl.Compute(org.Structure, RangesOf(org, framework), limit))
                rows[r.Person] = new SpanOfControlRow(org.Ids[r.Person], org.Names[r.Person], org.Titles[r.Person], org.Departments[r.Person],
                    org.Tracks[r.Person], org.Levels[r.Person], r.DirectReports, r.TotalReports, r.Range?.Min, r.Range?.Max, r.Limit, SpanStatuses.Of(r.Status));
            return new SpanTable(rows, limit);
        }

        /// <summary>The people with a row, in the given order.</summary>
        public int[] Order(string sort, bool descending) => _orders.GetOrAdd((sort, descending), key => new Lazy<int[]>(() =>
        {
            var withRows = Enumerable.Range(0, Rows.Length).Where(i => Rows[i] is not null).ToList();
            var index = withRows.ToDictionary(i => Rows[i]!.ManagerId, i => i, StringComparer.Ordinal);
            return Sort(withRows.Select(i => Rows[i]!), key.Item1, key.Item2 ? "desc" : "asc").Select(r => index[r.ManagerId]).ToArray();
        })).Value;
    }

    private static Problem NotYourLine(string? managerId) => Problem.Forbidden(string.IsNullOrEmpty(managerId)
        ? "The span of control is for HR, admins and managers."
        : $"Employee '{managerId}' is not in your reporting line.");

    private static DirectReportsRange?[] RangesOf(OrgSnapshot org, CareerFramework? framework)
    {
        var byLevel = new Dictionary<string, DirectReportsRange>(StringComparer.Ordinal);
        foreach (var level in framework?.Levels ?? [])
            byLevel[level.Key] = new DirectReportsRange(level.Scope.MinDirectReports, level.Scope.MaxDirectReports);
        var ranges = new DirectReportsRange?[org.Count];
        for (var i = 0; i < org.Count; i++)
            ranges[i] = byLevel.TryGetValue(org.Levels[i], out var r) ? r : null;
        return ranges;
    }

    /// <summary>Sorts span rows by a column (<see cref="SpanSortKeys"/>); the default puts the most serious findings first.</summary>
    public static List<SpanOfControlRow> Sort(IEnumerable<SpanOfControlRow> rows, string? sort, string? dir)
    {
        var descending = dir is null ? sort is null or "status" or "direct" or "total" : dir == "desc";
        IOrderedEnumerable<SpanOfControlRow> ordered = (sort ?? "status") switch
        {
            "name" => Order(rows, r => r.Name, descending, StringComparer.OrdinalIgnoreCase),
            "department" => Order(rows, r => r.Department ?? "", descending, StringComparer.OrdinalIgnoreCase),
            "level" => Order(rows, r => r.Level, descending, StringComparer.Ordinal),
            "total" => Order(rows, r => r.TotalReports, descending, Comparer<int>.Default),
            "direct" => Order(rows, r => r.DirectReports, descending, Comparer<int>.Default),
            _ => Order(rows, r => SpanStatuses.Severity(r.Status), descending, Comparer<int>.Default).ThenByDescending(r => r.DirectReports),
        };
        return ordered.ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.ManagerId, StringComparer.Ordinal).ToList();
    }

    private static IOrderedEnumerable<SpanOfControlRow> Order<TKey>(IEnumerable<SpanOfControlRow> rows, Func<SpanOfControlRow, TKey> key, bool descending, IComparer<TKey> comparer) =>
        descending ? rows.OrderByDescending(key, comparer) : rows.OrderBy(key, comparer);

    public const string SpanCsvHeader = "manager_id,name,title,department,track,level,direct_reports,total_reports,range_min,range_max,limit,status";

    /// <summary>The span of control as CSV (RFC 4180), one row per manager in the given order.</summary>
    public static string ToCsv(IEnumerable<SpanOfControlRow> rows)
    {
        var sb = new StringBuilder(SpanCsvHeader).Append("\r\n");
        foreach (var r in rows)
        {
            string[] fields = [T(r.ManagerId), T(r.Name), T(r.Title), T(r.Department), T(r.Track), T(r.Level), N(r.DirectReports), N(r.TotalReports),
                N(r.RangeMin), N(r.RangeMax), N(r.Limit), T(r.Status)];
            sb.Append(Shared.SpreadsheetCsv.Line(fields));
        }
        return sb.ToString();

        static string T(string? text) => Shared.SpreadsheetCsv.Text(text);
        static string N(int? n) => Shared.SpreadsheetCsv.Number(n);
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<string>().Distinct().ToList();
        if (wanted.Count == 0) return [];
        return await db.Employees.AsNoTracking().Where(e => wanted.Contains(e.Id)).Select(e => new { e.Id, e.Name })
            .ToDictionaryAsync(e => e.Id, e => e.Name, ct);
    }
}
