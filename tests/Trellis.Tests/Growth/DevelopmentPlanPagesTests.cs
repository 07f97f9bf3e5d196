using System.Net;
using System.Net.Http.Json;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Growth;

public sealed class DevelopmentPlanPagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_plan_pages_follow_the_apis_scope_and_hr_alone_reads_the_summary(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "H1", "M1", "C1", "A1", "E1", "X1");
        var created = await c["E1"].PostAsJsonAsync("/api/v1/development-plans", new
        {
            employee_id = "E1", behaviors = new[] { "asks-why" },
            actions = new[] { new { behavior = "asks-why", text = "Ask why in planning", due_on = Iso(Today.AddDays(7)) } },
        });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        var id = (await JsonAsync(created)).GetProperty("id").GetInt32();

        foreach (var who in new[] { "E1", "M1", "C1", "H1" })
        {
            var page = await c[who].GetAsync($"/plans/{id}");
            Assert.True(page.StatusCode == HttpStatusCode.OK, who);
            Assert.Contains("plan-start", await page.Content.ReadAsStringAsync());
        }
        foreach (var who in new[] { "X1", "A1" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync($"/plans/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync("/plans/new?employee=E1")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await c["H1"].GetAsync("/plans/4242")).StatusCode);
        Assert.Contains($"/plans/{id}", await (await c["M1"].GetAsync("/plans")).Content.ReadAsStringAsync());
        Assert.DoesNotContain($"/plans/{id}", await (await c["X1"].GetAsync("/plans")).Content.ReadAsStringAsync());
        // My growth offers to start a plan.
        Assert.Contains("start-plan", await (await c["E1"].GetAsync("/growth")).Content.ReadAsStringAsync());

        foreach (var who in new[] { "M1", "C1", "A1", "E1" })
            Assert.Equal(HttpStatusCode.Forbidden, (await c[who].GetAsync("/plans/summary")).StatusCode);
        var summary = await (await c["H1"].GetAsync("/plans/summary")).Content.ReadAsStringAsync();
        Assert.Contains("fewer than 3 people: hidden", summary);
        Assert.DoesNotContain("Eli", summary);
    }
}
