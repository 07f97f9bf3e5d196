using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Admin;

/// <summary>Accounts and the audit log: HR and admins only.</summary>
public static class AdminApi
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) => services.AddScoped<AdminQueries>();

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Admin").RequireAuthorization(Policies.HrOrAdmin);
        api.MapGet("/admin/accounts", ListAccounts);
        api.MapGet("/audit-log", ListAuditLog);
        return app;
    }

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
