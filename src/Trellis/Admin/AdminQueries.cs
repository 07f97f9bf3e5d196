using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Admin;

/// <summary>Reads behind the admin page and the audit-log browser (both for HR and admins).</summary>
public sealed class AdminQueries(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    public static Dictionary<string, string[]> Validate(AccountFilter f)
    {
        var errors = Paging(f.Page, f.PageSize);
        if (f.Role is { Length: > 0 } role && !Roles.IsKnown(role))
            errors["role"] = [$"role must be one of {string.Join(", ", Roles.All)} (got '{role}')"];
        return errors;
    }

    public static Dictionary<string, string[]> Validate(AuditLogFilter f)
    {
        var errors = Paging(f.Page, f.PageSize);
        if (f.From is { } from && f.To is { } to && from > to)
            errors["to"] = [$"to ({to:yyyy-MM-dd}) is before from ({from:yyyy-MM-dd})"];
        return errors;
    }

    private static Dictionary<string, string[]> Paging(int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1) errors["page"] = [$"page must be 1 or more (got {page})"];
        if (pageSize is < 1 or > MaxPageSize) errors["page_size"] = [$"page_size must be between 1 and {MaxPageSize} (got {pageSize})"];
        return errors;
    }

    /// <summary>One account as the list shows it, or null.</summary>
    public async Task<AccountRow?> AccountAsync(string employeeId, CancellationToken ct = default) =>
        (await AccountsAsync(new AccountFilter(), employeeId, ct)).Items is [var row, ..] ? row : null;

    /// <summary>Accounts with their roles, last sign-in and lock state, ordered by employee id.</summary>
    public Task<AccountPage> AccountsAsync(AccountFilter f, CancellationToken ct = default) => AccountsAsync(f, null, ct);

    private async Task<AccountPage> AccountsAsync(AccountFilter f, string? exactEmployeeId, CancellationToken ct)
    {
        // Filtered and counted on the accounts alone (the join with the employees only where the search needs it), then
        // one page joined: at 100,000 accounts the count no longer joins every account with its employee.
        var accounts = db.Accounts.AsNoTracking();
        if (exactEmployeeId is not null) accounts = accounts.Where(a => a.EmployeeId == exactEmployeeId);
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var q = f.Q.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL lower(); the StringComparison overloads do not translate.
            accounts = accounts.Where(a => a.EmployeeId.ToLower().Contains(q)
                                           || db.Employees.Any(e => e.Id == a.EmployeeId && (e.Name.ToLower().Contains(q) || e.Email.ToLower().Contains(q))));
#pragma warning restore CA1862
        }
        if (!string.IsNullOrWhiteSpace(f.Role))
        {
            // Roles are stored space-separated; pad both sides so "hr" does not match inside another word.
            var padded = " " + f.Role + " ";
            accounts = accounts.Where(a => (" " + a.Roles + " ").Contains(padded));
        }
        var total = await accounts.CountAsync(ct);
        var page = accounts.OrderBy(a => a.EmployeeId).Skip((f.Page - 1) * f.PageSize).Take(f.PageSize);
        var rows = await (from a in page
                          join e in db.Employees.AsNoTracking() on a.EmployeeId equals e.Id into people
                          from e in people.DefaultIfEmpty()
                          orderby a.EmployeeId
                          select new
                          {
                              a.Id, a.EmployeeId, Name = e == null ? null : e.Name, Email = e == null ? null : e.Email, Status = e == null ? null : e.Status,
                              a.Roles, a.CreatedAt, a.LastSignInAt, a.LockedUntil, a.DisabledAt,
                              Tokens = db.ApiTokens.Count(t => t.AccountId == a.Id && t.RevokedAt == null),
                          })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var items = rows.Select(r => new AccountRow(r.Id, r.EmployeeId, r.Name, r.Email, r.Status, Roles.Split(r.Roles), r.CreatedAt, r.LastSignInAt,
            r.LockedUntil is { } until && until > now, r.LockedUntil is { } u && u > now ? u : null, r.Tokens, r.DisabledAt is not null)).ToList();
        return new AccountPage(items, total, f.Page, f.PageSize);
    }

    /// <summary>
    /// Entries whose actor is the rater of one piece of feedback and whose subject is the person it is about: together
    /// they name who gave feedback about whom, which the anonymity rules keep from the subject and from anyone without
    /// access to evidence.
    /// </summary>
    public static readonly IReadOnlyList<string> RaterActions = [Evidence.ObservationService.EditedAction, Evidence.ObservationService.WithdrawnAction];

    /// <summary>
    /// The audit log, newest first, filtered by actor, subject, action (exact) and date range. Subject first: nobody sees
    /// the entries that name who changed feedback about themselves (an HR subject included), and a reader without access
    /// to evidence (an admin) sees such entries about others without their subject or detail, nor finds them by subject.
    /// </summary>
    public async Task<AuditLogPage> AuditLogAsync(AuditLogFilter f, CancellationToken ct = default)
    {
        var raterActions = RaterActions.ToArray();
        var me = viewer.EmployeeId;
        var pairsShown = viewer.IsHr;
        var query = db.AuditLog.AsNoTracking()
            .Where(x => !(raterActions.Contains(x.Action) && x.SubjectEmployeeId == me && x.ActorEmployeeId != me));
        if (!string.IsNullOrWhiteSpace(f.Actor)) query = query.Where(x => x.ActorEmployeeId == f.Actor.Trim());
        if (!string.IsNullOrWhiteSpace(f.Subject))
            query = pairsShown
                ? query.Where(x => x.SubjectEmployeeId == f.Subject.Trim())
                : query.Where(x => x.SubjectEmployeeId == f.Subject.Trim() && !(raterActions.Contains(x.Action) && x.ActorEmployeeId != x.SubjectEmployeeId));
        if (!string.IsNullOrWhiteSpace(f.Action)) query = query.Where(x => x.Action == f.Action.Trim());
        if (f.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(x => x.At >= start);
        }
        if (f.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            query = query.Where(x => x.At < end);
        }
        var total = await query.CountAsync(ct);
        var rows = (await query.OrderByDescending(x => x.At).ThenByDescending(x => x.Id).Skip((f.Page - 1) * f.PageSize).Take(f.PageSize)
            .Select(x => new { x.Id, x.At, x.ActorEmployeeId, x.Action, x.SubjectEmployeeId, x.Detail }).ToListAsync(ct))
            // The detail names the observation, which other entries (an HR read of it) tie to its subject.
            .Select(x => pairsShown || !raterActions.Contains(x.Action) || x.ActorEmployeeId == x.SubjectEmployeeId ? x : x with { SubjectEmployeeId = null, Detail = null })
            .ToList();
        var ids = rows.SelectMany(r => new[] { r.ActorEmployeeId, r.SubjectEmployeeId }).OfType<string>().Distinct().ToList();
        var names = await db.Employees.AsNoTracking().Where(e => ids.Contains(e.Id)).Select(e => new { e.Id, e.Name }).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        var items = rows.Select(r => new AuditLogRow(r.Id, r.At, r.ActorEmployeeId, r.ActorEmployeeId is null ? null : names.GetValueOrDefault(r.ActorEmployeeId),
            r.Action, r.SubjectEmployeeId, r.SubjectEmployeeId is null ? null : names.GetValueOrDefault(r.SubjectEmployeeId), r.Detail)).ToList();
        return new AuditLogPage(items, total, f.Page, f.PageSize);
    }

    /// <summary>The distinct actions in the log, for the filter's choices.</summary>
    public Task<List<string>> ActionsAsync(CancellationToken ct = default) =>
        db.AuditLog.AsNoTracking().Select(x => x.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
}
