using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.Home;

/// <summary>
/// The page a browser sees for an error status or an unhandled exception (see <see cref="Shared.ErrorPages"/>); API
/// clients get ProblemDetails instead. Anonymous, because an unknown address is answered before sign-in, and without
/// an antiforgery check, because a refused form post is re-executed here as a POST.
/// </summary>
[AllowAnonymous, IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "";
    public string Message { get; private set; } = "";
    /// <summary>The trace id ProblemDetails carry too, shown for server errors so that the log line can be found.</summary>
    public string? Reference { get; private set; }

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        if (code is < 400 or > 599) code = 404;
        // Re-executed, the response already carries the original status; opened directly, the address states it.
        Response.StatusCode = code;
        (Title, Message) = code switch
        {
            400 => ("Not possible", "The request could not be understood. Go back, check what you entered and try again."),
            401 => ("Please sign in", "Sign in to see this page."),
            403 => ("Not allowed", "Your roles do not give you access to this page. If you think they should, ask an administrator."),
            404 => ("Not found", "There is no such page or record here. It may have been removed, or the address may be mistyped."),
            405 => ("Not possible", "This page does not take that kind of request."),
            409 => ("Changed in the meantime", "Someone changed this while you were working on it. Open it again to see the current state."),
            413 => ("Too large", "What you sent is larger than this page accepts."),
            429 => ("Too many requests", "Please wait a moment and try again."),
            >= 500 => ("Something went wrong", "The server could not complete this request. It has been logged; please try again later."),
            _ => ("Not possible", "The request could not be completed."),
        };
        if (code >= 500) Reference = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
    }
}
