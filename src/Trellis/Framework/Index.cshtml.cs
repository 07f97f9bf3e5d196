using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Framework;

public sealed class IndexModel(FrameworkHistory history, Viewer viewer) : PageModel
{
    public FrameworkView? View { get; private set; }
    public bool IsHr => viewer.IsHr;

    /// <summary>Set after an edit redirected here: the version now current, and whether the save created it.</summary>
    [FromQuery(Name = "saved")] public int? SavedVersion { get; set; }
    [FromQuery(Name = "created")] public bool Created { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current is not null) View = new FrameworkView(current.Framework, current.Version, viewer.IsHr);
    }
}
