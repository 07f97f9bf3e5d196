using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Evidence;

public sealed class InboxModel(FeedbackRequestService requests, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "sent")] public string? JustSent { get; set; }
    public IReadOnlyList<InboxItem> Open { get; private set; } = [];
    public IReadOnlyList<FeedbackRequestResponse> Sent { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (JustSent is not null) Message = $"Request {JustSent} sent.";
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostWithdrawAsync(string id, CancellationToken ct)
    {
        var outcome = await requests.WithdrawAsync(viewer.EmployeeId, id, ct);
        if (outcome.Ok) Message = $"Request {id} withdrawn.";
        else
        {
            Error = outcome.Problem!.Detail;
            outcome.Problem.ShowOn(this);
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Open = await requests.InboxAsync(viewer.EmployeeId, ct);
        Sent = await requests.SentAsync(viewer.EmployeeId, ct);
    }
}
