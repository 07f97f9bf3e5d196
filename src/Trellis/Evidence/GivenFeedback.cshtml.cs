using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Evidence;

/// <summary>Feedback the signed-in person gave in the last 7 days: each may be edited (a new version) or withdrawn.</summary>
public sealed class GivenFeedbackModel(ObservationService observations, Viewer viewer) : PageModel
{
    /// <summary>The observation being edited (<c>?edit=</c>).</summary>
    [BindProperty(SupportsGet = true, Name = "edit")] public string? EditId { get; set; }
    [BindProperty(Name = "rating")] public int? Rating { get; set; }
    [BindProperty(Name = "comment")] public string? Comment { get; set; }
    [BindProperty(Name = "visibility")] public string? Visibility { get; set; }

    public IReadOnlyList<GivenFeedback> Given { get; private set; } = [];
    public GivenFeedback? Editing => EditId is null ? null : Given.FirstOrDefault(g => g.Id == EditId);
    public ObservationResponse? Saved { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Editing is { } e) (Rating, Comment, Visibility) = (e.Rating, e.Comment, e.Visibility);
    }

    public async Task<IActionResult> OnPostEditAsync(CancellationToken ct)
    {
        var outcome = await observations.EditAsync(viewer.EmployeeId, EditId ?? "", new EditObservationRequest(Rating, Comment, Visibility), ct);
        if (outcome.Problem is { } problem) problem.ShowOn(this);
        else
        {
            Saved = outcome.Value;
            Message = "Your feedback is changed; the earlier version is kept.";
            EditId = null;
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostWithdrawAsync(string id, CancellationToken ct)
    {
        var outcome = await observations.WithdrawAsync(viewer.EmployeeId, id, ct);
        if (outcome.Problem is { } problem) problem.ShowOn(this);
        else
        {
            Message = "Your feedback is withdrawn: it no longer counts. What it said is kept in its history.";
            EditId = null;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) => Given = await observations.GivenAsync(viewer.EmployeeId, ct);
}
