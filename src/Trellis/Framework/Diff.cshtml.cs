using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Framework;

/// <summary>What changed between two versions: the structural diff, and the line diff of the JSON documents.</summary>
public sealed class DiffModel(FrameworkHistory history) : PageModel
{
    [FromQuery(Name = "from")] public int? From { get; set; }
    [FromQuery(Name = "to")] public int? To { get; set; }

    public IReadOnlyList<FrameworkVersionSummary> Versions { get; private set; } = [];
    public FrameworkDiffResponse? Diff { get; private set; }
    public IReadOnlyList<JsonLineDiff.Line> Lines { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Versions = await history.ListAsync(ct);
        if (Versions.Count == 0)
        {
            Message = "No career framework has been imported yet.";
            return Page();
        }
        // Same defaults as the API: "to" is the current version, "from" the one before "to".
        To ??= Versions[0].Id;
        From ??= await history.PreviousIdAsync(To.Value, ct);
        if (From is null)
        {
            Message = $"Version {To} is the first version; choose another version to compare it with.";
            return Page();
        }
        var from = await history.GetAsync(From.Value, ct);
        var to = await history.GetAsync(To.Value, ct);
        if (from is null || to is null)
        {
            Message = $"There is no framework version {(from is null ? From : To)}.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Diff = new FrameworkDiffResponse(from.Version, to.Version, Core.Framework.FrameworkDiff.Compare(from.Framework, to.Framework));
        Lines = JsonLineDiff.Build(from.Json, to.Json);
        return Page();
    }
}
