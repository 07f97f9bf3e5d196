using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Framework;

namespace Trellis.Evidence;

public sealed class RecognitionModel(RecognitionService recognitions, FrameworkStore frameworks, Viewer viewer) : PageModel
{
    [BindProperty(Name = "to")] public string? To { get; set; }
    [BindProperty(Name = "value")] public string? Value { get; set; }
    [BindProperty(Name = "behavior")] public string? Behavior { get; set; }
    [BindProperty(Name = "message")] public string? Message { get; set; }

    [FromQuery(Name = "filter")] public string? Filter { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "given")] public string? Given { get; set; }

    public CareerFramework? Framework { get; private set; }
    public RecognitionPage Feed { get; private set; } = new([], 1, RecognitionService.DefaultPageSize, 0, false);
    /// <summary>The number of pages when the feed was counted (up to <see cref="RecognitionService.CountedUpTo"/>), else null.</summary>
    public int? PageCount => Feed.Total is { } total ? Math.Max(1, (total + Feed.PageSize - 1) / Feed.PageSize) : null;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await recognitions.CreateAsync(viewer.EmployeeId,
            new CreateRecognitionRequest(EvidencePages.EmployeeIdFrom(To), Value, Behavior, Message), ct);
        if (outcome.Ok) return Redirect($"/recognition?given={Uri.EscapeDataString(outcome.Value!.Id)}");
        outcome.Problem!.ShowOn(this);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        Feed = await recognitions.FeedAsync(Filter, PageNumber, RecognitionService.DefaultPageSize, ct);
    }

    public string PageLink(int page) =>
        $"/recognition?page={page}" + (string.IsNullOrEmpty(Filter) ? "" : $"&filter={Uri.EscapeDataString(Filter)}");
}
