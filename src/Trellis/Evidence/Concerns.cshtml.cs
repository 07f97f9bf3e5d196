using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Evidence;

/// <summary>HR records and settles concerns; the committee may read them. Nobody else reaches this page.</summary>
[Authorize(Policy = Policies.HrOrCommittee)]
public sealed class ConcernsModel(ConcernService concerns, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "employee")] public string? Employee { get; set; }
    [BindProperty(Name = "category")] public string? Category { get; set; }
    [BindProperty(Name = "substantiated")] public bool Substantiated { get; set; }
    [BindProperty(Name = "recorded_on")] public DateOnly? RecordedOn { get; set; }

    public bool CanEdit => viewer.IsHr;
    public IReadOnlyList<ConcernResponse> List { get; private set; } = [];
    public string? Message { get; private set; }
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        var outcome = await concerns.CreateAsync(new CreateConcernRequest(EvidencePages.EmployeeIdFrom(Employee), Category, Substantiated, RecordedOn), ct);
        if (outcome.Succeeded)
        {
            Message = $"Recorded concern {outcome.Value!.Id} about {outcome.Value.EmployeeName}.";
            Category = null;
            Substantiated = false;
            RecordedOn = null;
        }
        else
        {
            Errors = outcome.Errors!;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSubstantiatedAsync(string id, bool value, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        var outcome = await concerns.SetSubstantiatedAsync(id, value, ct);
        Message = outcome.Succeeded ? $"Concern {id} marked {(value ? "substantiated" : "not substantiated")}." : outcome.Detail;
        if (!outcome.Succeeded) Response.StatusCode = outcome.Status;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        List = await concerns.ListAsync(EvidencePages.EmployeeIdFrom(Employee), 100, ct);
}
