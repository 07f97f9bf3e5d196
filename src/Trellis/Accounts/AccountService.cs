using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Accounts;

/// <summary>Accounts, passwords (ASP.NET Core Identity's hasher), lockout, sessions and personal API tokens.</summary>
public sealed class AccountService(TrellisDb db, TimeProvider clock, AccountStates? states = null)
{
    /// <summary>Failed sign-ins under one login from one client address before that address is locked out of it.</summary>
    public const int MaxFailedSignIns = 5;
    /// <summary>Failed sign-ins under one login from all addresses together before it is locked for every browser that never signed in to it (NIST: at most 100).</summary>
    public const int MaxFailedSignInsAnywhere = 100;
    /// <summary>Failed sign-ins from a browser that signed in to the account before (its device cookie) before that browser is locked out.</summary>
    public const int MaxFailedSignInsPerDevice = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    /// <summary>
    /// Wrong passwords a signed-in person may re-enter (for a token, a provisioning token, a new password) in a lockout
    /// period before re-entry is locked for the account: a stolen session must not be a way to guess the password.
    /// </summary>
    public const int MaxFailedReentries = 5;
    /// <summary>The one answer to an unknown login, a closed account and a wrong password alike.</summary>
    public const string Invalid = "The sign-in or the password is not right.";

