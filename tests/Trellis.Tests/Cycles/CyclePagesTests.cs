using System.Net;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class CyclePagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_cycle_page_answers_each_role_as_its_scope_allows(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, CycleTestKit.Everyone);
        await CycleAsync(c["H1"], "c1", committee: ["C1"]);
        var id = await NominatedAsync(c["M2"], "c1", "E1", "l3");

        var ok = HttpStatusCode.OK;
        var no = HttpStatusCode.Forbidden;
        var matrix = new (string Path, Dictionary<string, HttpStatusCode> Expected)[]
        {
            ("/cycles", CycleTestKit.Everyone.ToDictionary(w => w, _ => ok)),
            ("/cycles/c1", CycleTestKit.Everyone.ToDictionary(w => w, _ => ok)),
            ("/cycles/c1/board", new() { ["H1"] = ok, ["C1"] = ok, ["A1"] = no, ["M1"] = no, ["M2"] = no, ["E1"] = no, ["X1"] = no }),
            ($"/cycles/c1/board/{id}", new() { ["H1"] = ok, ["C1"] = ok, ["A1"] = no, ["M2"] = no, ["E1"] = no, ["X1"] = no }),
            ($"/nominations/{id}", new() { ["E1"] = ok, ["M2"] = ok, ["M1"] = ok, ["C1"] = ok, ["H1"] = ok, ["A1"] = no, ["E2"] = no, ["X1"] = no }),
            ("/inbox", CycleTestKit.Everyone.ToDictionary(w => w, _ => ok)),
            ("/transitions", CycleTestKit.Everyone.ToDictionary(w => w, _ => ok)),
            ("/returns", CycleTestKit.Everyone.ToDictionary(w => w, _ => ok)),
        };
        foreach (var (path, expected) in matrix)
        {
            foreach (var (who, status) in expected)
            {
                var response = await c[who].GetAsync(path);
                Assert.True(status == response.StatusCode, $"{who} GET {path}: expected {(int)status}, got {(int)response.StatusCode}");
            }
            var anonymous = await app.AnonymousClient().GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith("/signin", anonymous.Headers.Location?.PathAndQuery);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await c["H1"].GetAsync("/cycles/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c["H1"].GetAsync("/nominations/4242")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c["H1"].GetAsync("/transitions/4242")).StatusCode);

        // The candidate's page shows the scope of both tracks side by side, and the reflection questions to the candidate only.
        var candidate = await (await c["E1"].GetAsync($"/nominations/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("Equal band, other track", candidate);
        Assert.Contains("nominated by Milo Manager (manager)", candidate);
        Assert.Contains("What do you most love about your work now?", candidate);
        Assert.Contains("Only you can ever read these notes", candidate);
        var manager = await (await c["M2"].GetAsync($"/nominations/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("What do you most love about your work now?", manager);
        // The banner tells the candidate in every page.
        Assert.Contains("inbox-banner", await (await c["E1"].GetAsync("/cycles")).Content.ReadAsStringAsync());
        Assert.DoesNotContain("inbox-banner", await (await c["X1"].GetAsync("/cycles")).Content.ReadAsStringAsync());
    }
}
