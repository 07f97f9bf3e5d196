using System.Net;
using System.Text.RegularExpressions;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Pages;

/// <summary>Errors in the form the caller reads: a page in the layout for a browser, ProblemDetails for everything else.</summary>
public sealed partial class ErrorPagesTests
{
    private static HttpRequestMessage Browser(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        return request;
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_browser_gets_an_error_page_in_the_layout_and_an_api_client_gets_problem_details(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var browser = await CookieSession.SignedInAsync(app, "E2");
        foreach (var path in new[] { "/people/NOPE", "/framework/versions/99999", "/no/such/page" })
        {
            var page = await browser.SendAsync(Browser(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("<h1>Not found</h1>", html);
            Assert.Contains("id=\"main-nav\"", html); // the signed-in layout, with the menu to go on from
            Assert.DoesNotContain("\"status\"", html);

            // The same address for a client that does not ask for HTML: ProblemDetails, as before.
            var api = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        }
        // The API answers in JSON even to a browser.
        var json = await browser.SendAsync(Browser(HttpMethod.Get, "/api/v1/employees/NOPE"));
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);

        // Before sign-in an unknown address goes to sign-in like any other: which addresses exist is not told.
        var anonymous = await new CookieSession(app).SendAsync(Browser(HttpMethod.Get, "/no/such/page"));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/signin", anonymous.Headers.Location!.PathAndQuery);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_form_post_naming_no_handler_of_the_page_is_refused_instead_of_rendering_an_unloaded_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var browser = await CookieSession.SignedInAsync(app, "E2");
        var token = await browser.TokenFromAsync("/people");
        // /people has no form handler at all; a page with only named handlers behaves the same when none is named.
        foreach (var (path, handler) in new[] { ("/people", ""), ("/people", "?handler=nosuch") })
        {
            var request = Browser(HttpMethod.Post, path + handler);
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
            var response = await browser.SendAsync(request);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}{handler}: {(int)response.StatusCode}");
            Assert.True(html.Contains("<h1>Not possible</h1>", StringComparison.Ordinal), $"{path}{handler}: {System.Text.RegularExpressions.Regex.Match(html, "<main>.*</main>", System.Text.RegularExpressions.RegexOptions.Singleline).Value}");
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_menu_link_opens_for_each_role_that_is_shown_it(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        foreach (var who in new[] { "A1", "H1", "C1", "M2", "E2" })
        {
            var browser = await CookieSession.SignedInAsync(app, who);
            var home = await (await browser.GetAsync("/")).Content.ReadAsStringAsync();
            var nav = Nav().Match(home);
            Assert.True(nav.Success, $"{who}: no menu");
            var links = Link().Matches(nav.Value).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(links);
            foreach (var link in links)
            {
                var page = await browser.GetAsync(link);
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"{who}: the menu links to {link}, which answers {(int)page.StatusCode} {page.Headers.Location}");
            }
        }
    }

    [GeneratedRegex("<nav aria-label=\"Main\" id=\"main-nav\">.*?</nav>", RegexOptions.Singleline)]
    private static partial Regex Nav();

    [GeneratedRegex("href=\"(/[^\"]*)\"")]
    private static partial Regex Link();
}
