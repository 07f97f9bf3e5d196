using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Accounts, passwords (ASP.NET Core Identity's hasher), lockout and personal API tokens.</summary>
public sealed class AccountService(TrellisDb db, TimeProvider clock)
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    private static readonly PasswordHasher<Account> Hasher = new();

    public sealed record SignInResult(Account? Account, string? EmployeeName, string? Error);

    /// <summary>Creates the account of an employee, or adds roles and (if given) a new password to it.</summary>
    public async Task<(Account Account, string? GeneratedPassword, bool Created)> AddUserAsync(
        string employeeId, IEnumerable<string> roles, string? password, CancellationToken ct = default)
    {
        var unknown = roles.Where(r => !Roles.IsKnown(r.Trim().ToLowerInvariant())).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown role '{unknown[0]}' (use {string.Join(", ", Roles.All)})");
        if (!await db.Employees.AnyAsync(e => e.Id == employeeId, ct))
            throw new ArgumentException($"no employee with id '{employeeId}'");

        string? generated = null;
        if (password is null) password = generated = GeneratePassword();
        else if (password.Length < 8) throw new ArgumentException("the password must have at least 8 characters");

        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct);
        var created = account is null;
        if (account is null)
        {
            account = new Account { EmployeeId = employeeId, PasswordHash = "", Roles = Roles.Join(roles), CreatedAt = clock.GetUtcNow() };
            db.Accounts.Add(account);
        }
        else
        {
            account.Roles = Roles.Join(Roles.Split(account.Roles).Concat(roles));
        }
        account.PasswordHash = Hasher.HashPassword(account, password);
        account.FailedSignIns = 0;
        account.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        return (account, generated, created);
    }

    /// <summary>Checks a sign-in by employee id or email; counts failures and locks the account after too many.</summary>
    public async Task<SignInResult> CheckSignInAsync(string login, string password, CancellationToken ct = default)
    {
        login = login.Trim();
        var row = await db.Accounts
            .Join(db.Employees, a => a.EmployeeId, e => e.Id, (a, e) => new { Account = a, e.Name, e.Email, e.Status })
            .FirstOrDefaultAsync(x => x.Account.EmployeeId == login || x.Email == login, ct);
        const string invalid = "The sign-in or the password is not right.";
        if (row is null) return new(null, null, invalid);
        var account = row.Account;
        var now = clock.GetUtcNow();
        if (row.Status == EmployeeStatus.Left) return new(null, null, "This account is closed.");
        if (account.LockedUntil is { } until && until > now)
            return new(null, null, $"Too many failed attempts: the account is locked until {until:HH:mm} UTC.");

        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            account.FailedSignIns++;
            if (account.FailedSignIns >= MaxFailedSignIns)
            {
                account.LockedUntil = now + LockoutDuration;
                account.FailedSignIns = 0;
            }
            await db.SaveChangesAsync(ct);
            return new(null, null, account.LockedUntil > now
                ? $"Too many failed attempts: the account is locked until {account.LockedUntil:HH:mm} UTC."
                : invalid);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = Hasher.HashPassword(account, password);
        account.FailedSignIns = 0;
        account.LockedUntil = null;
        account.LastSignInAt = now;
        await db.SaveChangesAsync(ct);
        return new(account, row.Name, null);
    }

    /// <summary>Creates a personal API token; the plain token is returned once and only its hash is kept.</summary>
    public async Task<string> CreateTokenAsync(string employeeId, string? name, CancellationToken ct = default)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.EmployeeId == employeeId, ct)
            ?? throw new ArgumentException($"employee '{employeeId}' has no account (create one with `trellis user add`)");
        var token = ApiTokens.Generate();
        db.ApiTokens.Add(new ApiToken { AccountId = account.Id, Name = string.IsNullOrWhiteSpace(name) ? "token" : name.Trim(), Hash = ApiTokens.Hash(token), CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return token;
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
}
