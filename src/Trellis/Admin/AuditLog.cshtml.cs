using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>Browse the audit log: who read or changed which sensitive record, and when (HR and admins).</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AuditLogModel(AdminQueries admin) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Subject { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;

    public AuditLogPage? Result { get; private set; }
    public List<string> Actions { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        PageNumber = Trellis.People.PagingQuery.Of(Request);
        foreach (var (key, entry) in ModelState)
            if (entry.Errors.Count > 0) Errors[key.ToLowerInvariant()] = [$"'{entry.AttemptedValue}' is not a date (use YYYY-MM-DD)"];
        Actions = await admin.ActionsAsync(ct);
        var filter = new AuditLogFilter(Actor, Subject, Action, From, To, PageNumber);
        foreach (var (key, messages) in AdminQueries.Validate(filter)) Errors[key] = messages;
        if (Errors.Count == 0) Result = await admin.AuditLogAsync(filter, ct);
        else Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    public string Link(int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = Actor, ["subject"] = Subject, ["action"] = Action, ["from"] = From?.ToString("yyyy-MM-dd"), ["to"] = To?.ToString("yyyy-MM-dd"),
        ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}
