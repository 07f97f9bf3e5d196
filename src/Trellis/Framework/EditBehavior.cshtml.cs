using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR edits one behaviour's name, description and anchors; saving stores a new framework version.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class EditBehaviorModel(FrameworkHistory history, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public Dictionary<string, string?> Anchors { get; set; } = [];
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public int? BaseVersion { get; set; }

    public string ValueName { get; private set; } = "";
    public FieldErrors Errors { get; private set; } = FieldErrors.None;
    public string? Conflict { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        var behavior = current?.Framework.FindBehavior(Key);
        if (current is null || behavior is null) return NotFound();
        ValueName = current.Framework.ValueOf(Key)!.Name;
        Name = behavior.Name;
        Description = behavior.Description;
        Anchors = FrameworkText.Ratings.ToDictionary(r => r, r => behavior.Anchors.GetValueOrDefault(r));
        BaseVersion = current.Version.Id;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var change = new BehaviorChange(Name ?? "", Description ?? "",
            FrameworkText.Ratings.ToDictionary(r => r, r => Anchors.GetValueOrDefault(r) ?? ""));
        var write = await history.EditBehaviorAsync(Key, change, viewer.EmployeeId, Note, BaseVersion, ct);
        switch (write)
        {
            case FrameworkWrite.Saved s:
                return Redirect($"/framework?saved={s.Result.Version}&created={(s.Result.Created ? "true" : "false")}#{Uri.EscapeDataString(Key)}");
            case FrameworkWrite.NotFound:
                return NotFound();
            case FrameworkWrite.Invalid i:
                Errors = new FieldErrors(i.Errors);
                break;
            case FrameworkWrite.Stale s:
                Conflict = $"Someone saved version {s.CurrentVersion} after you opened this form (version {s.BaseVersion}). " +
                           "Your text is kept below; check the current version, then save again to apply it on top.";
                BaseVersion = s.CurrentVersion;
                // The hidden field renders the posted value unless it is dropped from the model state.
                ModelState.Remove(nameof(BaseVersion));
                break;
        }
        ValueName = (await history.CurrentAsync(ct))?.Framework.ValueOf(Key)?.Name ?? "";
        Response.StatusCode = Conflict is null ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        return Page();
    }
}
