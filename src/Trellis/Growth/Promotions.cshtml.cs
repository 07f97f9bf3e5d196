using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Framework;

namespace Trellis.Growth;

/// <summary>The Promotions page: approved stories for everyone signed in, the viewer's own invitations and drafts, HR's counts.</summary>
public sealed class PromotionsModel(PromotionStoryService stories, FrameworkStore frameworks, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Value { get; set; }
    [BindProperty(SupportsGet = true)] public string? Department { get; set; }
    /// <summary>The <c>page</c> query parameter (read by hand: Razor Pages binds the name <c>page</c> to the page's own route value).</summary>
    public int PageNumber => int.TryParse(Request.Query["page"], out var n) && n > 0 ? n : 1;

    public StoryPage Stories { get; private set; } = new([], 0, 1, PromotionStoryService.DefaultPageSize);
    public IReadOnlyList<MyPromotion> Mine { get; private set; } = [];
    public IReadOnlyList<StoryCycleSummary>? Summary { get; private set; }
    public IReadOnlyList<string> Departments { get; private set; } = [];
    public CareerFramework? Framework { get; private set; }
    public int PageCount => Math.Max(1, (Stories.Total + Stories.PageSize - 1) / Stories.PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        var o = await stories.ListAsync(Value, Department, PageNumber, null, ct);
        if (!o.Ok) { o.Problem!.ShowOn(this); return Page(); }
        Stories = o.Value!;
        Mine = await stories.MineAsync(ct);
        Departments = await stories.DepartmentsAsync(ct);
        if (viewer.IsHr) Summary = (await stories.SummaryAsync(ct)).Value;
        return Page();
    }

    public string PageLink(int page)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(Value)) query.Add("value=" + Uri.EscapeDataString(Value));
        if (!string.IsNullOrEmpty(Department)) query.Add("department=" + Uri.EscapeDataString(Department));
        query.Add("page=" + page);
        return "/promotions?" + string.Join("&", query);
    }
}
