using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>HR renames a value or changes its description; its key stays, so recognitions stay attached.</summary>
[Authorize(Policy = Policies.Hr)]
public sealed class EditValueModel(FrameworkHistory history, Viewer viewer) : FrameworkEditPageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current?.Framework.Values.FirstOrDefault(v => v.Key == Key) is not { } value) return NotFound();
        Name = value.Name;
        Description = value.Description;
        BaseVersion = current.Version.Id;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var write = await history.ApplyAsync(f => FrameworkEdits.EditValue(f, Key, new ValueChange(Name ?? "", Description ?? "")),
            $"There is no value '{Key}'", "framework.value_edited", Key, viewer.EmployeeId, Note, BaseVersion, ct);
        return Outcome(write, r => Saved("/framework", r, $"value-{Uri.EscapeDataString(Key)}"), "Your text is kept below;") ?? Page();
    }
}
