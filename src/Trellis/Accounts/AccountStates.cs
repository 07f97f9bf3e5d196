using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>
/// Whether a signed-in session may go on: its account still exists and is not disabled, its person has not left, and the session's security
/// stamp is the account's current one. Checked on every cookie request; each account's state is read from the database at
/// most once a <see cref="MaxAge"/> (this process forgets it at once when it changes it; a change made by another process,
/// such as the CLI, is seen within that minute).
/// </summary>
public sealed class AccountStates(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    public sealed record State(string Stamp, bool Active, DateTimeOffset ReadAt);

    private readonly ConcurrentDictionary<int, State> _states = new();

    public void Forget(int accountId) => _states.TryRemove(accountId, out _);

    /// <summary>After a change to many people at once (an import may mark many as left).</summary>
    public void ForgetAll() => _states.Clear();

    public async Task<State?> GetAsync(int accountId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (_states.TryGetValue(accountId, out var known) && now - known.ReadAt < MaxAge) return known;

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        var row = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Join(db.Employees, a => a.EmployeeId, e => e.Id, (a, e) => new { a.SecurityStamp, a.DisabledAt, e.Status })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            Forget(accountId);
            return null;
        }
        var state = new State(row.SecurityStamp, row.Status != EmployeeStatus.Left && row.DisabledAt == null, now);
        _states[accountId] = state;
        return state;
    }

    /// <summary>The cookie handler's per-request check: a stale, closed or signed-out session is refused and its cookie removed.</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var ok = int.TryParse(user?.FindFirstValue(TrellisClaims.AccountId), out var accountId)
                 && user!.FindFirstValue(TrellisClaims.SecurityStamp) is { } stamp
                 && await GetAsync(accountId, context.HttpContext.RequestAborted) is { Active: true } state
                 && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                     System.Text.Encoding.UTF8.GetBytes(stamp), System.Text.Encoding.UTF8.GetBytes(state.Stamp));
        if (ok) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
