using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.People;

/// <summary>Span of control: HR and admins see every manager, managers their own line.</summary>
[Authorize(Policy = Policies.Manager)]
public sealed class SpanModel(PeopleDirectory people) : PageModel
{
    /// <summary>Rows per page; a 100,000-person organisation has thousands of managers, the CSV has them all.</summary>
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "manager_id")] public string? ManagerId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public string? Dir { get; set; }

    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;

    public SpanOfControlReport Report { get; private set; } = null!;
    public string? ManagerName { get; private set; }
    /// <summary>The organisation is still loading after a start: the page says so and refreshes itself.</summary>
    public bool Loading { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Sort is not null && !PeopleDirectory.SpanSortKeys.Contains(Sort)) Sort = null;
        if (Dir is not (null or "asc" or "desc")) Dir = null;
        if (await people.SnapshotOrLoadingAsync(ct) is null)
        {
            Loading = true;
            return Page();
        }
        PageNumber = Math.Max(1, PagingQuery.Of(Request));
        var span = await people.SpanAsync(ManagerId, Sort, Dir, PageNumber, PageSize, ct);
        if (span.Problem is { } refused) return refused.Status == 403 ? Forbid() : NotFound();
        Report = span.Value!;
        if (ManagerId is not null) ManagerName = (await people.SnapshotAsync(ct)) is var org && org.IndexOf(ManagerId) is { } i ? org.Names[i] : null;
        return Page();
    }

    /// <summary>Link for a column header: sorts by that column, flipping the direction when it is already the sort.</summary>
    public string SortLink(string key)
    {
        var current = Sort ?? "status";
        var currentDescending = Dir is null ? current is "status" or "direct" or "total" : Dir == "desc";
        var dir = key == current ? (currentDescending ? "asc" : "desc") : (key is "status" or "direct" or "total" ? "desc" : "asc");
        return "/span" + QueryString.Create(new Dictionary<string, string?> { ["manager_id"] = ManagerId, ["sort"] = key, ["dir"] = dir }
            .Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
    }

    /// <summary>The current line and order on another page, for pager links.</summary>
    public string PageLink(int page) => "/span" + QueryString.Create(new Dictionary<string, string?>
    {
        ["manager_id"] = ManagerId, ["sort"] = Sort, ["dir"] = Dir, ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();

    public string? AriaSort(string key) =>
        (Sort ?? "status") != key ? null : (Dir ?? (key is "status" or "direct" or "total" ? "desc" : "asc")) == "desc" ? "descending" : "ascending";

    public string CsvLink => "/api/v1/span-of-control" + QueryString.Create(new Dictionary<string, string?>
        { ["manager_id"] = ManagerId, ["sort"] = Sort, ["dir"] = Dir, ["format"] = "csv" }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}
