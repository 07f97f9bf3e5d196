using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>The admin page: accounts with their roles, last sign-in and lock state (HR and admins).</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
public sealed class AccountsModel(AdminQueries admin, AccountAdmin changes, Viewer viewer) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Role { get; set; }
    /// <summary>From the query by hand: Razor Pages reserve the <c>page</c> route value for the page's own name.</summary>
    public int PageNumber { get; private set; } = 1;

    public AccountPage? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public bool CanChange => viewer.IsAdmin;
    /// <summary>The account just created, with its password: shown on this answer only.</summary>
    public PasswordIssued? Created { get; private set; }
    /// <summary>What a refused create form held, shown again so the admin corrects it instead of typing it anew.</summary>
    public string? FormEmployeeId { get; private set; }
    public IReadOnlyList<string> FormRoles { get; private set; } = [];

    /// <summary>Creates an account (admins only; HR sees the list but changes nothing).</summary>
    public async Task<IActionResult> OnPostCreateAsync([FromForm(Name = "employee_id")] string? employeeId, [FromForm] string[]? roles, CancellationToken ct)
    {
        if (!viewer.IsAdmin) return Forbid();
        var outcome = await changes.CreateAsync(new CreateAccountRequest(employeeId, roles ?? []), ct);
        if (outcome.Problem is { } p)
        {
            p.ShowOn(this);
            FormEmployeeId = employeeId;
            FormRoles = roles ?? [];
        }
        Created = outcome.Value;
        await OnGetAsync(ct);
        return Page();
    }

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
