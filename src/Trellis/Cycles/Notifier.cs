using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Cycles;

/// <summary>The <c>Smtp</c> configuration section: email goes out only when <see cref="Host"/> is set.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public bool Ssl { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "trellis@localhost";
    /// <summary>Where the app is reached, put before the link of each email.</summary>
    public string? BaseUrl { get; set; }
}

/// <summary>
/// Tells people about cycle events: an in-app notification (inbox and banner) always, and an email when
/// <see cref="SmtpOptions.Host"/> is configured. Notifications are added to the caller's unit of work so they commit
/// with the change they announce; emails go out only after that commit (<see cref="SendEmailsAsync"/>).
/// </summary>
public sealed partial class Notifier(TrellisDb db, TimeProvider clock, IOptions<SmtpOptions> smtpOptions, ILogger<Notifier> log)
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email notification {Id} to {Employee}")]
    private static partial void EmailFailed(ILogger logger, Exception exception, long id, string employee);

    private readonly List<Notification> _pending = [];

    public void Add(string employeeId, string title, string body, string? link)
    {
        var n = new Notification { EmployeeId = employeeId, Title = title, Body = body, Link = link, CreatedAt = clock.GetUtcNow() };
        db.Notifications.Add(n);
        _pending.Add(n);
    }

    public async Task SendEmailsAsync(CancellationToken ct = default)
    {
        var options = smtpOptions.Value;
        var host = options.Host;
        var batch = _pending.ToList();
        _pending.Clear();
        if (string.IsNullOrWhiteSpace(host) || batch.Count == 0) return;
        var ids = batch.Select(n => n.EmployeeId).Distinct().ToList();
        var emails = await db.Employees.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Email, ct);
        var baseUrl = options.BaseUrl?.TrimEnd('/') ?? "";
        using var smtp = new SmtpClient(host, options.Port) { EnableSsl = options.Ssl };
        if (options.User is { Length: > 0 } user) smtp.Credentials = new System.Net.NetworkCredential(user, options.Password);
        var from = options.From;
        foreach (var n in batch)
        {
            if (!emails.TryGetValue(n.EmployeeId, out var to) || string.IsNullOrWhiteSpace(to)) continue;
            try
            {
                using var message = new MailMessage(from, to, n.Title, n.Body + (n.Link is null ? "" : $"\n\n{baseUrl}{n.Link}"));
                await smtp.SendMailAsync(message, ct);
            }
            catch (SmtpException ex)
            {
                // The in-app notification is already committed; a mail failure must not undo the action it announces.
                EmailFailed(log, ex, n.Id, n.EmployeeId);
            }
        }
    }
}

/// <summary>The signed-in person's inbox: list, mark read, and the banner of the layout.</summary>
public sealed class Inbox(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public sealed record Banner(int Unread, string? LatestTitle, string? LatestLink);

    public async Task<IReadOnlyList<NotificationView>> ListAsync(CancellationToken ct = default) =>
        await db.Notifications.AsNoTracking().Where(n => n.EmployeeId == viewer.EmployeeId)
            .OrderByDescending(n => n.Id).Take(200)
            .Select(n => new NotificationView(n.Id, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(ct);

    public async Task<Banner> BannerAsync(CancellationToken ct = default)
    {
        if (!viewer.IsSignedIn) return new(0, null, null);
        var unread = db.Notifications.AsNoTracking().Where(n => n.EmployeeId == viewer.EmployeeId && n.ReadAt == null);
        var count = await unread.CountAsync(ct);
        if (count == 0) return new(0, null, null);
        var latest = await unread.OrderByDescending(n => n.Id).Select(n => new { n.Title, n.Link }).FirstAsync(ct);
        return new(count, latest.Title, latest.Link);
    }

    /// <summary>Marks one (or, with null, every) notification of the viewer read. False when the id is not theirs.</summary>
    public async Task<bool> MarkReadAsync(long? id, CancellationToken ct = default)
    {
        var query = db.Notifications.Where(n => n.EmployeeId == viewer.EmployeeId && n.ReadAt == null);
        if (id is { } one)
        {
            if (!await db.Notifications.AnyAsync(n => n.Id == one && n.EmployeeId == viewer.EmployeeId, ct)) return false;
            query = query.Where(n => n.Id == one);
        }
        foreach (var n in await query.ToListAsync(ct)) n.ReadAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }
}
