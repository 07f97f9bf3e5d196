using System.Net;
using System.Net.Http.Json;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Accounts;

public sealed class AccountsApiTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Me_returns_the_account_of_the_token(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("M2");
        var me = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/me");
        Assert.Equal("M2", me.GetProperty("employee_id").GetString());
        Assert.Contains("manager", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Anonymous_api_calls_get_401_problem_details_and_health_is_open(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, seed: false);
        var client = app.AnonymousClient();
        var me = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal("application/problem+json", me.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        var bad = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        bad.Headers.Authorization = new("Bearer", "trl_not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(bad)).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Pages_redirect_anonymous_visitors_to_sign_in(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider, seed: false);
        var response = await app.AnonymousClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location?.PathAndQuery);
    }
}
