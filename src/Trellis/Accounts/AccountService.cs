using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Accounts, passwords (ASP.NET Core Identity's hasher), lockout, sessions and personal API tokens.</summary>
public sealed class AccountService(TrellisDb db, TimeProvider clock, AccountStates? states = null, UnknownSignIns? unknown = null)
{
    /// <summary>Failed sign-ins of one account from one client address before that address is locked out of it.</summary>
    public const int MaxFailedSignIns = 5;
    /// <summary>Consecutive failed sign-ins of one account from all addresses together before the account itself is locked (NIST: at most 100).</summary>
    public const int MaxFailedSignInsAnywhere = 100;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    /// <summary>The one answer to an unknown account, a closed account and a wrong password alike.</summary>
    public const string Invalid = "The sign-in or the password is not right.";

    private static readonly PasswordHasher<Account> Hasher = new();
    private static readonly Account Nobody = new() { EmployeeId = "", PasswordHash = "", Roles = "" };
    /// <summary>Checked against when the account is unknown, so that an unknown sign-in takes as long as a wrong password.</summary>
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(Nobody, "not a password anyone has"));

    public sealed record SignInResult(Account? Account, string? EmployeeName, string? Error);

    public static string Locked(DateTimeOffset until) => $"Too many failed attempts: try again after {until.UtcDateTime:HH:mm} UTC.";

    public static string NewSecurityStamp() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Creates the account of an employee, or adds roles and (if given) a new password to it. Either way the account's
    /// sessions end (a role or password change must not leave an old session running with the old rights).
    /// </summary>
    public async Task<(Account Account, string? GeneratedPassword, bool Created)> AddUserAsync(
        string employeeId, IEnumerable<string> roles, string? password, CancellationToken ct = default)
    {
        var unknownRoles = roles.Where(r => !Roles.IsKnown(r.Trim().ToLowerInvariant())).ToList();
        if (unknownRoles.Count > 0)
            throw new ArgumentException($"unknown role '{unknownRoles[0]}' (use {string.Join(", ", Roles.All)})");
        var employee = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId).Select(e => new { e.Id, e.Email }).FirstOrDefaultAsync(ct)
            ?? throw new ArgumentException($"no employee with id '{employeeId}'");

        string? generated = null;
        if (password is null) password = generated = GeneratePassword();
        else if (PasswordRules.Problem(password, employee.Id, employee.Email, employee.Email.Split('@')[0]) is { } problem)
            throw new ArgumentException(problem);

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
        account.SecurityStamp = NewSecurityStamp();
        db.AuditLog.Add(new AuditLogEntry
        {
            At = clock.GetUtcNow(), Action = created ? "account_created" : "account_updated", SubjectEmployeeId = employeeId,
            Detail = $"roles: {account.Roles}; password {(generated is null ? "given" : "generated")}",
        });
        await db.SaveChangesAsync(ct);
        states?.Forget(account.Id);
        return (account, generated, created);
    }

    /// <summary>
    /// Checks a sign-in by employee id or email from a client address. At most <see cref="MaxFailedSignIns"/> passwords
    /// are ever checked for one account and address per lockout period, however many guesses arrive at once: a slot is
    /// taken by one atomic UPDATE before the (slow) password check. Each failed check is in the audit log.
    /// </summary>
    public async Task<SignInResult> CheckSignInAsync(string login, string password, string? client = null, CancellationToken ct = default)
    {
        login = login.Trim();
        client = string.IsNullOrWhiteSpace(client) ? "unknown" : client.Length > 64 ? client[..64] : client;
        var now = clock.GetUtcNow();
        var accounts = db.Accounts.AsNoTracking()
            .Join(db.Employees, a => a.EmployeeId, e => e.Id, (a, e) => new { a.Id, a.EmployeeId, a.PasswordHash, a.LockedUntil, a.DisabledAt, e.Email, e.Status });
        // The employee id first; an email address only when exactly one account has it. Imports do not make emails
        // unique, and "the first match" of two would be whichever row the database returns first: someone else's account.
        var row = await accounts.FirstOrDefaultAsync(x => x.EmployeeId == login, ct);
        if (row is null)
        {
            var byEmail = await accounts.Where(x => x.Email == login).Take(2).ToListAsync(ct);
            if (byEmail.Count == 1) row = byEmail[0];
        }

        if (row is null || row.Status == EmployeeStatus.Left || row.DisabledAt is not null)
        {
            // Unknown and closed accounts answer like a wrong password, take as long, and "lock" the same way,
            // so that neither the message nor the lockout tells an outsider which accounts exist.
            if ((unknown ?? UnknownSignIns.Shared).LockedUntil(login, client, now) is { } until) return new(null, null, Locked(until));
            Hasher.VerifyHashedPassword(Nobody, DummyHash.Value, password);
            (unknown ?? UnknownSignIns.Shared).Failed(login, client, now);
            return new(null, null, Invalid);
        }
        if (row.LockedUntil is { } all && all > now) return new(null, null, Locked(all));

        // Take one of the MaxFailedSignIns slots of this account and address, atomically.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO sign_in_lockouts (account_id, client, failures) VALUES ({row.Id}, {client}, 0) ON CONFLICT DO NOTHING", ct);
        var key = db.SignInLockouts.Where(l => l.AccountId == row.Id && l.Client == client);
        var taken = await key.Where(l => l.Failures < MaxFailedSignIns && (l.LockedUntil == null || l.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures + 1), ct);
        if (taken == 0)
        {
            var lockedUntil = await key.Select(l => l.LockedUntil).FirstOrDefaultAsync(ct);
            return new(null, null, Locked(lockedUntil is { } u && u > now ? u : now + LockoutDuration));
        }

        var verdict = Hasher.VerifyHashedPassword(Nobody, row.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var until = now + LockoutDuration;
            var locked = await key.Where(l => l.Failures >= MaxFailedSignIns)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.LockedUntil, until).SetProperty(l => l.Failures, 0), ct);
            await db.Accounts.Where(a => a.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.FailedSignIns, a => a.FailedSignIns + 1), ct);
            await db.Accounts.Where(a => a.Id == row.Id && a.FailedSignIns >= MaxFailedSignInsAnywhere)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, until).SetProperty(a => a.FailedSignIns, 0), ct);
            db.AuditLog.Add(new AuditLogEntry { At = now, Action = "sign_in_failed", SubjectEmployeeId = row.EmployeeId, Detail = $"from {client}" });
            await db.SaveChangesAsync(ct);
            return new(null, null, locked > 0 ? Locked(until) : Invalid);
        }

        await key.ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0).SetProperty(l => l.LockedUntil, (DateTimeOffset?)null), ct);
        var account = await db.Accounts.FirstAsync(a => a.Id == row.Id, ct);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = Hasher.HashPassword(account, password);
        account.FailedSignIns = 0;
        account.LastSignInAt = now;
        if (account.SecurityStamp.Length == 0) account.SecurityStamp = NewSecurityStamp();
        await db.SaveChangesAsync(ct);
        var name = await db.Employees.Where(e => e.Id == account.EmployeeId).Select(e => e.Name).FirstAsync(ct);
        return new(account, name, null);
    }

    /// <summary>
    /// Changes the password after checking the current one; every session of the account ends. Returns the new security
    /// stamp (for the caller to re-issue its own session) or the problem, keyed by form field.
    /// </summary>
    public async Task<(string? Stamp, Dictionary<string, string[]> Errors)> ChangePasswordAsync(
        int accountId, string current, string replacement, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null) return (null, new() { ["current_password"] = ["This account does not exist any more."] });
        var employee = await db.Employees.AsNoTracking().Where(e => e.Id == account.EmployeeId).Select(e => new { e.Id, e.Email }).FirstAsync(ct);
        if (Hasher.VerifyHashedPassword(account, account.PasswordHash, current) == PasswordVerificationResult.Failed)
            errors["current_password"] = ["The current password is not right."];
        else if (current == replacement)
            errors["new_password"] = ["The new password must differ from the current one."];
        else if (PasswordRules.Problem(replacement, employee.Id, employee.Email, employee.Email.Split('@')[0]) is { } problem)
            errors["new_password"] = [char.ToUpperInvariant(problem[0]) + problem[1..] + "."];
        if (errors.Count > 0) return (null, errors);

        account.PasswordHash = Hasher.HashPassword(account, replacement);
        account.SecurityStamp = NewSecurityStamp();
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = account.EmployeeId, Action = "password_changed", SubjectEmployeeId = account.EmployeeId });
        await db.SaveChangesAsync(ct);
        states?.Forget(account.Id);
        return (account.SecurityStamp, errors);
    }

    /// <summary>Ends every cookie session of the account (sign-out): a captured cookie stops working at once.</summary>
    public async Task EndSessionsAsync(int accountId, CancellationToken ct = default)
    {
        await db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.SecurityStamp, NewSecurityStamp()), ct);
        states?.Forget(accountId);
    }

    /// <summary>Creates a personal API token; the plain token is returned once and only its hash is kept.</summary>
    public async Task<string> CreateTokenAsync(string employeeId, string? name, CancellationToken ct = default) =>
        (await new TokenService(db, clock).CreateAsync(employeeId, name, ct)).Token;

    private static string GeneratePassword() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
}

