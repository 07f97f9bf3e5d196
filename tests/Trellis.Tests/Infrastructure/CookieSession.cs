using System.Text.RegularExpressions;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// A cookie session as a browser holds it, without a browser: cookies are kept by hand so that a test can copy them
/// (a captured cookie), send browser headers (<c>Origin</c>, <c>Sec-Fetch-Site</c>) or pretend to come from another
/// address (<c>X-Forwarded-For</c>, when the app honours forwarded headers).
/// </summary>
public sealed partial class CookieSession
{
    private readonly HttpClient _client;

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Sent as X-Forwarded-For on every request when set.</summary>
    public string? ClientAddress { get; set; }

    public CookieSession(TrellisApp app, string? baseAddress = null)
    {
        _client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri(baseAddress ?? "http://localhost") });
    }

    /// <summary>Signs in through the sign-in form; the session holds the cookie only when the sign-in worked.</summary>
    public static async Task<(CookieSession Session, HttpResponseMessage Response)> TrySignInAsync(
        TrellisApp app, string login, string? password = null, string? clientAddress = null)
    {
        var session = new CookieSession(app) { ClientAddress = clientAddress };
        var response = await session.SignInAsync(login, password ?? TestOrganisation.Password);
        return (session, response);
    }

    public static async Task<CookieSession> SignedInAsync(TrellisApp app, string login, string? password = null, string? clientAddress = null)
    {
        var (session, response) = await TrySignInAsync(app, login, password, clientAddress);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"sign-in of {login} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return session;
    }

    public async Task<HttpResponseMessage> SignInAsync(string login, string password)
    {
        var token = await TokenFromAsync("/signin");
        return await PostFormAsync("/signin", new() { ["Login"] = login, ["Password"] = password }, token);
    }

    /// <summary>A second holder of the same cookies: what an attacker has after copying them.</summary>
    public CookieSession Copy(TrellisApp app)
    {
        var copy = new CookieSession(app) { ClientAddress = ClientAddress };
        foreach (var (name, value) in Cookies) copy.Cookies[name] = value;
        return copy;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        if (ClientAddress is not null) request.Headers.Add("X-Forwarded-For", ClientAddress);
        var response = await _client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                var pair = header.Split(';')[0];
                var eq = pair.IndexOf('=');
                var (name, value) = (pair[..eq], pair[(eq + 1)..]);
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) Cookies.Remove(name);
                else Cookies[name] = value;
            }
        }
        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>The antiforgery token of a page's form (and the antiforgery cookie that goes with it).</summary>
    public async Task<string> TokenFromAsync(string page)
    {
        var html = await (await GetAsync(page)).Content.ReadAsStringAsync();
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, $"{page} has no antiforgery token");
        return match.Groups[1].Value;
    }

    public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields, string? token, params (string Name, string Value)[] headers)
    {
        if (token is not null) fields["__RequestVerificationToken"] = token;
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return SendAsync(request);
    }

    /// <summary>A JSON POST from this site's own script (the browser says <c>Sec-Fetch-Site: same-origin</c>), riding on the cookie.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        return SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
