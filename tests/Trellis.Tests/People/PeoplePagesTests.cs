using System.Net;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.People;

/// <summary>The pages render from the same queries as the API; these check what each shows and to whom.</summary>
public sealed class PeoplePagesTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Directory_person_org_and_span_pages_render(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var e1 = await app.ClientForAsync("E1");

        var directory = await e1.GetStringAsync("/people?q=engineer&page=1");
        Assert.Contains("1–3 of 3 people", directory);
        Assert.Contains("href=\"/people/E2\"", directory);
        Assert.DoesNotContain("Xavi", directory);
        Assert.Contains("Nobody matches", await e1.GetStringAsync("/people?department=Nowhere"));
        var paged = await e1.GetStringAsync("/people?page=2");
        Assert.Contains("Page 2 is past the end: 9 people match on 1 page", paged);
        var badPage = await e1.GetAsync("/people?page=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("page must be 1 or more", await badPage.Content.ReadAsStringAsync());

        var person = await e1.GetStringAsync("/people/E1");
        Assert.Contains("Eli Engineer", person);
        Assert.Contains("In this level since", person);
        Assert.Contains("2020-01-06", person);
        Assert.Contains("href=\"/people/M2\"", person);
        Assert.DoesNotContain("Gender", person);
        Assert.Contains("Gender", await (await app.ClientForAsync("H1")).GetStringAsync("/people/E1"));

        Assert.Contains("9 active people", await e1.GetStringAsync("/org"));

        var span = await (await app.ClientForAsync("M1")).GetStringAsync("/span");
        Assert.Contains("data-manager=\"M2\"", span);
        Assert.DoesNotContain("data-manager=\"C1\"", span);
        Assert.Contains("/api/v1/span-of-control?format=csv", span);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task An_over_limit_manager_stands_out_on_the_span_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await app.WithDbAsync(async db =>
        {
            for (var i = 1; i <= 13; i++)
                db.Employees.Add(new Employee { Id = $"N{i:00}", Name = $"New {i:00}", Email = $"n{i}@example.test", ManagerId = "M2", Track = "expert", Level = "e1", HireDate = new(2024, 1, 1) });
            await db.SaveChangesAsync();
        });
        var span = await (await app.ClientForAsync("H1")).GetStringAsync("/span");
        Assert.Contains("class=\"over\" data-manager=\"M2\" data-status=\"over_limit\"", span);
        Assert.Contains("1 over the limit of 12", span);
    }
}
