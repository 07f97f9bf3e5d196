using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Evidence;

[Authorize(Policy = Policies.Hr)]
public sealed class ResultsModel(ResultService results) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "employee")] public string? Employee { get; set; }
    [BindProperty(SupportsGet = true, Name = "period")] public string? Period { get; set; }
    [BindProperty(SupportsGet = true, Name = "period_end")] public DateOnly? PeriodEnd { get; set; }
    [BindProperty(SupportsGet = true, Name = "score")] public decimal? Score { get; set; }

    public IReadOnlyList<ResultResponse> Recent { get; private set; } = [];
    public ResultResponse? Saved { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Recent = await results.RecentAsync(null, 50, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await results.UpsertAsync(new UpsertResultRequest(EvidencePages.EmployeeIdFrom(Employee), Period, PeriodEnd, Score), ct);
        if (outcome.Ok) Saved = outcome.Value;
        else outcome.Problem!.ShowOn(this);
        Recent = await results.RecentAsync(null, 50, ct);
        return Page();
    }
}
