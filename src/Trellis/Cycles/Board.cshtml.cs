using Microsoft.AspNetCore.Mvc;

namespace Trellis.Cycles;

public sealed class BoardModel(CalibrationBoard board, Trellis.Accounts.Viewer viewer, Trellis.Framework.FrameworkStore frameworks) : CyclePageModel
{
    public string MyId => viewer.EmployeeId;
    private Core.Framework.CareerFramework? _framework;
    /// <summary>A level in words: its name, with the key as secondary text.</summary>
    public string LevelName(string? key) => key is null ? "" : _framework?.FindLevel(key) is { } l ? $"{l.Name} ({l.Key})" : key;
    /// <summary>A code in words: "not_yet" → "not yet".</summary>
    public static string Words(string? code) => code?.Replace('_', ' ') ?? "";
    public const int PageSize = 200;

    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string? Flag { get; set; }
    [BindProperty(SupportsGet = true, Name = "response")] public string? Answer { get; set; }
    [BindProperty(SupportsGet = true)] public string? Decision { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public string? Dir { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public BoardResponse? Board { get; private set; }
    public IEnumerable<BoardRow> PageRows => Board!.Rows.Skip((PageNumber - 1) * PageSize).Take(PageSize);
    public int Pages => Math.Max(1, (Board!.Rows.Count + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (PageNumber < 1) PageNumber = 1;
        var o = await board.GetAsync(Name, new BoardQuery(Band, Flag, Answer, Decision, Q, Sort, Dir), ct);
        if (!o.Ok) return Refuse(o.Problem!);
        Board = o.Value;
        _framework = (await frameworks.GetAsync(ct))?.Framework;
        return Page();
    }

    public string SortLink(string key) => Link(key, Sort == key ? (Dir == "desc" ? "asc" : "desc") : null, 1);
    public string PageLink(int page) => Link(Sort, Dir, page);
    /// <summary>The grid view with the same filters.</summary>
    public string GridLink => Link(null, null, 1).Replace("/board", "/grid", StringComparison.Ordinal);

    private string Link(string? sort, string? dir, int page)
    {
        var q = new Dictionary<string, string?> { ["q"] = Q, ["band"] = Band, ["flag"] = Flag, ["response"] = Answer, ["decision"] = Decision, ["sort"] = sort, ["dir"] = dir, ["page"] = page > 1 ? page.ToString(System.Globalization.CultureInfo.InvariantCulture) : null };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/cycles/{Uri.EscapeDataString(Name)}/board", q.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }
}
