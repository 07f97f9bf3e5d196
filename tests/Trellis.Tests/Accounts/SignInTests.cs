using System.Net;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>Sign-in: atomic lockout per account and address, a rate limit per address, one message, NIST password rules.</summary>
public sealed class SignInTests
{
    private static readonly Dictionary<string, string?> Proxied = new() { ["ForwardedHeaders:Enabled"] = "true", ["SignIn:AttemptsPerMinute"] = "1000" };

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Forty_parallel_guesses_get_at_most_five_password_checks(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: Proxied);
        var attacker = new CookieSession(app) { ClientAddress = "203.0.113.7" };
        var token = await attacker.TokenFromAsync("/signin");
        var cookies = attacker.Cookies.ToDictionary();

        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var session = new CookieSession(app) { ClientAddress = "203.0.113.7" };
            foreach (var (k, v) in cookies) session.Cookies[k] = v;
            return await session.PostFormAsync("/signin", new() { ["Login"] = "H1", ["Password"] = $"wrong guess {i:D2}" }, token);
        }));

        Assert.All(guesses, g => Assert.Equal(HttpStatusCode.Unauthorized, g.StatusCode));
        // Each password checked and found wrong is one audit entry: never more than five, whatever the interleaving.
        var checks = await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "sign_in_failed" && a.SubjectEmployeeId == "H1"));
        Assert.InRange(checks, 1, AccountService.MaxFailedSignIns);
        // The address is locked out now: even the right password is not checked from there.
        var right = await attacker.PostFormAsync("/signin", new() { ["Login"] = "H1", ["Password"] = TestOrganisation.Password }, token);
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("Too many failed attempts", await right.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_outsider_who_guesses_five_times_locks_out_only_themselves(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: Proxied);
        for (var i = 0; i < 6; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "H1", $"guess number {i}", "198.51.100.23")).Response.StatusCode);
        var (_, blocked) = await CookieSession.TrySignInAsync(app, "H1", null, "198.51.100.23");
        Assert.Contains("Too many failed attempts", await blocked.Content.ReadAsStringAsync());

        // HR at their own desk signs in as usual.
        var hr = await CookieSession.SignedInAsync(app, "H1", null, "192.0.2.10");
        Assert.Equal(HttpStatusCode.OK, (await hr.GetAsync("/admin")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task One_address_is_rate_limited_across_accounts(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true", ["SignIn:AttemptsPerMinute"] = "4",
        });
        var accounts = new[] { "E1", "E2", "E3", "X1" };
        foreach (var login in accounts)
            Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, login, "spray-password-2024", "203.0.113.99")).Response.StatusCode);
        var (_, limited) = await CookieSession.TrySignInAsync(app, "M1", "spray-password-2024", "203.0.113.99");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        // Another address is not affected, and reading the sign-in page never counts.
        Assert.Equal(HttpStatusCode.OK, (await new CookieSession(app) { ClientAddress = "203.0.113.99" }.GetAsync("/signin")).StatusCode);
        await CookieSession.SignedInAsync(app, "M1", null, "192.0.2.44");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Unknown_closed_and_wrong_password_sign_ins_get_one_message(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E3").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));
        var answers = new List<string>();
        foreach (var (login, password) in new[] { ("NOPE", "whatever it is"), ("E3", TestOrganisation.Password), ("E2", "not the password") })
        {
            var (_, response) = await CookieSession.TrySignInAsync(app, login, password);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            var start = html.IndexOf("role=\"alert\">", StringComparison.Ordinal);
            answers.Add(html[start..html.IndexOf("</p>", start, StringComparison.Ordinal)]);
        }
        Assert.Single(answers.Distinct());
        Assert.Contains(AccountService.Invalid, answers[0]);

        // An unknown name locks like a real one, so a lockout does not tell that an account exists.
        for (var i = 0; i < AccountService.MaxFailedSignIns; i++) await CookieSession.TrySignInAsync(app, "NOPE", $"guess {i}");
        Assert.Contains("Too many failed attempts", await (await CookieSession.TrySignInAsync(app, "NOPE", "guess")).Response.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_two_accounts_share_signs_in_neither_and_an_id_always_means_its_own_account(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // Imports do not make emails unique: E2 now has E1's address, and X1's address is spelt like the id "M2".
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E2").ExecuteUpdateAsync(s => s.SetProperty(e => e.Email, "e1@example.test")));
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "X1").ExecuteUpdateAsync(s => s.SetProperty(e => e.Email, "M2")));

        // The shared address names no one: refused like an unknown login, whichever row the database returns first.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "e1@example.test")).Response.StatusCode);
        // "M2" is M2's id: with X1's password it is refused, with M2's it signs M2 in.
        await app.WithDbAsync(async db =>
        {
            var x1 = await db.Accounts.SingleAsync(a => a.EmployeeId == "X1");
            x1.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<Trellis.Data.Account>().HashPassword(x1, "only-xavi-knows-this");
            await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "M2", "only-xavi-knows-this")).Response.StatusCode);
        var m2 = await CookieSession.SignedInAsync(app, "M2");
        Assert.Contains("\"employee_id\":\"M2\"", await (await m2.GetAsync("/api/v1/me")).Content.ReadAsStringAsync());
        // A unique address still signs in, and ids do too.
        await CookieSession.SignedInAsync(app, "e3@example.test");
        await CookieSession.SignedInAsync(app, "E1");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_signs_in_whatever_its_case_but_still_only_when_one_account_has_it_and_ids_stay_exact(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E3").ExecuteUpdateAsync(s => s.SetProperty(e => e.Email, "Ezra.Engineer@Example.test")));
        var ezra = await CookieSession.SignedInAsync(app, "ezra.engineer@example.test");
        Assert.Contains("\"employee_id\":\"E3\"", await (await ezra.GetAsync("/api/v1/me")).Content.ReadAsStringAsync());
        await CookieSession.SignedInAsync(app, "EZRA.ENGINEER@EXAMPLE.TEST");

        // Two accounts whose addresses differ only in case share one address: neither signs in by it.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E2").ExecuteUpdateAsync(s => s.SetProperty(e => e.Email, "E1@EXAMPLE.test")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "e1@example.test")).Response.StatusCode);
        // Employee ids are exact: "e1" is not E1.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CookieSession.TrySignInAsync(app, "e1")).Response.StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task New_passwords_need_twelve_characters_and_must_not_be_common(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var (password, message) in new[]
                 {
                     ("short-one", "at least 12 characters"),
                     ("qwerty123456", "commonly used passwords"),
                     ("Password-2024!", "commonly used passwords"),
                     ("aaaaaaaaaaaaaaaa", "repeats one or two characters"),
                     ("x1@example.test-secret", "employee id or email"),
                 })
        {
            var (code, _, stderr) = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "X1", "--role", "employee", "--password", password);
            Assert.True(code == 1, $"{password} was accepted");
            Assert.Contains(message, stderr);
        }
        var ok = await CliRunner.RunAsync("user", "add", "--db", app.Database.Value, "--employee", "X1", "--role", "employee", "--password", "correct horse battery staple");
        Assert.Equal(0, ok.Code);
        Assert.Null(PasswordRules.Problem("trellis-people"));
        foreach (var demo in Trellis.Demo.DemoOrganisation.RolePasswords.Values.Append(Trellis.Demo.DemoSeeding.DemoPassword))
            Assert.Null(PasswordRules.Problem(demo));
    }
}
