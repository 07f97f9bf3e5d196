using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

public sealed record MeResponse(int AccountId, string EmployeeId, string Name, string? Email, IReadOnlyList<string> Roles);

public static class AccountsApi
{
    /// <summary>Accounts and who is asking (the HTTP sign-in itself is <see cref="AuthSetup.AddTrellisAuth"/>, added by the web app).</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services) =>
        services.AddScoped<AccountService>().AddScoped<Viewer>().AddScoped<SensitiveReads>();

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Accounts");
        api.MapGet("/me", GetMe);

        // Sign-out is a form post from the layout (antiforgery-protected).
        app.MapPost("/signout", (Delegate)SignOut).ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<MeResponse>, NotFound>> GetMe(Viewer viewer, TrellisDb db, CancellationToken ct)
    {
        var email = await db.Employees.Where(e => e.Id == viewer.EmployeeId).Select(e => e.Email).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new MeResponse(viewer.AccountId, viewer.EmployeeId, viewer.Name, email, viewer.Roles));
    }

    /// <summary>Ends the Trellis session; after a single sign-on, goes on to the provider's end-session endpoint when it has one.</summary>
    public static Task<IResult> SignOut(HttpContext http) => SingleSignOn.SignOutAsync(http);
}
