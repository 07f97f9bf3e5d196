using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR adds a behaviour with its five anchors to a value (<see cref="FrameworkEditPageModel.Key"/> is the value's key).</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class AddBehaviorModel(FrameworkHistory history, Viewer viewer) : FrameworkEditPageModel
{
    [BindProperty] public string? BehaviorKey { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public Dictionary<string, string?> Anchors { get; set; } = [];

    public string ValueName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var change = new BehaviorChange(Name ?? "", Description ?? "", FrameworkText.Ratings.ToDictionary(r => r, r => Anchors.GetValueOrDefault(r) ?? ""));
        var key = (BehaviorKey ?? "").Trim();
        var write = await history.ApplyAsync(f => FrameworkEdits.AddBehavior(f, Key, key, change), $"There is no value '{Key}'",
            "framework.behavior_added", key, viewer.EmployeeId, Note, BaseVersion, ct);
        return Outcome(write, r => Saved("/framework", r, Uri.EscapeDataString(key)), "Your text is kept below;") ?? Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current?.Framework.Values.FirstOrDefault(v => v.Key == Key) is not { } value) return false;
        ValueName = value.Name;
        BaseVersion ??= current.Version.Id;
        return true;
    }
}
