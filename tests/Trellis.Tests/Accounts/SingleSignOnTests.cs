using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

/// <summary>
/// Single sign-on against a real OpenID provider in the test process (<see cref="TestOpenIdProvider"/>, OpenIddict):
/// discovery, the code flow's redirects followed by hand, role mapping, a tampered id_token, a stranger, local sign-in off.
/// </summary>
public sealed partial class SingleSignOnTests
{
    private sealed record Journey(HttpClient Trellis, HttpResponseMessage Callback);

    /// <summary>GET /signin/oidc → the provider (straight through with a login hint) → the callback on Trellis.</summary>
    private static async Task<Journey> SignInAsync(TrellisApp app, string login)
    {
        var trellis = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var start = await trellis.GetAsync("/signin/oidc?login_hint=" + login);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.Contains("code_challenge=", authorize.Query);
        Assert.Contains("nonce=", authorize.Query);
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var fromIdp = await idp.GetAsync(authorize);
        Assert.True(fromIdp.StatusCode == HttpStatusCode.Redirect, $"{fromIdp.StatusCode}: {await fromIdp.Content.ReadAsStringAsync()}");
        var callback = fromIdp.Headers.Location!;
        Assert.Equal("/signin-oidc", callback.AbsolutePath);
        return new Journey(trellis, await trellis.GetAsync(callback.PathAndQuery));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_known_person_signs_in_and_gets_the_roles_their_groups_map_to(Provider provider)
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: idp.Settings());

        // Discovery as the library reads it: endpoints and an RSA signing key.
        using var http = new HttpClient();
        var discovery = JsonNode.Parse(await http.GetStringAsync(idp.Authority + ".well-known/openid-configuration"))!;
        Assert.Equal(idp.Authority, discovery["issuer"]!.GetValue<string>());
        Assert.NotNull(discovery["end_session_endpoint"]);
        var jwks = JsonNode.Parse(await http.GetStringAsync(discovery["jwks_uri"]!.GetValue<string>()))!;
        Assert.Contains(jwks["keys"]!.AsArray(), k => k!["kty"]!.GetValue<string>() == "RSA");

        // Eli: email matched without case, no groups → employee.
        var eli = await SignInAsync(app, "eli");
        Assert.Equal(HttpStatusCode.Redirect, eli.Callback.StatusCode);
        Assert.Equal("/", eli.Callback.Headers.Location!.OriginalString);
        var me = JsonNode.Parse(await eli.Trellis.GetStringAsync("/api/v1/me"))!;
        Assert.Equal("E1", me["employee_id"]!.GetValue<string>());
        Assert.Equal(["employee"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));

        // Xavi: groups trellis-admin and trellis-committee → those roles.
        var xavi = await SignInAsync(app, "xavi");
        me = JsonNode.Parse(await xavi.Trellis.GetStringAsync("/api/v1/me"))!;
        Assert.Equal(["employee", "committee", "admin"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await xavi.Trellis.GetAsync("/admin")).StatusCode);
        var log = await app.WithDbAsync(db => db.AuditLog.Where(a => a.SubjectEmployeeId == "X1").Select(a => a.Action).ToListAsync());
        Assert.Contains("sso_sign_in", log);
        Assert.Contains("roles_changed", log);

        // Sign-out ends the session and goes on to the provider's end-session endpoint.
        // As the browser sends it: from a Trellis page (the same-origin check refuses a bare cross-site post).
        using var signOutRequest = new HttpRequestMessage(HttpMethod.Post, "/signout") { Headers = { { "Sec-Fetch-Site", "same-origin" } } };
        var signOut = await xavi.Trellis.SendAsync(signOutRequest);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith(idp.Authority + "connect/endsession", signOut.Headers.Location!.AbsoluteUri);
        Assert.Contains("id_token_hint=", signOut.Headers.Location.Query);
        Assert.Equal(HttpStatusCode.Unauthorized, (await xavi.Trellis.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_tampered_id_token_and_a_stranger_are_refused_and_nothing_is_created(Provider provider)
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: idp.Settings());
        var accounts = await app.WithDbAsync(db => db.Accounts.CountAsync());

        // Eli's token with Hana's email written into it after signing: the signature no longer holds.
        idp.TamperEmailTo = "h1@example.test";
        var tampered = await SignInAsync(app, "eli");
        Assert.Equal("/signin/refused?reason=failed", tampered.Callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tampered.Trellis.GetAsync("/api/v1/me")).StatusCode);
        idp.TamperEmailTo = null;

