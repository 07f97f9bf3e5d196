using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR adds a value with its first behaviour and that behaviour's five anchors (a value needs at least one behaviour).</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class AddValueModel(FrameworkHistory history, Viewer viewer) : FrameworkEditPageModel
{
    [BindProperty] public string? ValueKey { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string? BehaviorKey { get; set; }
    [BindProperty] public string? BehaviorName { get; set; }
    [BindProperty] public string? BehaviorDescription { get; set; }
    [BindProperty] public Dictionary<string, string?> Anchors { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current is null) return NotFound();
        BaseVersion = current.Version.Id;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var key = (ValueKey ?? "").Trim();
        var behavior = new BehaviorChange(BehaviorName ?? "", BehaviorDescription ?? "", FrameworkText.Ratings.ToDictionary(r => r, r => Anchors.GetValueOrDefault(r) ?? ""));
        var write = await history.ApplyAsync(f => FrameworkEdits.AddValue(f, key, new ValueChange(Name ?? "", Description ?? ""), BehaviorKey ?? "", behavior),
            "", "framework.value_added", key, viewer.EmployeeId, Note, BaseVersion, ct);
        return Outcome(write, r => Saved("/framework", r, $"value-{Uri.EscapeDataString(key)}"), "Your text is kept below;") ?? Page();
    }
}
