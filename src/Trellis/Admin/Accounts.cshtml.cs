using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>The admin page: accounts with their roles, last sign-in and lock state (HR and admins).</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AccountsModel(AdminQueries admin) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Role { get; set; }
    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;

    public AccountPage? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        PageNumber = Trellis.People.PagingQuery.Of(Request);
        var filter = new AccountFilter(Q, Role, PageNumber);
        Errors = AdminQueries.Validate(filter);
        if (Errors.Count == 0) Result = await admin.AccountsAsync(filter, ct);
        else Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    public string Link(int page) => QueryString.Create(new Dictionary<string, string?>
        { ["q"] = Q, ["role"] = Role, ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture) }
        .Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
}
