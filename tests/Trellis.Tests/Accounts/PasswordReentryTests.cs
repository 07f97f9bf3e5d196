using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>
/// A signed-in person re-entering their password (a new token, a provisioning token, a new password) gets
/// <see cref="AccountService.MaxFailedReentries"/> wrong tries in a lockout period: a hijacked session cannot guess it.
/// </summary>
public sealed class PasswordReentryTests
{
    private static Task<HttpResponseMessage> CreateTokenAsync(CookieSession session, string form, string password) =>
        session.PostFormAsync("/account?handler=CreateToken", new() { ["name"] = "guess", ["current_password"] = password }, form);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Five_wrong_passwords_lock_reentry_for_the_account_even_for_the_right_one(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "E1");
        var form = await session.TokenFromAsync("/account");

        for (var i = 1; i < AccountService.MaxFailedReentries; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await CreateTokenAsync(session, form, $"guess {i}")).StatusCode);
        var fifth = await CreateTokenAsync(session, form, "guess 5");
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.Contains("Too many wrong passwords", await fifth.Content.ReadAsStringAsync());

        // The right password is refused now, on every step that asks for it, from a new session too.
        var right = await CreateTokenAsync(session, form, TestOrganisation.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        var html = await right.Content.ReadAsStringAsync();
        Assert.Contains("id=\"refusal\"", html);
        Assert.DoesNotContain("id=\"new-token\"", html);
        var change = await session.PostFormAsync("/account?handler=Password", new()
        {
            ["current_password"] = TestOrganisation.Password, ["new_password"] = "a brand new passphrase", ["repeat_password"] = "a brand new passphrase",
        }, form);
        Assert.Equal(HttpStatusCode.TooManyRequests, change.StatusCode);
        Assert.Contains("Too many wrong passwords", await change.Content.ReadAsStringAsync());
        var again = await CookieSession.SignedInAsync(app, "E1"); // sign-in itself is not locked
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CreateTokenAsync(again, await again.TokenFromAsync("/account"), TestOrganisation.Password)).StatusCode);

        Assert.Equal(0, await app.WithDbAsync(db => db.ApiTokens.CountAsync()));
        var locked = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action == AccountService.ReentryLockedAction).ToListAsync());
        Assert.Equal(("E1", "E1"), (Assert.Single(locked).ActorEmployeeId, locked[0].SubjectEmployeeId));
        // Someone else's re-entry is not held.
        var eva = await CookieSession.SignedInAsync(app, "E2");
        Assert.Equal(HttpStatusCode.OK, (await CreateTokenAsync(eva, await eva.TokenFromAsync("/account"), TestOrganisation.Password)).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_admin_api_answers_a_locked_reentry_with_a_429_problem(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "A1");
        for (var i = 1; i < AccountService.MaxFailedReentries; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await session.PostJsonAsync("/api/v1/admin/scim-tokens", new { name = "x", current_password = $"guess {i}" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await session.PostJsonAsync("/api/v1/admin/scim-tokens", new { name = "x", current_password = "guess 5" })).StatusCode);

        var right = await session.PostJsonAsync("/api/v1/admin/scim-tokens", new { name = "x", current_password = TestOrganisation.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await right.Content.ReadAsStringAsync())!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Contains("Too many wrong passwords", problem["detail"]!.GetValue<string>());
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Trellis.Provisioning.ProvisioningToken>().CountAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_lock_ends_when_the_lockout_period_has_passed_and_old_failures_no_longer_count(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var e1 = await app.WithDbAsync(db => db.Accounts.Where(a => a.EmployeeId == "E1").Select(a => a.Id).SingleAsync());
        Task<AccountService.Reentry> Try(string password) => app.WithDbAsync(db => new AccountService(db, clock).CheckPasswordAgainAsync(e1, password));

        for (var i = 1; i < AccountService.MaxFailedReentries; i++) Assert.Equal(AccountService.Reentry.Wrong, await Try($"guess {i}"));
        Assert.NotNull((await Try("guess 5")).LockedUntil);
        var until = (await Try(TestOrganisation.Password)).LockedUntil;
        Assert.InRange(until!.Value, clock.Now + AccountService.LockoutDuration - TimeSpan.FromSeconds(1), clock.Now + AccountService.LockoutDuration + TimeSpan.FromSeconds(1));
        clock.Now += AccountService.LockoutDuration - TimeSpan.FromMinutes(1);
        Assert.False((await Try(TestOrganisation.Password)).Right);

        clock.Now += TimeSpan.FromMinutes(2);
        Assert.True((await Try(TestOrganisation.Password)).Right);

        // Four wrong, a period later four more: none of them is the fifth in its period.
        for (var i = 1; i < AccountService.MaxFailedReentries; i++) Assert.Equal(AccountService.Reentry.Wrong, await Try($"monday {i}"));
        clock.Now += AccountService.LockoutDuration + TimeSpan.FromMinutes(1);
        for (var i = 1; i < AccountService.MaxFailedReentries; i++) Assert.Equal(AccountService.Reentry.Wrong, await Try($"tuesday {i}"));
        Assert.True((await Try(TestOrganisation.Password)).Right);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
