using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Cycles;

/// <summary>Shared by the cycle pages: a refused page (403/404) renders its reason with the right status; a refused form shows its error in place.</summary>
public abstract class CyclePageModel : PageModel
{
    public Problem? Refused { get; private set; }
    public string? Error { get; private set; }
    [TempData] public string? Notice { get; set; }

    protected IActionResult Refuse(Problem e)
    {
        Refused = e;
        Response.StatusCode = e.Status;
        return Page();
    }

    /// <summary>Shows a form's error above the form, answering with its status (400, 403, 409).</summary>
    protected void FormError(Problem e)
    {
        e.ShowOn(this);
        Error = e.Message;
    }
}
