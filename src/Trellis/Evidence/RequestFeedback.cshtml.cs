using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

public sealed class RequestFeedbackModel(FeedbackRequestService requests, FrameworkStore frameworks, Viewer viewer, TrellisDb db) : PageModel
{
    public const int RaterInputs = 6;

    [BindProperty(SupportsGet = true, Name = "subject")] public string? Subject { get; set; }
    [BindProperty(Name = "raters")] public List<string?> Raters { get; set; } = [];
    // Also from the query string: a growth page's "request feedback" link preselects the behaviours that lack evidence.
    [BindProperty(SupportsGet = true, Name = "behaviors")] public List<string> Behaviors { get; set; } = [];
    [BindProperty(Name = "message")] public string? Message { get; set; }

    public CareerFramework? Framework { get; private set; }
    /// <summary>Who the viewer may ask for: themselves and everyone in their reporting line.</summary>
    public IReadOnlyList<(string Id, string Name)> Subjects { get; private set; } = [];
    public string? Forbidden { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Subject ??= viewer.EmployeeId;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var outcome = await requests.CreateAsync(viewer.EmployeeId,
            new CreateFeedbackRequestRequest(Subject, Raters.Select(EvidencePages.EmployeeIdFrom).OfType<string>().ToList(), Behaviors, Message), ct);
        if (outcome.Ok) return Redirect($"/feedback/inbox?sent={Uri.EscapeDataString(outcome.Value!.Id)}");
        // A refusal without fields (403) is shown above the form instead of next to a field.
        if (outcome.Problem!.Fields is null) Forbidden = outcome.Problem.Detail;
        outcome.Problem.ShowOn(this);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        var ids = await ReportingLine.ReportsOfAsync(db, viewer.EmployeeId, ct);
        ids.Insert(0, viewer.EmployeeId);
        var people = new List<(string, string)>();
        foreach (var chunk in ids.Chunk(500))
            people.AddRange((await db.Employees.AsNoTracking().Where(e => chunk.Contains(e.Id) && e.Status == EmployeeStatus.Active)
                .Select(e => new { e.Id, e.Name }).ToListAsync(ct)).Select(e => (e.Id, e.Name)));
        Subjects = people.OrderBy(p => p.Item1 != viewer.EmployeeId).ThenBy(p => p.Item2).ToList();
        while (Raters.Count < RaterInputs) Raters.Add(null);
    }
}