/// <summary>
/// Failed sign-ins under names that are no account (or a closed one), per name and client address, kept in memory for
/// the lockout period: they lock out exactly like a real account, so a lockout does not reveal that an account exists.
/// </summary>
public sealed class UnknownSignIns
{
    public static readonly UnknownSignIns Shared = new();
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<(string Login, string Client), (int Failures, DateTimeOffset? LockedUntil, DateTimeOffset First)> _entries = new();

    public DateTimeOffset? LockedUntil(string login, string client, DateTimeOffset now) =>
        _entries.TryGetValue((login.ToLowerInvariant(), client), out var e) && e.LockedUntil is { } until && until > now ? until : null;

    public void Failed(string login, string client, DateTimeOffset now)
    {
        if (_entries.Count > MaxEntries)
        {
            foreach (var (k, v) in _entries)
                if (now - v.First > AccountService.LockoutDuration) _entries.TryRemove(k, out _);
        }
        _entries.AddOrUpdate((login.ToLowerInvariant(), client), _ => (1, null, now), (_, e) =>
        {
            if (e.LockedUntil is { } until && until <= now || now - e.First > AccountService.LockoutDuration) e = (0, null, now);
            var failures = e.Failures + 1;
            return failures >= AccountService.MaxFailedSignIns ? (0, now + AccountService.LockoutDuration, e.First) : (failures, e.LockedUntil, e.First);
        });
    }
}
