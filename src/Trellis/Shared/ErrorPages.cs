using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Trellis.Shared;

/// <summary>
/// Errors in the form the caller reads: a browser opening a page gets the error page in the app's layout
/// (<c>/error/{code}</c>), everything else (the API, SCIM, scripts, anything that does not ask for HTML) ProblemDetails.
/// </summary>
public static class ErrorPages
{
    /// <summary>A browser's request for a page: it asks for HTML, and the address is not one of the machine interfaces.</summary>
    public static bool IsPageRequest(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/scim") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health"))
            return false;
        foreach (var accept in context.Request.Headers.Accept)
            if (accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Exception and status-code handling, per kind of caller. On the app itself (not a branch), so that re-executing
    /// <c>/error/{code}</c> routes afresh. An exception in an API request is answered by <see cref="ApiExceptionProblems"/>;
    /// one in a page request falls through to the error page. Of the two status-code pages the outer one (HTML) is
    /// switched off for API requests and the inner one (ProblemDetails) for page requests.
    /// </summary>
    public static void UseErrorPages(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error/500",
            // A body the API cannot read is the caller's mistake, answered with field errors: no error in the log.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.Use((context, next) =>
        {
            if (!IsPageRequest(context)) DisableStatusCodePages(context);
            return next(context);
        });
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            if (IsPageRequest(context)) DisableStatusCodePages(context);
            return next(context);
        });
    }

    private static void DisableStatusCodePages(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } feature) feature.Enabled = false;
    }
}

/// <summary>
/// An unhandled exception in an API request: ProblemDetails (500) instead of the error page. The exception handler
/// middleware still logs it (only unreadable request bodies are kept out of the log, see <see cref="ErrorPages.UseErrorPages"/>).
/// </summary>
public sealed class ApiExceptionProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ErrorPages.IsPageRequest(httpContext) || httpContext.Response.HasStarted) return false;
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = StatusCodes.Status500InternalServerError },
            Exception = exception,
        });
    }
}

/// <summary>
/// A form post (or any write) that names no handler the page has is refused with 400. Without this Razor Pages renders
/// the page for it without running any handler, so a page whose model is loaded by its handlers fails on a null model.
/// </summary>
public sealed class UnknownHandlerFilter : IPageFilter
{
    public void OnPageHandlerSelected(PageHandlerSelectedContext context) { }

    public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        var method = context.HttpContext.Request.Method;
        if (context.HandlerMethod is null && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            context.Result = new StatusCodeResult(StatusCodes.Status400BadRequest);
    }

    public void OnPageHandlerExecuted(PageHandlerExecutedContext context) { }
}