        // Someone the provider knows and Trellis does not: a clear page, no account, whatever their groups say.
        var stranger = await SignInAsync(app, "stranger");
        Assert.Equal("/signin/refused?reason=unknown", stranger.Callback.Headers.Location!.OriginalString);
        var page = await stranger.Trellis.GetAsync("/signin/refused?reason=unknown");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("you are not in Trellis&#x27;s directory of employees", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.Trellis.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(accounts, await app.WithDbAsync(db => db.Accounts.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "sso_refused")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_two_active_employees_share_signs_in_neither_and_a_leavers_old_address_goes_to_the_active_one(Provider provider)
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: idp.Settings());
        // Imports do not make emails unique: E2 now has Eli's address too.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E2").ExecuteUpdateAsync(s => s.SetProperty(e => e.Email, "e1@example.test")));
        var shared = await SignInAsync(app, "eli");
        Assert.Equal("/signin/refused?reason=ambiguous", shared.Callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await shared.Trellis.GetAsync("/api/v1/me")).StatusCode);
        Assert.Contains("More than one person", await (await shared.Trellis.GetAsync("/signin/refused?reason=ambiguous")).Content.ReadAsStringAsync());

        // The address passed from a leaver (E2 left) to Eli: Eli, not the closed account.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "E2").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "left")));
        var eli = await SignInAsync(app, "eli");
        Assert.Equal("/", eli.Callback.Headers.Location!.OriginalString);
        Assert.Equal("E1", JsonNode.Parse(await eli.Trellis.GetStringAsync("/api/v1/me"))!["employee_id"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_email_the_provider_says_is_not_verified_is_refused_and_a_verified_one_signs_in(Provider provider)
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: idp.Settings());
        var mallory = await SignInAsync(app, "mallory");
        Assert.Equal("/signin/refused?reason=unverified", mallory.Callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mallory.Trellis.GetAsync("/api/v1/me")).StatusCode);
        var page = await mallory.Trellis.GetAsync("/signin/refused?reason=unverified");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("has not verified your email address", await page.Content.ReadAsStringAsync());
        var refusal = await app.WithDbAsync(db => db.AuditLog.SingleAsync(a => a.Action == "sso_refused"));
        Assert.Contains("not verified", refusal.Detail);
        Assert.False(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "sso_sign_in")));

        // Hana's provider vouches for her address (email_verified=true): she signs in.
        var hana = await SignInAsync(app, "hana");
        Assert.Equal("/", hana.Callback.Headers.Location!.OriginalString);
        Assert.Equal("H1", JsonNode.Parse(await hana.Trellis.GetStringAsync("/api/v1/me"))!["employee_id"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Local_passwords_off_leaves_only_the_provider(Provider provider)
    {
        await using var idp = await TestOpenIdProvider.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider, settings: idp.Settings(localPasswords: false));
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/signin");
        Assert.Contains("Sign in with Test IdP", form);
        Assert.DoesNotContain("type=\"password\"", form);

        // A right password posted anyway is refused and signs nobody in.
        var token = Antiforgery().Match(form);
        var fields = new Dictionary<string, string> { ["Login"] = "H1", ["Password"] = TestOrganisation.Password };
        if (token.Success) fields["__RequestVerificationToken"] = token.Groups[1].Value;
        var post = await browser.PostAsync("/signin", new FormUrlEncodedContent(fields));
        Assert.NotEqual(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me")).StatusCode);

        var hana = await SignInAsync(app, "hana");
        Assert.Equal(HttpStatusCode.Redirect, hana.Callback.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hana.Trellis.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Without_an_authority_single_sign_on_is_off(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/signin/oidc")).StatusCode);
        Assert.DoesNotContain("Sign in with", await client.GetStringAsync("/signin"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
