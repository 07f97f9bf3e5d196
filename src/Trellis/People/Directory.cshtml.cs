using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Framework;

namespace Trellis.People;

public sealed class DirectoryModel(PeopleDirectory people, FrameworkStore frameworks) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Department { get; set; }
    [BindProperty(SupportsGet = true)] public string? Track { get; set; }
    [BindProperty(SupportsGet = true)] public string? Level { get; set; }
    [BindProperty(SupportsGet = true, Name = "manager_id")] public string? ManagerId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;

    public EmployeePage? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public IReadOnlyList<string> Departments { get; private set; } = [];
    public IReadOnlyList<(string Key, string Name)> Tracks { get; private set; } = [];
    public IReadOnlyList<(string Key, string Name, string Track)> Levels { get; private set; } = [];
    public string? ManagerName { get; private set; }
    /// <summary>The organisation is still loading after a start: the page says so and refreshes itself.</summary>
    public bool Loading { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        PageNumber = Trellis.People.PagingQuery.Of(Request);
        if (await people.SnapshotOrLoadingAsync(ct) is not { } org)
        {
            Loading = true;
            return;
        }
        Departments = org.DepartmentNames;
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        Tracks = framework?.Tracks.Select(t => (t.Key, t.Name)).ToList() ?? [];
        Levels = framework?.Tracks.SelectMany(t => t.Levels.OrderBy(l => l.Band).Select(l => (l.Key, l.Name, t.Name))).ToList() ?? [];
        if (org.IndexOf(ManagerId) is { } m) ManagerName = org.Names[m];

        var filter = new DirectoryFilter(Q, Department, Track, Level, ManagerId, Status, PageNumber);
        Errors = PeopleDirectory.Validate(filter);
        if (Errors.Count == 0) Result = await people.ListAsync(filter, ct);
        else Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    /// <summary>The current filters with one value changed, for pager links.</summary>
    public string Link(int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["q"] = Q, ["department"] = Department, ["track"] = Track, ["level"] = Level, ["manager_id"] = ManagerId, ["status"] = Status,
        ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}

public static class PagingQuery
{
    /// <summary>The <c>page</c> query parameter (1 when absent; out-of-range values are reported by validation).</summary>
    public static int Of(HttpRequest request) =>
        int.TryParse(request.Query["page"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var page) ? page : request.Query.ContainsKey("page") ? 0 : 1;
}
