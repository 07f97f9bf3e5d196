using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Growth;

/// <summary>Issue 11: a growth page about someone else says their name, and too little evidence links to a feedback request with the thin behaviours ticked.</summary>
public sealed class GrowthWordsTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Someone_elses_growth_page_says_their_name_and_links_to_request_feedback(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var manager = await app.ClientForAsync("M2");
        var page = System.Net.WebUtility.HtmlDecode(await manager.GetStringAsync("/growth/E1"));
        Assert.Contains("how Eli Engineer demonstrates a behaviour", page);
        Assert.Contains("what Eli Engineer's level", page);
        Assert.DoesNotContain("how you demonstrate", page);
        // No evidence yet: the band is insufficient evidence, and the link asks for it on every behaviour.
        Assert.Contains("data-testid=\"request-feedback\"", page);
        Assert.Contains("/feedback/request?subject=E1&behaviors=asks-why&", page);

        var own = System.Net.WebUtility.HtmlDecode(await (await app.ClientForAsync("E1")).GetStringAsync("/growth"));
        Assert.Contains("how you demonstrate a behaviour", own);

        var form = await manager.GetStringAsync("/feedback/request?subject=E1&behaviors=asks-why&behaviors=grows-others");
        Assert.Matches("value=\"asks-why\" checked=\"checked\"", form);
        Assert.Matches("value=\"grows-others\" checked=\"checked\"", form);
        Assert.DoesNotMatch("value=\"shares-credit\" checked=\"checked\"", form);
    }
}
