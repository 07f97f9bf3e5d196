using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Framework;

public sealed class IndexModel(FrameworkHistory history, Viewer viewer, TimeProvider clock) : PageModel
{
    public FrameworkView? View { get; private set; }
    public bool IsHr => viewer.IsHr;

    /// <summary>Set after an edit redirected here: the version now current, and whether the save created it.</summary>
    [FromQuery(Name = "saved")] public int? SavedVersion { get; set; }
    [FromQuery(Name = "created")] public bool Created { get; set; }

    /// <summary>HR's one-click changes (<see cref="FrameworkPageActions"/>): which, on what, to where, made on which version.</summary>
    [BindProperty] public string? Act { get; set; }
    [BindProperty] public string? Target { get; set; }
    [BindProperty] public int? Position { get; set; }
    [BindProperty] public int? BaseVersion { get; set; }

    /// <summary>Why the last action was refused, in words.</summary>
    public IReadOnlyList<string> Refused { get; private set; } = [];
    public string? Conflict { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!viewer.IsHr) return Forbid();
        var run = FrameworkPageActions.RunAsync(history, Act, Target ?? "", Position, BaseVersion, viewer.EmployeeId,
            DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        if (run is null) return BadRequest();
        var write = await run;
        if (write is FrameworkWrite.Saved s)
        {
            var anchor = Act is FrameworkPageActions.MoveValue or FrameworkPageActions.RetireValue ? $"value-{Target}" : Target;
            return Redirect($"/framework?saved={s.Result.Version}&created={(s.Result.Created ? "true" : "false")}#{Uri.EscapeDataString(anchor ?? "")}");
        }
        if (FrameworkPageActions.RefusalOf(write) is not { } refusal) return NotFound();
        (Refused, Conflict) = (refusal.Reasons, refusal.Conflict);
        Response.StatusCode = refusal.StatusCode;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current is not null) View = new FrameworkView(current.Framework, current.Version, viewer.IsHr);
    }
}
