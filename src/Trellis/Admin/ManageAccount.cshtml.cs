using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>One account in the admin console: roles, password reset (shown once), unlock, disable, and its API tokens. Admins only.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class ManageAccountModel(AdminQueries queries, AccountAdmin admin) : PageModel
{
    [FromRoute] public string EmployeeId { get; set; } = "";
    public AccountRow? Account { get; private set; }
    public IReadOnlyList<TokenRow> Tokens { get; private set; } = [];
    public string? Message { get; private set; }
    /// <summary>A password just issued: shown on this answer only.</summary>
    public PasswordIssued? Issued { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await ShowAsync(ct);

    public async Task<IActionResult> OnPostRolesAsync(string[]? roles, CancellationToken ct) =>
        await AfterAsync(await admin.SetRolesAsync(EmployeeId, new SetRolesRequest(roles ?? []), ct), "Roles saved. Sessions with the old roles have ended.", ct);

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken ct)
    {
        var outcome = await admin.ResetPasswordAsync(EmployeeId, ct);
        Issued = outcome.Value;
        var tokens = outcome.Value?.TokensRevoked ?? 0;
        return await AfterAsync(outcome, "A new password is set; give it to the person over a channel you trust. Their sessions have ended"
            + (tokens > 0 ? $" and their {tokens} API token{(tokens == 1 ? " is" : "s are")} revoked." : "."), ct);
    }

    public async Task<IActionResult> OnPostUnlockAsync(CancellationToken ct) =>
        await AfterAsync(await admin.UnlockAsync(EmployeeId, ct), "The lockout is lifted.", ct);

    public async Task<IActionResult> OnPostDisableAsync(CancellationToken ct) =>
        await AfterAsync(await admin.SetDisabledAsync(EmployeeId, disabled: true, ct), "The account is disabled: no sign-in, session or token works.", ct);

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken ct) =>
        await AfterAsync(await admin.SetDisabledAsync(EmployeeId, disabled: false, ct), "The account is enabled again.", ct);

    public async Task<IActionResult> OnPostRevokeAsync(int id, CancellationToken ct) =>
        await AfterAsync(await admin.RevokeTokenAsync(id, ct), $"Token {id} is revoked.", ct);

    private async Task<IActionResult> AfterAsync<T>(Outcome<T> outcome, string done, CancellationToken ct)
    {
        if (outcome.Problem is { } p) p.ShowOn(this);
        else Message = done;
        return await ShowAsync(ct);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        Account = await queries.AccountAsync(EmployeeId, ct);
        if (Account is null) return NotFound();
        Tokens = await admin.TokensAsync(EmployeeId, ct);
        return Page();
    }
}
