using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Framework;

/// <summary>One stored version, read-only.</summary>
public sealed class VersionModel(FrameworkHistory history) : PageModel
{
    public FrameworkView? View { get; private set; }
    public int? PreviousId { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var version = await history.GetAsync(id, ct);
        if (version is null) return NotFound();
        View = new FrameworkView(version.Framework, version.Version, CanEdit: false);
        PreviousId = await history.PreviousIdAsync(id, ct);
        return Page();
    }
}
