using System.Net;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class EvidencePagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Evidence_pages_answer_by_role(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var expected = new Dictionary<string, (HttpStatusCode Results, HttpStatusCode Concerns)>
        {
            ["E2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["M2"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["C1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), // HR alone lists concerns (issue 14); committee members see flags on the board
            ["H1"] = (HttpStatusCode.OK, HttpStatusCode.OK),
            ["A1"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
        };
        foreach (var (who, want) in expected)
        {
            var client = await app.ClientForAsync(who);
            foreach (var open in new[] { "/feedback/give?subject=E1&behavior=asks-why", "/feedback/request", "/feedback/inbox", "/recognition?page=1" })
                Assert.True(HttpStatusCode.OK == (await client.GetAsync(open)).StatusCode, $"{who} {open}");
            Assert.True(want.Results == (await client.GetAsync("/evidence/results")).StatusCode, $"{who} results page");
            Assert.True(want.Concerns == (await client.GetAsync("/evidence/concerns")).StatusCode, $"{who} concerns page");
        }
        var give = await (await (await app.ClientForAsync("E2")).GetAsync("/feedback/give?subject=E1&behavior=asks-why")).Content.ReadAsStringAsync();
        Assert.Contains("Eli Engineer (E1)", give);
        // The chosen behaviour's five anchors are shown next to the rating.
        Assert.Contains("Before starting a piece of work, asks who it is for", give);
    }
}
