using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Readiness;

namespace Trellis.Growth;

[Authorize(Policy = Policies.Manager)]
public sealed class MyTeamModel(Viewer viewer, SensitiveReads reads, TrellisDb db, ReadinessService readiness) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public bool Desc { get; set; }
    [BindProperty(SupportsGet = true)] public string? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string? Show { get; set; }
    public IReadOnlyList<TeamMember> Members { get; private set; } = [];
    public int Total { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var all = await TeamReadiness.ForLineAsync(db, readiness, viewer.EmployeeId, ct);
        Total = all.Count;
        await reads.RecordAsync("read_team_readiness", null, $"{all.Count} people in the line of {viewer.EmployeeId}", ct);
        IEnumerable<TeamMember> rows = all;
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
            _ => Order(rows, m => m.Name),
        };
        Members = rows.ToList();
        return Page();
    }

    private static readonly string[] BandOrder = ["ready", "soon", "developing", "insufficient_evidence", "blocked"];

    private IEnumerable<TeamMember> Order<TKey>(IEnumerable<TeamMember> rows, Func<TeamMember, TKey> key) =>
        Desc ? rows.OrderByDescending(key) : rows.OrderBy(key);

    public string SortLink(string column) =>
        $"?sort={column}&desc={(Sort == column && !Desc).ToString().ToLowerInvariant()}&band={Band}&show={Show}";
}
