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

    /// <summary>One page of the directory. Filters run in the database on indexed columns; only the page is loaded.</summary>
    public async Task<EmployeePage> ListAsync(DirectoryFilter f, CancellationToken ct = default)
    {
        var query = db.Employees.AsNoTracking();
        query = (string.IsNullOrEmpty(f.Status) ? "active" : f.Status) switch
        {
            "left" => query.Where(e => e.Status == EmployeeStatus.Left),
            "all" => query,
            _ => query.Where(e => e.Status == EmployeeStatus.Active),
        };
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            // Case-insensitive substring search. SQLite's LIKE ignores ASCII case and is several times faster than
            // lower() + instr() over a whole table; PostgreSQL has ILIKE.
            var pattern = "%" + f.Q.Trim().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
            query = db.Provider == DatabaseProvider.Postgres
                ? query.Where(e => EF.Functions.ILike(e.Id, pattern, @"\") || EF.Functions.ILike(e.Name, pattern, @"\")
                                   || EF.Functions.ILike(e.Email, pattern, @"\") || (e.Title != null && EF.Functions.ILike(e.Title, pattern, @"\")))
                : query.Where(e => EF.Functions.Like(e.Id, pattern, @"\") || EF.Functions.Like(e.Name, pattern, @"\")
                                   || EF.Functions.Like(e.Email, pattern, @"\") || (e.Title != null && EF.Functions.Like(e.Title, pattern, @"\")));
        }
        if (!string.IsNullOrWhiteSpace(f.Department)) query = query.Where(e => e.Department == f.Department);
        if (!string.IsNullOrWhiteSpace(f.Track)) query = query.Where(e => e.Track == f.Track);
        if (!string.IsNullOrWhiteSpace(f.Level)) query = query.Where(e => e.Level == f.Level);
        if (!string.IsNullOrWhiteSpace(f.ManagerId)) query = query.Where(e => e.ManagerId == f.ManagerId);

        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(e => e.Name).ThenBy(e => e.Id)
            .Skip((f.Page - 1) * f.PageSize).Take(f.PageSize)
            .Select(e => new { e.Id, e.Name, e.Email, e.Title, e.Department, e.Location, e.Track, e.Level, e.ManagerId, e.Status })
            .ToListAsync(ct);
        var names = await NamesAsync(rows.Select(r => r.ManagerId), ct);
        var org = await SnapshotAsync(ct);
        var items = rows.Select(r => new EmployeeSummary(r.Id, r.Name, r.Email, r.Title, r.Department, r.Location, r.Track, r.Level,
            r.ManagerId, r.ManagerId is null ? null : names.GetValueOrDefault(r.ManagerId), r.Status,
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
        var reports = await db.Employees.AsNoTracking().Where(x => x.ManagerId == id && x.Status == EmployeeStatus.Active)
            .OrderBy(x => x.Name).ThenBy(x => x.Id)
            .Select(x => new PersonRef(x.Id, x.Name, x.Title, x.Level)).ToListAsync(ct);
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
    /// The span of control the viewer may see: HR and admins everyone (or one manager's line), managers their own
    /// line (or a line below them). Everyone else is forbidden.
    /// </summary>
    public async Task<Outcome<SpanOfControlReport>> SpanAsync(string? managerId, CancellationToken ct = default)
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

        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var limit = framework?.Rules.MaxDirectReports ?? new FrameworkRules().MaxDirectReports;
        var ranges = RangesOf(org, framework);
        IEnumerable<int>? people = top switch
        {
            null => null,
            -1 => [],
            { } t => org.Structure.ReportsOf(t).Prepend(t),
        };
        var rows = SpanOfControl.Compute(org.Structure, ranges, limit, people)
            .Select(r => new SpanOfControlRow(org.Ids[r.Person], org.Names[r.Person], org.Titles[r.Person], org.Departments[r.Person],
                org.Tracks[r.Person], org.Levels[r.Person], r.DirectReports, r.TotalReports, r.Range?.Min, r.Range?.Max, r.Limit, SpanStatuses.Of(r.Status)))
            .ToList();
        return new SpanOfControlReport(limit, string.IsNullOrEmpty(managerId) ? null : managerId, Sort(rows, null, null));
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
