using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

public sealed class GiveFeedbackModel(ObservationService observations, FeedbackRequestService requests, FrameworkStore frameworks, Viewer viewer, TrellisDb db) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "subject")] public string? Subject { get; set; }
    [BindProperty(SupportsGet = true, Name = "behavior")] public string? Behavior { get; set; }
    [BindProperty(SupportsGet = true, Name = "request")] public string? RequestId { get; set; }
    [BindProperty(Name = "rating")] public int? Rating { get; set; }
    [BindProperty(Name = "comment")] public string? Comment { get; set; }
    [BindProperty(Name = "visibility")] public string Visibility { get; set; } = "shared";

    public CareerFramework? Framework { get; private set; }
    public FeedbackRequestResponse? AnsweringRequest { get; private set; }
    public ObservationResponse? Saved { get; private set; }
    public string? SavedSubjectName { get; private set; }

    public BehaviorDefinition? SelectedBehavior => Behavior is null ? null : Framework?.FindBehavior(Behavior);

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        // A subject given by id in the link is shown as "Name (ID)" in the picker.
        if (EvidencePages.EmployeeIdFrom(Subject) is { } id && id == Subject)
        {
            var name = await db.Employees.AsNoTracking().Where(e => e.Id == id).Select(e => e.Name).FirstOrDefaultAsync(ct);
            Subject = EvidencePages.PickerValue(id, name);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var outcome = await observations.CreateAsync(viewer.EmployeeId,
            new CreateObservationRequest(EvidencePages.EmployeeIdFrom(Subject), Behavior, Rating, Comment, Visibility, RequestId), ct);
        if (!outcome.Ok)
        {
            outcome.Problem!.ShowOn(this);
            return Page();
        }
        Saved = outcome.Value!;
        SavedSubjectName = await db.Employees.AsNoTracking().Where(e => e.Id == Saved.SubjectId).Select(e => e.Name).FirstOrDefaultAsync(ct);
        // Keep the colleague for the next behaviour; clear what was said.
        Rating = null;
        Comment = null;
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        if (!string.IsNullOrWhiteSpace(RequestId))
        {
            var found = await requests.FindAsync(RequestId.Trim(), ct);
            // Only the raters asked may see the request's message.
            if (found is not null && found.Raters.Any(r => r.RaterId == viewer.EmployeeId)) AnsweringRequest = found;
        }
    }
}
