using System.Net;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Pages;

/// <summary>The browsable API reference (/docs, Scalar's page) names its language like every other page.</summary>
public sealed class ApiReferenceTests
{
    [Fact]
    public async Task The_api_reference_page_is_in_english()
    {
        await using var app = await TrellisApp.StartAsync(Provider.Sqlite);
        var client = app.AnonymousClient();
        foreach (var path in new[] { "/docs", "/docs/", "/docs/v1" })
        {
            var response = await client.GetAsync(path);
            for (var hops = 0; response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently && hops < 3; hops++)
                response = await client.GetAsync(response.Headers.Location);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<html lang=\"en\">", html);
            Assert.DoesNotContain("<html>", html);
            Assert.Contains("<title>Trellis API</title>", html);
        }
    }
}
