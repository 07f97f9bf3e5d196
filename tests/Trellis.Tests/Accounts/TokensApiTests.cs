using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>Personal API tokens: listed with last use, revoked by their owner, an admin or <c>trellis token --revoke</c>.</summary>
public sealed class TokensApiTests
{
    private static async Task<JsonElement[]> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/tokens"))!;

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_owner_lists_their_tokens_with_last_use_and_revokes_one(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");
        var second = await app.ClientForAsync("E1");
        await app.ClientForAsync("E2");

        var tokens = await ListAsync(e1);
        Assert.Equal(2, tokens.Length); // only E1's, never E2's
        Assert.All(tokens, t =>
        {
            Assert.Equal("test", t.GetProperty("name").GetString());
            Assert.False(t.TryGetProperty("hash", out _));
            Assert.False(t.TryGetProperty("token", out _));
        });
        var used = tokens.Single(t => t.GetProperty("last_used_at").ValueKind != JsonValueKind.Null);
        var other = tokens.Single(t => t.GetProperty("id").GetInt32() != used.GetProperty("id").GetInt32());
        Assert.True(used.GetProperty("created_at").GetDateTimeOffset() <= used.GetProperty("last_used_at").GetDateTimeOffset());

        // E1 revokes the token the second client uses: it stops at once; the first goes on.
        Assert.Equal(HttpStatusCode.NoContent, (await e1.DeleteAsync($"/api/v1/tokens/{other.GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/v1/me")).StatusCode);
        Assert.Single(await ListAsync(e1));
        Assert.Equal(HttpStatusCode.NoContent, (await e1.DeleteAsync($"/api/v1/tokens/{other.GetProperty("id").GetInt32()}")).StatusCode); // idempotent
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "token_revoked" && a.SubjectEmployeeId == "E1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Someone_elses_token_is_403_an_unknown_one_404_and_an_admin_may_revoke_any(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e2 = await app.ClientForAsync("E2");
        var e2Token = (await ListAsync(e2)).Single().GetProperty("id").GetInt32();

        foreach (var id in new[] { "E1", "M2", "H1", "C1" })
        {
            var refused = await (await app.ClientForAsync(id)).DeleteAsync($"/api/v1/tokens/{e2Token}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await e2.DeleteAsync("/api/v1/tokens/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await e2.GetAsync("/api/v1/me")).StatusCode);

        var admin = await app.ClientForAsync("A1");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/tokens/{e2Token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await e2.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "token_revoked" && a.ActorEmployeeId == "A1" && a.SubjectEmployeeId == "E2")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/v1/tokens")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Trellis_token_revoke_stops_a_token_and_creating_still_prints_it_alone_on_the_last_line(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (code, stdout, _) = await CliRunner.RunAsync("token", "--db", app.Database.Value, "--employee", "M1", "--name", "nightly");
        Assert.Equal(0, code);
        var token = stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith("trl_", token);
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var mine = await ListAsync(client);
        var id = mine.Single(t => t.GetProperty("name").GetString() == "nightly").GetProperty("id").GetInt32();

        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", app.Database.Value, "--revoke", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, code);
        Assert.Contains($"Revoked token {id} of M1", stdout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);

        string stderr;
        (code, _, stderr) = await CliRunner.RunAsync("token", "--db", app.Database.Value, "--revoke", "424242");
        Assert.Equal(1, code);
        Assert.Contains("there is no token 424242", stderr);
        (code, _, stderr) = await CliRunner.RunAsync("token", "--db", app.Database.Value);
        Assert.Equal(1, code);
        Assert.Contains("--employee", stderr);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_account_page_creates_shows_once_lists_and_revokes_the_persons_own_tokens(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var others = await app.ClientForAsync("E2");
        var session = await CookieSession.SignedInAsync(app, "E1");
        var page = await (await session.GetAsync("/account")).Content.ReadAsStringAsync();
        Assert.Contains("You have no API tokens", page);

        var token = await session.TokenFromAsync("/account");
        var created = await session.PostFormAsync("/account?handler=CreateToken", new() { ["name"] = "laptop script", ["current_password"] = TestOrganisation.Password }, token);
        var html = await created.Content.ReadAsStringAsync();
        var plain = System.Text.RegularExpressions.Regex.Match(html, "<code id=\"new-token\">(trl_[^<]+)</code>").Groups[1].Value;
        Assert.StartsWith("trl_", plain);
        var script = app.AnonymousClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", plain);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);

        page = await (await session.GetAsync("/account")).Content.ReadAsStringAsync();
        Assert.Contains("laptop script", page);
        Assert.DoesNotContain(plain, page); // shown once only
        var id = (await ListAsync(script)).Single().GetProperty("id").GetInt32();
        var e2Token = (await ListAsync(others)).Single().GetProperty("id").GetInt32();

        var notMine = await session.PostFormAsync($"/account?handler=Revoke&id={e2Token}", [], token);
        Assert.Equal(HttpStatusCode.Forbidden, notMine.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await others.GetAsync("/api/v1/me")).StatusCode);

        var revoked = await session.PostFormAsync($"/account?handler=Revoke&id={id}", [], token);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
    }

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    private static int IdIn(string stdout, string pattern) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(stdout, pattern).Groups[1].Value, Invariant);

    private static HttpClient Bearer(TrellisApp app, string token)
    {
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Trellis_token_revoke_never_takes_a_personal_token_for_a_provisioning_one(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var db = app.Database.Value;
        var (code, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--employee", "H1", "--name", "hr script");
        Assert.Equal(0, code);
        var personalId = IdIn(stdout, @"Personal token (\d+) for H1 \(revoke it with: trellis token --personal --revoke \d+\)");
        var personal = Bearer(app, stdout.TrimEnd().Split('\n')[^1].Trim());

        // Personal and provisioning tokens are numbered apart: the first of each has the same id.
        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--scim");
        Assert.Equal(0, code);
        var scimId = IdIn(stdout, @"Provisioning token (\d+) for /scim/v2 \(revoke it with: trellis token --scim --revoke \d+\)");
        Assert.Equal(personalId, scimId);
        var scim = Bearer(app, stdout.TrimEnd().Split('\n')[^1].Trim());
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync("/scim/v2/Users")).StatusCode);

        // An id both kinds have is refused, and nothing is revoked.
        string stderr;
        (code, _, stderr) = await CliRunner.RunAsync("token", "--db", db, "--revoke", scimId.ToString(Invariant));
        Assert.NotEqual(0, code);
        Assert.Contains("ambiguous", stderr);
        Assert.Contains("--scim", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync("/scim/v2/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await personal.GetAsync("/api/v1/me")).StatusCode);

        // --scim revokes the provisioning token, and only it.
        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--scim", "--revoke", scimId.ToString(Invariant));
        Assert.Equal(0, code);
        Assert.Contains($"Revoked provisioning token {scimId}", stdout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scim.GetAsync("/scim/v2/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await personal.GetAsync("/api/v1/me")).StatusCode);

        // An id only a provisioning token has revokes that token without --scim.
        (_, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--scim", "--name", "second");
        var onlyScim = IdIn(stdout, @"Provisioning token (\d+)");
        var second = Bearer(app, stdout.TrimEnd().Split('\n')[^1].Trim());
        Assert.False(await app.WithDbAsync(d => d.ApiTokens.AnyAsync(t => t.Id == onlyScim)));
        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--revoke", onlyScim.ToString(Invariant));
        Assert.Equal(0, code);
        Assert.Contains($"Revoked provisioning token {onlyScim}", stdout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/scim/v2/Users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await personal.GetAsync("/api/v1/me")).StatusCode);

        // --personal names the personal one.
        (code, stdout, _) = await CliRunner.RunAsync("token", "--db", db, "--personal", "--revoke", personalId.ToString(Invariant));
        Assert.Equal(0, code);
        Assert.Contains($"Revoked token {personalId} of H1", stdout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await personal.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_token_cannot_create_a_token_and_the_page_asks_for_the_password_again(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // The token's client reads the page (and its antiforgery cookie and field) as a browser would, then posts the form.
        var e1 = await app.ClientForAsync("E1");
        var account = await e1.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        var field = System.Text.RegularExpressions.Regex.Match(await account.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.True(field.Success);
        var byToken = await e1.PostAsync("/account?handler=CreateToken", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "made by a token", ["current_password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = field.Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.Contains("cannot create another token", await byToken.Content.ReadAsStringAsync());
        Assert.Single(await ListAsync(e1));

        var session = await CookieSession.SignedInAsync(app, "E1");
        var form = await session.TokenFromAsync("/account");
        foreach (var password in new[] { "", "not the password" })
        {
            var refused = await session.PostFormAsync("/account?handler=CreateToken", new() { ["name"] = "laptop", ["current_password"] = password }, form);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("The current password is not right", await refused.Content.ReadAsStringAsync());
        }
        Assert.Single(await ListAsync(e1));
        var created = await session.PostFormAsync("/account?handler=CreateToken", new() { ["name"] = "laptop", ["current_password"] = TestOrganisation.Password }, form);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("id=\"new-token\"", await created.Content.ReadAsStringAsync());
        Assert.Equal(2, (await ListAsync(e1)).Length);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_admin_password_reset_revokes_the_persons_tokens_and_an_own_change_keeps_them_unless_asked(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");
        var admin = await app.ClientForAsync("A1");
        var reset = await admin.PostAsync("/api/v1/admin/accounts/E1/password", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var issued = JsonDocument.Parse(await reset.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, issued.GetProperty("tokens_revoked").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, (await e1.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "tokens_revoked" && a.ActorEmployeeId == "A1" && a.SubjectEmployeeId == "E1")));
        // Eli, signed in with the new password, is told.
        var eli = await CookieSession.SignedInAsync(app, "E1", issued.GetProperty("password").GetString());
        var page = await (await eli.GetAsync("/account")).Content.ReadAsStringAsync();
        Assert.Contains("id=\"tokens-revoked\"", page);
        Assert.Contains("an administrator reset the password", page);

        // Eva changes her own password: her token goes on working and the page says so; asked to, it revokes them.
        var e2 = await app.ClientForAsync("E2");
        var eva = await CookieSession.SignedInAsync(app, "E2");
        var form = await eva.TokenFromAsync("/account");
        var changed = await eva.PostFormAsync("/account?handler=Password", new()
        {
            ["current_password"] = TestOrganisation.Password, ["new_password"] = "a new one for eva", ["repeat_password"] = "a new one for eva",
        }, form);
        Assert.Contains("Your API token still works", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await e2.GetAsync("/api/v1/me")).StatusCode);
        changed = await eva.PostFormAsync("/account?handler=Password", new()
        {
            ["current_password"] = "a new one for eva", ["new_password"] = "another one for eva", ["repeat_password"] = "another one for eva", ["revoke_tokens"] = "true",
        }, form);
        Assert.Contains("Your API token is revoked", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await e2.GetAsync("/api/v1/me")).StatusCode);
    }
}
