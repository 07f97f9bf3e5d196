using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>Cross-site request forgery is refused on every cookie write; every response carries the security headers.</summary>
public sealed class RequestProtectionTests
{
    private static async Task<string> OpenFeedbackRequestAsync(TrellisApp app)
    {
        var e1 = await app.ClientForAsync("E1");
        var created = await e1.PostAsJsonAsync("/api/v1/feedback-requests", new { subject_id = "E1", rater_ids = new[] { "E2", "E3", "M2" }, behaviors = new[] { "asks-why" }, message = "How did the design review go?" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> RequestStatusAsync(TrellisApp app, string id) =>
        await app.WithDbAsync(db => db.FeedbackRequests.Where(r => r.Id == id).Select(r => r.WithdrawnAt).FirstAsync()) is null ? "open" : "withdrawn";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_bodiless_cookie_post_from_another_origin_is_refused_and_changes_nothing(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var id = await OpenFeedbackRequestAsync(app);
        var session = await CookieSession.SignedInAsync(app, "E1");

        foreach (var headers in new[]
                 {
                     new[] { ("Sec-Fetch-Site", "same-site"), ("Origin", "http://localhost:8081") },
                     new[] { ("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example") },
                     new[] { ("Origin", "https://evil.example") },
                     new[] { ("Origin", "null") },
                     [],
                 })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/feedback-requests/{id}/withdraw");
            foreach (var (name, value) in headers) request.Headers.Add(name, value);
            var refused = await session.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.NotEqual("withdrawn", await RequestStatusAsync(app, id));

        // Sign-out is a write too: a forged one leaves the session alone.
        var forgedSignOut = await session.PostFormAsync("/signout", [], null, ("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, forgedSignOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/me")).StatusCode);

        // From the page itself the same post works.
        var same = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/feedback-requests/{id}/withdraw");
        same.Headers.Add("Sec-Fetch-Site", "same-origin");
        same.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, (await session.SendAsync(same)).StatusCode);
        Assert.Equal("withdrawn", await RequestStatusAsync(app, id));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Without_browser_headers_a_cookie_write_needs_the_antiforgery_token_and_bearer_calls_need_nothing(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "E2");
        var body = new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = "Asked why twice in the design review and found the real constraint." };

        var bare = await session.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/observations") { Content = JsonContent.Create(body) });
        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/v1/observations") { Content = JsonContent.Create(body) };
        sameOrigin.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.Created, (await session.SendAsync(sameOrigin)).StatusCode);
        var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/v1/observations") { Content = JsonContent.Create(body) };
        withToken.Headers.Add("RequestVerificationToken", await session.TokenFromAsync("/"));
        Assert.Equal(HttpStatusCode.Created, (await session.SendAsync(withToken)).StatusCode);

        // A script with a bearer token is not a browser riding on a cookie: no token or Origin needed, whatever it sends.
        var script = await app.ClientForAsync("E2");
        var call = new HttpRequestMessage(HttpMethod.Post, "/api/v1/observations") { Content = JsonContent.Create(body) };
        call.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Created, (await script.SendAsync(call)).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_response_carries_the_security_headers(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var session = await CookieSession.SignedInAsync(app, "H1");
        foreach (var path in new[] { "/", "/org", "/admin", "/signin", "/api/v1/me", "/css/app.css", "/js/org.js", "/api/v1/employees/NOPE", "/nowhere" })
        {
            var response = await session.GetAsync(path);
            var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), $"{path}: HSTS over plain HTTP");
        }
        // No page carries an inline script or inline event handler that the policy would block.
        foreach (var path in new[] { "/", "/org", "/admin", "/audit", "/feedback/give", "/people", "/framework", "/cycles", "/account", "/growth" })
        {
            var html = await (await session.GetAsync(path)).Content.ReadAsStringAsync();
            Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html);
            Assert.DoesNotMatch("\\son[a-z]+=\"", html);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Over_https_responses_carry_hsts_and_the_sign_in_cookie_is_secure_also_behind_a_proxy(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["ForwardedHeaders:Enabled"] = "true" });

        var direct = new CookieSession(app, "https://localhost");
        var token = await direct.TokenFromAsync("/signin");
        var signIn = await direct.PostFormAsync("/signin", new() { ["Login"] = "E1", ["Password"] = TestOrganisation.Password }, token);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("trellis=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("max-age=", (await direct.GetAsync("/")).Headers.GetValues("Strict-Transport-Security").Single());

        // TLS ends at a proxy that says so in X-Forwarded-Proto.
        var proxied = new CookieSession(app, "http://localhost");
        var form = new HttpRequestMessage(HttpMethod.Get, "/signin");
        form.Headers.Add("X-Forwarded-Proto", "https");
        var page = await proxied.SendAsync(form);
        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
        var html = await page.Content.ReadAsStringAsync();
        var field = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Login"] = "E1", ["Password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = field }),
        };
        post.Headers.Add("X-Forwarded-Proto", "https");
        var proxiedSignIn = await proxied.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, proxiedSignIn.StatusCode);
        Assert.Contains(proxiedSignIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("trellis=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }
}
