using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.Accounts;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Data;

namespace Trellis.BrowserTests.Security;

/// <summary>
/// The CSRF attack in a real browser: a page on another origin of the same site (another port of the same host, so the
/// SameSite=Lax sign-in cookie does travel) posts to Trellis while the victim is signed in. Trellis must refuse it.
/// </summary>
public sealed class CrossSiteRequestTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    /// <summary>A feedback request of E1's, open, made through the API with E1's token.</summary>
    private async Task<string> OpenFeedbackRequestAsync()
    {
        string token;
        using (var scope = app.Services.CreateScope())
            token = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateTokenAsync("E1", "setup");
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await client.PostAsJsonAsync("/api/v1/feedback-requests",
            new { subject_id = "E1", rater_ids = new[] { "E2", "E3", "M2" }, behaviors = new[] { "asks-why" }, message = "How did the review go?" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<bool> IsWithdrawnAsync(string id)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
        return await db.FeedbackRequests.AnyAsync(r => r.Id == id && r.WithdrawnAt != null);
    }

    /// <summary>The attacker's site: one page that posts to Trellis as soon as it loads, by form and by fetch.</summary>
    private static async Task<WebApplication> StartAttackerAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var attacker = builder.Build();
        var html = $$"""
            <!DOCTYPE html><html><body>
            <p id="state">working</p>
            <form id="forged" method="post" action="{{target}}"></form>
            <script>
              fetch("{{target}}", { method: "POST", mode: "no-cors", credentials: "include" })
                .catch(() => null)
                .then(() => { document.getElementById("state").textContent = "fetched"; });
            </script>
            </body></html>
            """;
        attacker.MapGet("/", () => Results.Content(html, "text/html"));
        await attacker.StartAsync();
        return attacker;
    }

    [Fact]
    public async Task Attack_a_page_on_another_origin_cannot_post_with_the_victims_cookie()
    {
        var id = await OpenFeedbackRequestAsync();
        var target = $"{app.BaseUrl}/api/v1/feedback-requests/{id}/withdraw";
        await using var attacker = await StartAttackerAsync(target);
        var attackerUrl = attacker.Urls.First();
        Assert.NotEqual(new Uri(app.BaseUrl).Port, new Uri(attackerUrl).Port);

        var page = await app.SignedInPageAsync("E1");
        // 1. A script on the attacker's page posts with the cookie (no-cors: it cannot read the answer, but could cause the write).
        await page.GotoAsync(attackerUrl);
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("fetched");
        Assert.False(await IsWithdrawnAsync(id), "a cross-origin fetch withdrew the request");

        // 2. A form on the attacker's page submits itself: a top-level POST navigation to Trellis.
        var response = await page.RunAndWaitForResponseAsync(
            () => page.EvaluateAsync("document.getElementById('forged').submit()"), r => r.Url == target && r.Request.Method == "POST");
        Assert.Equal(403, response.Status);
        Assert.Contains("cross-site request forgery", await response.TextAsync());
        Assert.False(await IsWithdrawnAsync(id), "a cross-origin form post withdrew the request");

        // The victim is still signed in, and the same post from Trellis's own origin works.
        await page.GotoAsync("/");
        Assert.DoesNotContain("/signin", page.Url);
        var status = await page.EvaluateAsync<int>($"fetch('/api/v1/feedback-requests/{id}/withdraw', {{ method: 'POST' }}).then(r => r.status)");
        Assert.Equal(200, status);
        Assert.True(await IsWithdrawnAsync(id));
    }
}
