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
        services.AddScoped<AccountService>().AddScoped<PasswordReentry>().AddScoped<TokenService>().AddScoped<Viewer>().AddScoped<SensitiveReads>()
            .AddSingleton<AccountStates>();

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Accounts");
        api.MapGet("/me", GetMe);
        api.MapGet("/tokens", ListTokens).WithDescription("The signed-in person's personal API tokens that still work: id, name, created, last used (never the token).");
        api.MapDelete("/tokens/{id:int}", RevokeToken).WithDescription("Revoke a token: its owner or an admin (403 otherwise). Revoking a revoked token is a no-op.");

        // Sign-out is a form post from the layout; it ends the session on the server too.
        app.MapPost("/signout", (Delegate)SignOut).ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<MeResponse>, NotFound>> GetMe(Viewer viewer, TrellisDb db, CancellationToken ct)
    {
        var email = await db.Employees.Where(e => e.Id == viewer.EmployeeId).Select(e => e.Email).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new MeResponse(viewer.AccountId, viewer.EmployeeId, viewer.Name, email, viewer.Roles));
    }

    public static async Task<Ok<IReadOnlyList<TokenResponse>>> ListTokens(Viewer viewer, TokenService tokens, CancellationToken ct) =>
        TypedResults.Ok(await tokens.ListAsync(viewer.AccountId, ct));

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeToken(int id, Viewer viewer, TokenService tokens, CancellationToken ct)
    {
        var (result, _) = await tokens.RevokeAsync(id, new TokenRevoker(viewer.AccountId, viewer.EmployeeId, viewer.IsAdmin), ct);
        return result switch
        {
            RevokeResult.Revoked => TypedResults.NoContent(),
            RevokeResult.Forbidden => TypedResults.Problem($"Token {id} is someone else's: only its owner and admins may revoke it.", statusCode: 403, title: "Forbidden"),
            _ => TypedResults.Problem($"There is no token {id}.", statusCode: 404, title: "Not found"),
        };
    }

    /// <summary>
    /// Ends the session everywhere (a new security stamp), so a copy of the cookie taken before is refused; after a single
    /// sign-on, goes on to the provider's end-session endpoint when it has one.
    /// </summary>
    public static async Task<IResult> SignOut(HttpContext http, Viewer viewer, AccountService accounts, CancellationToken ct)
    {
        if (viewer.AccountId != 0 && http.User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme)
            await accounts.EndSessionsAsync(viewer.AccountId, ct);
        return await SingleSignOn.SignOutAsync(http);
    }
}
