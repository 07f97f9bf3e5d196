using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Cycles;

public sealed class IndexModel(CycleService cycles, Viewer viewer) : CyclePageModel
{
    public IReadOnlyList<CycleResponse> Cycles { get; private set; } = [];
    public bool IsHr => viewer.IsHr;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public DateOnly? OpensOn { get; set; }
    [BindProperty] public DateOnly? ClosesOn { get; set; }
    [BindProperty] public DateOnly? ResponseDeadline { get; set; }
    [BindProperty] public int? Budget { get; set; }
    [BindProperty] public string? EligibleLevels { get; set; }
    [BindProperty] public string? Committee { get; set; }
    [BindProperty] public string? Recuse { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Cycles = await cycles.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        static IReadOnlyList<string>? Split(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var o = await cycles.CreateAsync(new CreateCycleRequest(Name, OpensOn, ClosesOn, Budget, Split(Committee), ResponseDeadline, Split(EligibleLevels), Recuse), ct);
        if (o.Ok)
        {
            Notice = $"Cycle {o.Value!.Name} created in phase '{o.Value.Phase}'.";
            return Redirect($"/cycles/{Uri.EscapeDataString(o.Value.Name)}");
        }
        FormError(o.Problem!);
        Cycles = await cycles.ListAsync(ct);
        return Page();
    }
}
