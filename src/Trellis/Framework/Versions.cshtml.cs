using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Framework;

/// <summary>Every stored version, newest first, with who saved it, when and why; pick two to compare.</summary>
public sealed class VersionsModel(FrameworkHistory history) : PageModel
{
    public IReadOnlyList<FrameworkVersionSummary> Versions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Versions = await history.ListAsync(ct);
}
