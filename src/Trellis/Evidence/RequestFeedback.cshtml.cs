using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Evidence;

public sealed class RequestFeedbackModel(FeedbackRequestService requests, FrameworkStore frameworks, Viewer viewer, TrellisDb db, People.OrgSnapshots orgs) : PageModel
{
    public const int RaterInputs = 6;

    /// <summary>Above this many people in the viewer's line the subject is typed (with the colleague search) instead of chosen from a list.</summary>
    public const int MaxSubjectChoices = 200;

    [BindProperty(SupportsGet = true, Name = "subject")] public string? Subject { get; set; }
    [BindProperty(Name = "raters")] public List<string?> Raters { get; set; } = [];
    // Also from the query string: a growth page's "request feedback" link preselects the behaviours that lack evidence.
    [BindProperty(SupportsGet = true, Name = "behaviors")] public List<string> Behaviors { get; set; } = [];
    [BindProperty(Name = "message")] public string? Message { get; set; }

    public CareerFramework? Framework { get; private set; }
    /// <summary>Who the viewer may ask for: themselves and everyone in their reporting line (only themselves when <see cref="SubjectTyped"/>).</summary>
    public IReadOnlyList<(string Id, string Name)> Subjects { get; private set; } = [];

    /// <summary>
    /// The line is too large to list (a senior manager's 100,000 people made a 7 MB page): the subject is typed, found with
    /// the colleague search, and the service checks that it is in the line.
    /// </summary>
    public bool SubjectTyped { get; private set; }
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
            new CreateFeedbackRequestRequest(EvidencePages.EmployeeIdFrom(Subject), Raters.Select(EvidencePages.EmployeeIdFrom).OfType<string>().ToList(), Behaviors, Message), ct);
        if (outcome.Ok) return Redirect($"/feedback/inbox?sent={Uri.EscapeDataString(outcome.Value!.Id)}");
        // A refusal without fields (403) is shown above the form instead of next to a field.
        if (outcome.Problem!.Fields is null) Forbidden = outcome.Problem.Detail;
        outcome.Problem.ShowOn(this);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        // The line from the organisation snapshot: no walk of the reporting line in the database (one query per 500
        // people per level) and no list of tens of thousands of names.
        var org = await orgs.GetAsync(db, ct);
        if (org.IndexOf(viewer.EmployeeId) is { } me)
        {
            SubjectTyped = org.Structure.TotalReports(me) > MaxSubjectChoices;
            var line = SubjectTyped ? [] : org.Structure.ReportsOf(me);
            Subjects = line.Select(i => (org.Ids[i], org.Names[i])).Prepend((viewer.EmployeeId, org.Names[me]))
                .OrderBy(p => p.Item1 != viewer.EmployeeId).ThenBy(p => p.Item2).ToList();
        }
        while (Raters.Count < RaterInputs) Raters.Add(null);
    }
}
