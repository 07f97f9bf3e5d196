using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>Accounts and the audit log: HR and admins only.</summary>
public static class AdminApi
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) => services.AddScoped<AdminQueries>().AddScoped<AccountAdmin>();

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Admin").RequireAuthorization(Policies.HrOrAdmin);
        api.MapGet("/admin/accounts", ListAccounts);
        api.MapGet("/audit-log", ListAuditLog);

        // Changes to accounts and tokens: admins only (the group's HR-or-admin and this policy both apply).
        api.MapPost("/admin/accounts", CreateAccount).RequireAuthorization(Policies.Admin).WithDescription("Create an account; the generated password is in the answer, once.");
        api.MapPut("/admin/accounts/{employeeId}/roles", SetRoles).RequireAuthorization(Policies.Admin);
        api.MapPost("/admin/accounts/{employeeId}/password", ResetPassword).RequireAuthorization(Policies.Admin).WithDescription("A new password, shown once.");
        api.MapPost("/admin/accounts/{employeeId}/unlock", Unlock).RequireAuthorization(Policies.Admin).WithDescription("Lift a lockout after failed sign-ins.");
        api.MapPost("/admin/accounts/{employeeId}/disable", Disable).RequireAuthorization(Policies.Admin).WithDescription("No sign-in, session or token works until enabled again; nothing else changes.");
        api.MapPost("/admin/accounts/{employeeId}/enable", Enable).RequireAuthorization(Policies.Admin);
        api.MapGet("/admin/tokens", ListTokens).RequireAuthorization(Policies.Admin).WithDescription("Personal API tokens with their last use; filter by employee_id.");
        api.MapPost("/admin/tokens/{id:int}/revoke", RevokeToken).RequireAuthorization(Policies.Admin);
        api.MapGet("/admin/scim-tokens", ListScimTokens).RequireAuthorization(Policies.Admin);
        api.MapPost("/admin/scim-tokens", CreateScimToken).RequireAuthorization(Policies.Admin)
            .WithDescription("A provisioning token for /scim/v2, shown once. Only from a browser session (a bearer token gets 403) with the admin's current_password again (429 after too many wrong ones).");
        api.MapPost("/admin/scim-tokens/{id:int}/revoke", RevokeScimToken).RequireAuthorization(Policies.Admin);
        api.MapGet("/admin/sso", GetSso).RequireAuthorization(Policies.Admin).WithDescription("Single sign-on: issuer, provider, whether passwords work, the last sign-in through it.");
        return app;
    }

    public static async Task<Results<Created<PasswordIssued>, Ok<PasswordIssued>, ValidationProblem, ProblemHttpResult>> CreateAccount(
        CreateAccountRequest request, AccountAdmin admin, CancellationToken ct) =>
        (await admin.CreateAsync(request, ct)).ToCreated(p => $"/api/v1/admin/accounts?q={Uri.EscapeDataString(p.EmployeeId)}");

    public static async Task<Results<Ok<AccountChanged>, ValidationProblem, ProblemHttpResult>> SetRoles(string employeeId, SetRolesRequest request, AccountAdmin admin, CancellationToken ct) =>
        (await admin.SetRolesAsync(employeeId, request, ct)).ToOk();

    public static async Task<Results<Ok<PasswordIssued>, ValidationProblem, ProblemHttpResult>> ResetPassword(string employeeId, AccountAdmin admin, CancellationToken ct) =>
        (await admin.ResetPasswordAsync(employeeId, ct)).ToOk();

    public static async Task<Results<Ok<AccountChanged>, ValidationProblem, ProblemHttpResult>> Unlock(string employeeId, AccountAdmin admin, CancellationToken ct) =>
        (await admin.UnlockAsync(employeeId, ct)).ToOk();

    public static async Task<Results<Ok<AccountChanged>, ValidationProblem, ProblemHttpResult>> Disable(string employeeId, AccountAdmin admin, CancellationToken ct) =>
        (await admin.SetDisabledAsync(employeeId, disabled: true, ct)).ToOk();

    public static async Task<Results<Ok<AccountChanged>, ValidationProblem, ProblemHttpResult>> Enable(string employeeId, AccountAdmin admin, CancellationToken ct) =>
        (await admin.SetDisabledAsync(employeeId, disabled: false, ct)).ToOk();

    public static async Task<Ok<List<TokenRow>>> ListTokens(AccountAdmin admin, [FromQuery(Name = "employee_id")] string? employeeId, CancellationToken ct) =>
        TypedResults.Ok(await admin.TokensAsync(employeeId, ct));

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeToken(int id, AccountAdmin admin, CancellationToken ct) =>
        (await admin.RevokeTokenAsync(id, ct)).To(_ => TypedResults.NoContent());

    public static async Task<Ok<List<Provisioning.ProvisioningTokenRow>>> ListScimTokens(AccountAdmin admin, CancellationToken ct) =>
        TypedResults.Ok(await admin.ScimTokensAsync(ct));

    public static async Task<Results<Created<ScimTokenIssued>, Ok<ScimTokenIssued>, ValidationProblem, ProblemHttpResult>> CreateScimToken(
        CreateScimTokenRequest request, AccountAdmin admin, HttpContext http, CancellationToken ct) =>
        (await admin.CreateScimTokenAsync(request, http.User, ct)).ToCreated(_ => "/api/v1/admin/scim-tokens");

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeScimToken(int id, AccountAdmin admin, CancellationToken ct) =>
        (await admin.RevokeScimTokenAsync(id, ct)).To(_ => TypedResults.NoContent());

    public static async Task<Ok<SsoStatus>> GetSso(AccountAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.SsoAsync(ct));

    public static async Task<Results<Ok<AccountPage>, ValidationProblem>> ListAccounts(
        AdminQueries admin, string? q, string? role, int? page, [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var filter = new AccountFilter(q, role, page ?? 1, pageSize ?? 50);
        var errors = AdminQueries.Validate(filter);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await admin.AccountsAsync(filter, ct));
    }

    /// <summary>The audit log, newest first; <c>from</c>/<c>to</c> are inclusive dates (UTC).</summary>
    public static async Task<Results<Ok<AuditLogPage>, ValidationProblem>> ListAuditLog(
        AdminQueries admin, string? actor, string? subject, string? action, DateOnly? from, DateOnly? to, int? page,
        [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var filter = new AuditLogFilter(actor, subject, action, from, to, page ?? 1, pageSize ?? 50);
        var errors = AdminQueries.Validate(filter);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await admin.AuditLogAsync(filter, ct));
    }
}
