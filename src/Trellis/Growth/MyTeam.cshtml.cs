using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Growth;

[Authorize(Policy = Policies.Manager)]
public sealed class MyTeamModel(Viewer viewer, SensitiveReads reads, TrellisDb db, People.OrgSnapshots orgs, ReadinessService readiness, Framework.FrameworkStore frameworks) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public bool Desc { get; set; }
    [BindProperty(SupportsGet = true)] public string? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string? Show { get; set; }
    /// <summary>Searches the line by name or employee id.</summary>
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    /// <summary>The page of the line shown: a senior manager's line has tens of thousands of people.</summary>
    public IReadOnlyList<TeamMember> Members { get; private set; } = [];
    public int Total { get; private set; }
    public int Matching { get; private set; }
    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;
    public int Pages => Math.Max(1, (Matching + PageSize - 1) / PageSize);
    public const int PageSize = 100;
    /// <summary>The organisation or readiness is still loading after a start: the page says so and refreshes itself.</summary>
    public bool Loading { get; private set; }

    private Core.Framework.CareerFramework? _framework;

    /// <summary>A level by name with its key as secondary text (issue 11: words, not codes).</summary>
    public string Level(string? key) => key is null ? "—" : _framework?.FindLevel(key) is { } l ? $"{l.Name} ({l.Key})" : key;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        _framework = (await frameworks.GetAsync(ct))?.Framework;
        // Admins can rewrite the org chart, so the line gives them no one's readiness (see Viewer.HasLineAccess).
        if (!viewer.HasLineAccess) return Forbid();
        if (await orgs.GetOrLoadingAsync(db, ct) is null || !await readiness.ReadyOrLoadingAsync(ct))
        {
            Loading = true;
            return Page();
        }
        var all = await TeamReadiness.ForLineAsync(db, orgs, readiness, viewer.EmployeeId, ct);
        Total = all.Count;
        IEnumerable<TeamMember> rows = all;
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var q = Q.Trim();
            rows = rows.Where(m => m.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || m.EmployeeId.Contains(q, StringComparison.OrdinalIgnoreCase));
        }
        if (!string.IsNullOrEmpty(Band)) rows = rows.Where(m => m.Band == Band);
        rows = Show switch
        {
            "direct" => rows.Where(m => m.Direct),
            "thin" => rows.Where(m => m.ThinEvidence || m.OneSided is not null),
            _ => rows,
        };
        rows = Sort switch
        {
            "band" => Order(rows, m => Array.IndexOf(BandOrder, m.Band)),
            "values" => Order(rows, m => m.ValuesScore ?? double.MinValue),
            "evidence" => Order(rows, m => m.EvidenceCount),
            "raters" => Order(rows, m => m.RaterCount),
            "level" => Order(rows, m => m.Level),
            // The line comes sorted by name already.
            _ => Desc ? rows.Reverse() : rows,
        };
        var matching = rows.ToList();
        Matching = matching.Count;
        PageNumber = Math.Clamp(Trellis.People.PagingQuery.Of(Request), 1, Pages);
        Members = matching.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
        await TeamReadiness.RecordReadsAsync(reads, viewer.EmployeeId, Members, ct);
        return Page();
    }

    private static readonly string[] BandOrder = ["ready", "soon", "developing", "insufficient_evidence", "blocked"];

    private IEnumerable<TeamMember> Order<TKey>(IEnumerable<TeamMember> rows, Func<TeamMember, TKey> key) =>
        Desc ? rows.OrderByDescending(key) : rows.OrderBy(key);

    public string SortLink(string column) => Link(column, Sort == column && !Desc, 1);

    /// <summary>The current filters and sort with a page of the results.</summary>
    public string PageLink(int page) => Link(Sort, Desc, page);

    private string Link(string? sort, bool desc, int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["sort"] = sort, ["desc"] = desc ? "true" : null, ["band"] = Band, ["show"] = Show, ["q"] = Q,
        ["page"] = page > 1 ? page.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}
