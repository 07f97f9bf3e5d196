using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Framework;

/// <summary>What the behaviour and level edit pages share: the version they were opened on, and how a save turns out.</summary>
public abstract class FrameworkEditPageModel : PageModel
{
    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public int? BaseVersion { get; set; }

    public string? Conflict { get; private set; }

    /// <summary>
    /// Redirects after a save, 404s an unknown key, or keeps the form with its errors (400) or with a warning that someone
    /// saved in between (409), in which case the next save applies on top of the newer version.
    /// </summary>
    protected IActionResult? Outcome(FrameworkWrite write, Func<FrameworkSaveResponse, string> savedUrl, string kept)
    {
        switch (write)
        {
            case FrameworkWrite.Saved s:
                return Redirect(savedUrl(s.Result));
            case FrameworkWrite.NotFound:
                return NotFound();
            case FrameworkWrite.Invalid i:
                Problem.Invalid(i.Errors, "The framework is not valid.").ShowOn(this);
                break;
            case FrameworkWrite.Stale s:
                Conflict = $"Someone saved version {s.CurrentVersion} after you opened this form (version {s.BaseVersion}). " +
                           $"{kept} check the current version, then save again to apply it on top.";
                BaseVersion = s.CurrentVersion;
                // The hidden field renders the posted value unless it is dropped from the model state.
                ModelState.Remove(nameof(BaseVersion));
                break;
        }
        Response.StatusCode = Conflict is null ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        return null;
    }

    protected static string Saved(string page, FrameworkSaveResponse result, string anchor) =>
        $"{page}?saved={result.Version}&created={(result.Created ? "true" : "false")}#{anchor}";
}
