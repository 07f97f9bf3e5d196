using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>
/// Lockouts that strangers cannot turn against the owner (device cookies, IPv6 by /64, failures that decay) and that
/// answer a real and an unknown login alike at every attempt.
/// </summary>
public sealed partial class SignInLockoutTests
{
    private static readonly Dictionary<string, string?> Proxied = new() { ["ForwardedHeaders:Enabled"] = "true", ["SignIn:AttemptsPerMinute"] = "1000" };

    private static async Task<string> AnswerAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var alert = AlertText().Match(html);
        // The lock's end is a clock time: two runs a minute apart may name different minutes.
        return $"{(int)response.StatusCode} {(alert.Success ? ClockTime().Replace(alert.Groups[1].Value, "HH:mm") : "")}";
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Strangers_at_twenty_addresses_do_not_lock_out_a_browser_that_signed_in_before(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: Proxied);
        // Hana signed in at her desk before: her browser holds the device cookie (sent to /signin only, HttpOnly).
        var desk = await CookieSession.SignedInAsync(app, "H1", null, "192.0.2.10");
        Assert.True(desk.Cookies.ContainsKey(SignInDevices.CookieName));
        var browser = new CookieSession(app) { ClientAddress = "192.0.2.10" };
        browser.Cookies[SignInDevices.CookieName] = desk.Cookies[SignInDevices.CookieName];

        // Twenty addresses, five wrong guesses each: a hundred failures, the lock for everyone else.
        for (var a = 1; a <= 20; a++)
            for (var i = 0; i < AccountService.MaxFailedSignIns; i++)
                await CookieSession.TrySignInAsync(app, "H1", $"guess {a}-{i}", $"198.51.100.{a}");
        var (_, stranger) = await CookieSession.TrySignInAsync(app, "H1", null, "203.0.113.50");
        Assert.Contains("Too many failed attempts", await stranger.Content.ReadAsStringAsync());

        // Hana's browser is not held by it: it signs in, even from another address.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("H1", TestOrganisation.Password)).StatusCode);
        browser.ClientAddress = "203.0.113.51";
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("H1", TestOrganisation.Password)).StatusCode);
        Assert.True(await app.WithDbAsync(db => db.Accounts.AnyAsync(a => a.EmployeeId == "H1" && a.LockedUntil != null)));

        // A device cookie is bound to its account, and has its own small budget.
        var other = new CookieSession(app) { ClientAddress = "192.0.2.10" };
        other.Cookies[SignInDevices.CookieName] = desk.Cookies[SignInDevices.CookieName];
        for (var i = 0; i < AccountService.MaxFailedSignInsPerDevice; i++) await other.SignInAsync("H1", $"typo {i}");
        Assert.Contains("Too many failed attempts", await (await other.SignInAsync("H1", TestOrganisation.Password)).Content.ReadAsStringAsync());
        other.Cookies[SignInDevices.CookieName] = "forged" + desk.Cookies[SignInDevices.CookieName][6..];
        Assert.Contains("Too many failed attempts", await (await other.SignInAsync("H1", TestOrganisation.Password)).Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_ipv6_address_counts_by_its_64_for_the_lockout_and_the_rate_limit(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: Proxied);
        for (var i = 1; i <= AccountService.MaxFailedSignIns; i++)
            await CookieSession.TrySignInAsync(app, "E2", $"guess {i}", $"2001:db8:1:2::{i:x}");
        var (_, same64) = await CookieSession.TrySignInAsync(app, "E2", null, "2001:db8:1:2:ffff::99");
        Assert.Contains("Too many failed attempts", await same64.Content.ReadAsStringAsync());
        await CookieSession.SignedInAsync(app, "E2", null, "2001:db8:1:3::1");

        await using var limited = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true", ["SignIn:AttemptsPerMinute"] = "3",
        });
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(limited, "E1", "spray-password", $"2001:db8:9:9::{i}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CookieSession.TrySignInAsync(limited, "E1", "spray-password", "2001:db8:9:9::4")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(limited, "E1", "spray-password", "2001:db8:9:a::4")).Response.StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Failures_older_than_the_lockout_period_no_longer_count(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        Task<AccountService.SignInResult> Try(string password) =>
            app.WithDbAsync(db => new AccountService(db, clock).CheckSignInAsync("E2", password, "203.0.113.5"));

        for (var i = 0; i < AccountService.MaxFailedSignIns - 1; i++) Assert.Equal(AccountService.Invalid, (await Try($"monday {i}")).Error);
        clock.Now += AccountService.LockoutDuration + TimeSpan.FromMinutes(1);
        // Four more the next period: none of them is the fifth.
        for (var i = 0; i < AccountService.MaxFailedSignIns - 1; i++) Assert.Equal(AccountService.Invalid, (await Try($"tuesday {i}")).Error);
        Assert.Null((await Try(TestOrganisation.Password)).Error);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_real_and_an_unknown_login_get_the_same_answers_at_every_attempt(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["SignIn:AttemptsPerMinute"] = "1000" });
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E3").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));
        // Each real login (an id, an email in mixed case, a closed account) against an unknown one of the same shape.
        foreach (var (real, unknown) in new[]
                 {
                     (new[] { "E2" }, new[] { "Q9" }),
                     (new[] { "e1@example.test", "E1@Example.TEST" }, new[] { "q1@example.test", "Q1@Example.TEST" }),
                     (new[] { "E3" }, new[] { "Q3" }),
                 })
        {
            var realAnswers = new List<string>();
            var unknownAnswers = new List<string>();
            for (var i = 0; i < AccountService.MaxFailedSignIns + 2; i++)
            {
                realAnswers.Add(await AnswerAsync((await CookieSession.TrySignInAsync(app, real[i % real.Length], $"wrong {i}")).Response));
                unknownAnswers.Add(await AnswerAsync((await CookieSession.TrySignInAsync(app, unknown[i % unknown.Length], $"wrong {i}")).Response));
            }
            Assert.Equal(unknownAnswers, realAnswers);
            Assert.Contains(AccountService.Invalid, realAnswers[0]);
            Assert.Contains("Too many failed attempts", realAnswers[AccountService.MaxFailedSignIns - 1]);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [GeneratedRegex("role=\"alert\">([^<]*)</p>")]
    private static partial Regex AlertText();

    [GeneratedRegex(@"\d\d:\d\d")]
    private static partial Regex ClockTime();
}
