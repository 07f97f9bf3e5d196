using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Provisioning;

namespace Trellis.Admin;

/// <summary>The admin console's connections: single sign-on status, SCIM provisioning tokens, and every personal API token. Admins only.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class TokensModel(AccountAdmin admin) : PageModel
{
    /// <summary>False for an admin account made by single sign-on: creating a provisioning token then asks for a fresh sign-in instead of the password.</summary>
    public bool HasPassword { get; private set; }
    public SsoStatus Sso { get; private set; } = null!;
    public IReadOnlyList<ProvisioningTokenRow> ScimTokens { get; private set; } = [];
    public IReadOnlyList<TokenRow> ApiTokens { get; private set; } = [];
    public ScimTokenIssued? NewScimToken { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task OnPostCreateScimAsync(string? name, [FromForm(Name = "current_password")] string? currentPassword, CancellationToken ct)
    {
        var outcome = await admin.CreateScimTokenAsync(new CreateScimTokenRequest(name, currentPassword), User, ct);
        if (outcome.Problem is { } p) p.ShowOn(this);
        else NewScimToken = outcome.Value;
        await LoadAsync(ct);
    }

    public async Task OnPostRevokeScimAsync(int id, CancellationToken ct)
    {
        var outcome = await admin.RevokeScimTokenAsync(id, ct);
        if (outcome.Problem is { } p) p.ShowOn(this);
        else Message = $"Provisioning token {id} is revoked.";
        await LoadAsync(ct);
    }

    public async Task OnPostRevokeAsync(int id, CancellationToken ct)
    {
        var outcome = await admin.RevokeTokenAsync(id, ct);
        if (outcome.Problem is { } p) p.ShowOn(this);
        else Message = $"API token {id} is revoked.";
        await LoadAsync(ct);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Sso = await admin.SsoAsync(ct);
        HasPassword = await admin.HasPasswordAsync(ct);
        ScimTokens = await admin.ScimTokensAsync(ct);
        ApiTokens = await admin.TokensAsync(null, ct);
    }
}
