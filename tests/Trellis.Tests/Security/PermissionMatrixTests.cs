using System.Net;
using System.Text.RegularExpressions;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// The permission matrix: every row of every <see cref="IPermissionRows"/> in this assembly, for every caller,
/// on both providers. All mismatches are reported at once.
/// </summary>
public sealed partial class PermissionMatrixTests
{
    public static IReadOnlyList<PermissionRule> AllRules() =>
        typeof(PermissionMatrixTests).Assembly.GetTypes()
            .Where(t => typeof(IPermissionRows).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .SelectMany(t => ((IPermissionRows)Activator.CreateInstance(t)!).Rules)
            .ToList();

    [Fact]
    public void Every_row_names_every_caller()
    {
        var rules = AllRules();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
            Assert.True(PermissionRule.Users.All(rule.ByUser.ContainsKey), $"{rule.Method} {rule.Path} does not say what every caller gets");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_endpoint_and_page_answers_each_role_and_scope_as_the_matrix_says(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = app.AnonymousClient() };
        foreach (var user in PermissionRule.Users) clients[user] = await app.ClientForAsync(user);

        var mismatches = new List<string>();
        var checks = 0;
        foreach (var rule in AllRules())
        {
            foreach (var (caller, expected) in rule.ByUser.Prepend(new("anonymous", rule.Anonymous)))
            {
                using var response = await clients[caller].SendAsync(new HttpRequestMessage(new HttpMethod(rule.Method), rule.Path));
                checks++;
                var problem = Check(rule, expected, response);
                if (problem is not null) mismatches.Add($"{rule.Method} {rule.Path} as {caller}: expected {expected}, {problem}");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checks} checks failed:\n" + string.Join("\n", mismatches));
    }

    private static string? Check(PermissionRule rule, Access expected, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var got = $"got {status} {response.Headers.Location}";
        switch (expected)
        {
            case Access.Ok:
                return status == 200 ? null : got;
            case Access.SignIn when rule.IsApi:
                if (status != 401) return got;
                return IsProblem(response) ? null : "401 without ProblemDetails";
            case Access.SignIn:
                return status == 302 && PathOf(response.Headers.Location).StartsWith("/signin", StringComparison.Ordinal) ? null : got;
            case Access.Forbidden:
                if (status != 403) return got;
                return !rule.IsApi || IsProblem(response) ? null : "403 without ProblemDetails";
            case Access.NotFound:
                if (status != 404) return got;
                return !rule.IsApi || IsProblem(response) ? null : "404 without ProblemDetails";
            default:
                return $"unknown expectation {expected}";
        }
    }

    private static string PathOf(Uri? location) =>
        location is null ? "" : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    private static bool IsProblem(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Signed_in_pages_send_the_wrong_role_to_the_denied_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var browser = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var form = await browser.GetStringAsync("/signin");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        var signIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Login"] = "E1", ["Password"] = TestOrganisation.Password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/people")).StatusCode);
        foreach (var path in new[] { "/admin", "/admin/audit-log", "/span" })
        {
            var denied = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/denied", PathOf(denied.Headers.Location));
        }
        // The API never redirects: a cookie caller without the role gets 403 ProblemDetails.
        var api = await browser.GetAsync("/api/v1/audit-log");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.True(IsProblem(api));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