    private static readonly PasswordHasher<Account> Hasher = new();
    private static readonly Account Nobody = new() { EmployeeId = "", PasswordHash = "", Roles = "" };
    /// <summary>Checked against when the account is unknown, so that an unknown sign-in takes as long as a wrong password.</summary>
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(Nobody, "not a password anyone has"));

    public sealed record SignInResult(Account? Account, string? EmployeeName, string? Error);

    public static string Locked(DateTimeOffset until) => $"Too many failed attempts: try again after {until.UtcDateTime:HH:mm} UTC.";

    /// <summary>What a password entered again came to; <see cref="LockedUntil"/> is set when re-entry is locked.</summary>
    public sealed record Reentry(bool Right, DateTimeOffset? LockedUntil = null)
    {
        public static readonly Reentry Wrong = new(false);
        public string Message => LockedUntil is { } until
            ? $"Too many wrong passwords: entering your password again is locked until {until.UtcDateTime:HH:mm} UTC."
            : WrongPassword;
    }

    public const string WrongPassword = "The current password is not right.";

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
        await ForgetFailedSignInsAsync(account, ct);
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
    /// Checks a sign-in by employee id or email from a client (<see cref="SignInRateLimit.ClientKey"/>), and the device
    /// cookie the browser sent, if any (<see cref="SignInDevices"/>). Failures are counted per login as typed (trimmed,
    /// lower-cased) and client, and per login from everywhere, in the same rows and the same way whether an account has
    /// that login or not: the answers to a run of guesses are the same for every login (<c>docs/security.md</c>).
    /// <list type="bullet">
    /// <item>At most <see cref="MaxFailedSignIns"/> passwords are checked per login and address (an IPv6 address by its
    /// /64) in a lockout period, however many guesses arrive at once: a slot is taken by one atomic UPDATE before the
    /// (slow) password check.</item>
    /// <item>After <see cref="MaxFailedSignInsAnywhere"/> failures from all clients together the login is locked for
    /// everyone, except a browser that signed in to this account before: it has its own budget of
    /// <see cref="MaxFailedSignInsPerDevice"/> and is held by no other lock, so strangers cannot lock the owner out.</item>
    /// <item>Failures older than <see cref="LockoutDuration"/> no longer count.</item>
    /// </list>
    /// Each failed check of a real account is in the audit log.
    /// </summary>
    public async Task<SignInResult> CheckSignInAsync(
        string login, string password, string? client = null, SignInDevice? device = null, CancellationToken ct = default)
    {
        login = login.Trim();
        var key = SignInLockout.KeyOf(login);
        client = string.IsNullOrWhiteSpace(client) ? "unknown" : client.Length > 64 ? client[..64] : client;
        var now = clock.GetUtcNow();
        var accounts = db.Accounts.AsNoTracking()
            .Join(db.Employees, a => a.EmployeeId, e => e.Id, (a, e) => new { a.Id, a.EmployeeId, a.PasswordHash, a.DisabledAt, e.Email, e.Status });
        // The employee id first (exactly as written); an email address, without regard to case, only when exactly one
        // account has it. Emails may still be shared (imports refuse a shared one, but SCIM and data imported before they
        // did may have it), and "the first match" of two would be whichever row the database returns first: someone else's account.
        var row = await accounts.FirstOrDefaultAsync(x => x.EmployeeId == login, ct);
        if (row is null)
        {
            var lowered = login.ToLowerInvariant();
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL lower() on both databases; string.Equals with a comparison does not translate.
            var byEmail = await accounts.Where(x => x.Email.ToLower() == lowered).Take(2).ToListAsync(ct);
#pragma warning restore CA1862
            if (byEmail.Count == 1) row = byEmail[0];
        }
        // Unknown and closed accounts take the same path as a wrong password, to the same rows, and take as long.
        var open = row is not null && row.Status != EmployeeStatus.Left && row.DisabledAt is null;
        var trusted = open && device is not null && device.AccountId == row!.Id;
        var slot = trusted ? SignInDevices.ClientPrefix + device!.Id : client;
        var budget = trusted ? MaxFailedSignInsPerDevice : MaxFailedSignIns;

        if (!trusted && await LockedUntilAsync(key, SignInLockout.Anywhere, now, ct) is { } everywhere) return new(null, null, Locked(everywhere));
        if (await TakeSlotAsync(key, slot, budget, now, ct) is { } lockedUntil) return new(null, null, Locked(lockedUntil));

        var verdict = PasswordVerificationResult.Failed;
        if (open && row!.PasswordHash.Length > 0) verdict = Hasher.VerifyHashedPassword(Nobody, row.PasswordHash, password);
        else Hasher.VerifyHashedPassword(Nobody, DummyHash.Value, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var until = now + LockoutDuration;
            var locked = await CountFailureAsync(key, slot, budget, now, until, ct);
            if (await CountFailureAsync(key, SignInLockout.Anywhere, MaxFailedSignInsAnywhere, now, until, ct) && row is not null)
            {
                // Shown to admins (account list, unlock); the rows above are what sign-in reads.
                await db.Accounts.Where(a => a.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.LockedUntil, until), ct);
            }
            if (row is not null)
            {
                db.AuditLog.Add(new AuditLogEntry
                {
                    At = now, Action = "sign_in_failed", SubjectEmployeeId = row.EmployeeId,
                    Detail = $"from {client}{(trusted ? " on a device that signed in before" : "")}",
                });
                await db.SaveChangesAsync(ct);
            }
            return new(null, null, locked ? Locked(until) : Invalid);
        }

        await Lockouts(key, slot).ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0), ct);
        var account = await db.Accounts.FirstAsync(a => a.Id == row!.Id, ct);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = Hasher.HashPassword(account, password);
        account.LastSignInAt = now;
        if (account.SecurityStamp.Length == 0) account.SecurityStamp = NewSecurityStamp();
        await db.SaveChangesAsync(ct);
        var name = await db.Employees.Where(e => e.Id == account.EmployeeId).Select(e => e.Name).FirstAsync(ct);
        return new(account, name, null);
    }

    private IQueryable<SignInLockout> Lockouts(string login, string client) =>
        db.SignInLockouts.Where(l => l.Login == login && l.Client == client);

    private Task<DateTimeOffset?> LockedUntilAsync(string login, string client, DateTimeOffset now, CancellationToken ct) =>
        Lockouts(login, client).Where(l => l.LockedUntil > now).Select(l => l.LockedUntil).FirstOrDefaultAsync(ct);

    /// <summary>
    /// The row of this login and client, its window started afresh when the last one ended (a lock expired, or the first
    /// failure counted is older than the lockout period). Old rows of other logins are cleared when a new row is made.
    /// </summary>
    private async Task<IQueryable<SignInLockout>> OpenRowAsync(string login, string client, DateTimeOffset now, CancellationToken ct)
    {
        var utcNow = now.UtcDateTime;
        var created = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO sign_in_lockouts (login, client, failures, window_start) VALUES ({login}, {client}, 0, {utcNow}) ON CONFLICT DO NOTHING", ct);
        var stale = now - LockoutDuration * 2;
        if (created > 0)
            await db.SignInLockouts.Where(l => l.WindowStart < stale && (l.LockedUntil == null || l.LockedUntil < now)).ExecuteDeleteAsync(ct);
        var row = Lockouts(login, client);
        var windowOpened = now - LockoutDuration;
        // The conditions make the restart happen once when requests race: the first one moves the window to now.
        await row.Where(l => l.LockedUntil != null ? l.LockedUntil <= now : l.WindowStart <= windowOpened)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0).SetProperty(l => l.WindowStart, now).SetProperty(l => l.LockedUntil, (DateTimeOffset?)null), ct);
        return row;
    }

    /// <summary>Takes one of the <paramref name="budget"/> password checks of the login and client, or says until when it is locked.</summary>
    private async Task<DateTimeOffset?> TakeSlotAsync(string login, string client, int budget, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await OpenRowAsync(login, client, now, ct);
            var taken = await row.Where(l => l.Failures < budget && l.LockedUntil == null)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures + 1), ct);
            if (taken > 0) return null;
            var state = await row.Select(l => new { l.LockedUntil }).FirstOrDefaultAsync(ct);
            // Gone between the statements (another request cleared it as old): once more.
            if (state is null && attempt == 0) continue;
            return state?.LockedUntil is { } u && u > now ? u : now + LockoutDuration;
        }
    }

    /// <summary>Counts a failed check; true when it locks the login for this client (the budget is used up).</summary>
    private async Task<bool> CountFailureAsync(string login, string client, int budget, DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        IQueryable<SignInLockout> row;
        if (client == SignInLockout.Anywhere)
        {
            // No slot was taken for "everywhere": the failure is counted now.
            row = await OpenRowAsync(login, client, now, ct);
            await row.Where(l => l.LockedUntil == null).ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures + 1), ct);
        }
        else row = Lockouts(login, client);
        return await row.Where(l => l.Failures >= budget && l.LockedUntil == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.LockedUntil, until).SetProperty(l => l.Failures, 0), ct) > 0;
    }

    /// <summary>
    /// Lifts every lock and forgets every failure under the logins of an account (its employee id and its email), from
    /// every client: for an admin's unlock and a new password. Returns how many counters there were.
    /// </summary>
    public async Task<int> ForgetFailedSignInsAsync(Account account, CancellationToken ct = default)
    {
        var email = await db.Employees.Where(e => e.Id == account.EmployeeId).Select(e => e.Email).FirstOrDefaultAsync(ct);
        var logins = new[] { SignInLockout.KeyOf(account.EmployeeId), SignInLockout.KeyOf(email ?? account.EmployeeId) };
        account.LockedUntil = null;
        return await db.SignInLockouts.Where(l => logins.Contains(l.Login) && (l.Failures > 0 || l.LockedUntil != null)).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Changes the password after checking the current one (<see cref="CheckPasswordAgainAsync"/>, so wrong ones count
    /// towards the re-entry lock); every session of the account ends. Returns the new security stamp (for the caller to
    /// re-issue its own session) or the problem, keyed by form field, and the re-entry's answer (locked or not).
    /// </summary>
    public async Task<(string? Stamp, Dictionary<string, string[]> Errors, Reentry Reentry)> ChangePasswordAsync(
        int accountId, string current, string replacement, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null) return (null, new() { ["current_password"] = ["This account does not exist any more."] }, Reentry.Wrong);
        var employee = await db.Employees.AsNoTracking().Where(e => e.Id == account.EmployeeId).Select(e => new { e.Id, e.Email }).FirstAsync(ct);
        var reentry = await CheckPasswordAgainAsync(accountId, current, ct);
        if (reentry.LockedUntil is not null) return (null, errors, reentry);
        if (!reentry.Right)
            errors["current_password"] = [WrongPassword];
        else if (current == replacement)
            errors["new_password"] = ["The new password must differ from the current one."];
        else if (PasswordRules.Problem(replacement, employee.Id, employee.Email, employee.Email.Split('@')[0]) is { } problem)
            errors["new_password"] = [char.ToUpperInvariant(problem[0]) + problem[1..] + "."];
        if (errors.Count > 0) return (null, errors, reentry);

        account.PasswordHash = Hasher.HashPassword(account, replacement);
        account.SecurityStamp = NewSecurityStamp();
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = account.EmployeeId, Action = "password_changed", SubjectEmployeeId = account.EmployeeId });
        await db.SaveChangesAsync(ct);
        states?.Forget(account.Id);
        return (account.SecurityStamp, errors, reentry);
    }

    /// <summary>Whether the account has a Trellis password (an account made by single sign-on has none until an admin sets one).</summary>
    public Task<bool> HasPasswordAsync(int accountId, CancellationToken ct = default) =>
        db.Accounts.AnyAsync(a => a.Id == accountId && a.PasswordHash != "", ct);

    /// <summary>
    /// Whether <paramref name="password"/> is the account's current password, for a step that asks a signed-in person
    /// for it again. Wrong ones are counted per account in the sign-in lockout table (client <see cref="SignInLockout.Reentry"/>),
    /// a slot taken before the check as for sign-in: after <see cref="MaxFailedReentries"/> in a lockout period every
    /// re-entry, the right password too, is refused for <see cref="LockoutDuration"/> (<c>password_reentry_locked</c> in
    /// the audit log). An admin's unlock or password reset lifts it. An empty password is not a guess and is not counted.
    /// </summary>
    public async Task<Reentry> CheckPasswordAgainAsync(int accountId, string? password, CancellationToken ct = default)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => new { a.EmployeeId, a.PasswordHash }).FirstOrDefaultAsync(ct);
        if (account is null || account.PasswordHash.Length == 0 || string.IsNullOrEmpty(password)) return Reentry.Wrong;
        var key = SignInLockout.KeyOf(account.EmployeeId);
        var now = clock.GetUtcNow();
        if (await TakeSlotAsync(key, SignInLockout.Reentry, MaxFailedReentries, now, ct) is { } lockedUntil) return new(false, lockedUntil);
        if (Hasher.VerifyHashedPassword(Nobody, account.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            await Lockouts(key, SignInLockout.Reentry).ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0), ct);
            return new(true);
        }
        var until = now + LockoutDuration;
        if (!await CountFailureAsync(key, SignInLockout.Reentry, MaxFailedReentries, now, until, ct)) return Reentry.Wrong;
        db.AuditLog.Add(new AuditLogEntry
        {
            At = now, ActorEmployeeId = account.EmployeeId, Action = ReentryLockedAction, SubjectEmployeeId = account.EmployeeId,
            Detail = $"{MaxFailedReentries} wrong passwords re-entered in a signed-in session; re-entry locked until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC",
        });
        await db.SaveChangesAsync(ct);
        return new(false, until);
    }

    public const string ReentryLockedAction = "password_reentry_locked";

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
