using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Evidence;

/// <summary>HR records, reads and settles concerns. Nobody else reaches this page (the committee sees flags on its cycles' candidates only).</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class ConcernsModel(ConcernService concerns, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "employee")] public string? Employee { get; set; }
    [BindProperty(Name = "category")] public string? Category { get; set; }
    [BindProperty(Name = "substantiated")] public bool Substantiated { get; set; }
    [BindProperty(Name = "recorded_on")] public DateOnly? RecordedOn { get; set; }

    public bool CanEdit => viewer.IsHr;
    public IReadOnlyList<ConcernResponse> List { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        // A value the binder could not read would reach the service as missing, and a missing date or flag has a default
        // (today, not substantiated): the concern would be recorded with something HR did not say.
        var unreadable = new FieldErrors();
        if (ModelState.TryGetValue("recorded_on", out var on) && on.Errors.Count > 0)
            unreadable.Add("recorded_on", $"'{on.AttemptedValue}' is not a date (use YYYY-MM-DD).");
        if (ModelState.TryGetValue("substantiated", out var flag) && flag.Errors.Count > 0)
            unreadable.Add("substantiated", $"'{flag.AttemptedValue}' is not true or false.");
        if (unreadable.Any)
        {
            unreadable.ToProblem("The concern was not recorded.").ShowOn(this);
            await LoadAsync(ct);
            return Page();
        }
        var outcome = await concerns.CreateAsync(new CreateConcernRequest(EvidencePages.EmployeeIdFrom(Employee), Category, Substantiated, RecordedOn), ct);
        if (outcome.Ok)
        {
            Message = $"Recorded concern {outcome.Value!.Id} about {outcome.Value.EmployeeName}.";
            Category = null;
            Substantiated = false;
            RecordedOn = null;
        }
        else outcome.Problem!.ShowOn(this);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSubstantiatedAsync(string id, bool value, CancellationToken ct)
    {
        if (!CanEdit) return Forbid();
        var outcome = await concerns.SetSubstantiatedAsync(id, value, ct);
        Message = outcome.Ok ? $"Concern {id} marked {(value ? "substantiated" : "not substantiated")}." : outcome.Problem!.Detail;
        outcome.Problem?.ShowOn(this);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        List = await concerns.ListAsync(EvidencePages.EmployeeIdFrom(Employee), 100, ct);
}
