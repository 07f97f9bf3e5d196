using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR edits one behaviour's name, description and anchors; saving stores a new framework version.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class EditBehaviorModel(FrameworkHistory history, Viewer viewer) : FrameworkEditPageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public Dictionary<string, string?> Anchors { get; set; } = [];

    public string ValueName { get; private set; } = "";

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
        if (Outcome(write, r => Saved("/framework", r, Uri.EscapeDataString(Key)), "Your text is kept below;") is { } done) return done;
        ValueName = (await history.CurrentAsync(ct))?.Framework.ValueOf(Key)?.Name ?? "";
        return Page();
    }
}
