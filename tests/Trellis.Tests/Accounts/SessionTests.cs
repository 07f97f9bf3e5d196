using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>Access ends when it should: leavers at once, sessions at sign-out, other sessions at a password or role change.</summary>
public sealed class SessionTests
{
    private static object Feedback(string subject) => new { subject_id = subject, behavior = "asks-why", rating = 4, comment = "Asked why twice in the design review and found the real constraint." };

    /// <summary>Marks people as left the way HR does it: an employees.csv with status left, through the Import page.</summary>
    internal static async Task MarkLeftThroughImportPageAsync(TrellisApp app, params string[] ids)
    {
        var rows = await app.WithDbAsync(db => db.Employees.AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync());
        var csv = "employee_id,name,email,track,level,hire_date,status\n" +
                  string.Concat(rows.Select(e => $"{e.Id},{e.Name},{e.Email},{e.Track},{e.Level},{e.HireDate:yyyy-MM-dd},left\n"));
        var hr = await CookieSession.SignedInAsync(app, "H1");
        var token = await hr.TokenFromAsync("/import");
        var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "employees", "employees.csv" },
        };
        var response = await hr.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/import") { Content = form });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.All(await app.WithDbAsync(db => db.Employees.Where(e => ids.Contains(e.Id)).Select(e => e.Status).ToListAsync()), s => Assert.Equal("left", s));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Attack_a_leavers_token_is_refused_on_the_next_request(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var leaver = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.Created, (await leaver.PostAsJsonAsync("/api/v1/observations", Feedback("E2"))).StatusCode);

        // Left as the HRIS says it, written straight into the database (as a CLI import in another process would).
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E1").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));

        var write = await leaver.PostAsJsonAsync("/api/v1/observations", Feedback("E2"));
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaver.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Observations.CountAsync(o => o.RaterId == "E1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_leavers_open_cookie_session_ends_when_the_import_marks_them_left(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "E1");
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/growth")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/me")).StatusCode);

        await MarkLeftThroughImportPageAsync(app, "E1");

        var page = await session.GetAsync("/growth");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location?.OriginalString.Replace("http://localhost", ""));
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/v1/me")).StatusCode);
        // And they cannot sign in again; the answer is the same as for a wrong password.
        var (_, again) = await CookieSession.TrySignInAsync(app, "E1");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains(AccountService.Invalid, await again.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_state_read_by_another_process_is_seen_within_a_minute(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var states = new AccountStates(app.Services.GetRequiredService<IServiceScopeFactory>(), clock);
        var id = await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "E1").Select(a => a.Id).FirstAsync());
        Assert.True((await states.GetAsync(id))!.Active);

        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E1").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));
        clock.Now += TimeSpan.FromSeconds(59);
        Assert.True((await states.GetAsync(id))!.Active); // cached
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.False((await states.GetAsync(id))!.Active); // at most a minute later
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Sign_out_ends_the_session_on_the_server_so_a_captured_cookie_no_longer_works(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "H1");
        var captured = session.Copy(app);
        Assert.Equal(HttpStatusCode.OK, (await captured.GetAsync("/api/v1/me")).StatusCode);

        var token = await session.TokenFromAsync("/");
        var signOut = await session.PostFormAsync("/signout", [], token);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await captured.GetAsync("/api/v1/me")).StatusCode);
        var page = await captured.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/signin", page.Headers.Location?.OriginalString);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_password_change_ends_every_other_session_and_keeps_this_one(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var laptop = await CookieSession.SignedInAsync(app, "E2");
        var phone = await CookieSession.SignedInAsync(app, "E2");

        var token = await laptop.TokenFromAsync("/account");
        var weak = await laptop.PostFormAsync("/account?handler=Password", new()
        {
            ["current_password"] = TestOrganisation.Password, ["new_password"] = "qwerty123456", ["repeat_password"] = "qwerty123456",
        }, token);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("commonly used passwords", await weak.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/api/v1/me")).StatusCode);

        var changed = await laptop.PostFormAsync("/account?handler=Password", new()
        {
            ["current_password"] = TestOrganisation.Password, ["new_password"] = "violet kettle hums at dawn", ["repeat_password"] = "violet kettle hums at dawn",
        }, token);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Contains("Every other session", await changed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "E2")).Response.StatusCode);
        await CookieSession.SignedInAsync(app, "E2", "violet kettle hums at dawn");
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "password_changed" && a.SubjectEmployeeId == "E2")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_role_change_ends_the_sessions_that_carry_the_old_roles(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "X1");
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/me")).StatusCode);

        await app.WithDbAsync(async db =>
        {
            var states = app.Services.GetRequiredService<AccountStates>();
            await new AccountService(db, TimeProvider.System, states).AddUserAsync("X1", [Roles.Hr], "a brand new passphrase");
        });

        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/v1/me")).StatusCode);
        var again = await CookieSession.SignedInAsync(app, "X1", "a brand new passphrase");
        Assert.Contains("\"hr\"", await (await again.GetAsync("/api/v1/me")).Content.ReadAsStringAsync());
    }
}

/// <summary>A clock a test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
