using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.People;

/// <summary>
/// The directory's search (issue 12): in memory over the organisation snapshot, so it must find the same people on both
/// databases, ignore case and accents, match the beginnings of words, and follow changes at once.
/// </summary>
public sealed class DirectorySearchTests
{
    private static string[] Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();

    private static Task SeedAsync(TrellisApp app) => app.WithDbAsync(async db =>
    {
        Employee Person(string id, string name, string email, string? title) => new()
        {
            Id = id, Name = name, Email = email, Title = title, ManagerId = "M2", Department = "Engineering", Track = "expert", Level = "e1",
            HireDate = new(2024, 1, 1),
        };
        db.Employees.AddRange(
            Person("Q0042", "José Núñez", "jose.nunez@example.test", "Data Scientist"),
            Person("Q0043", "Zoë Müller", "zoe.mueller@example.test", "Site Reliability Engineer"),
            Person("Q0044", "Łukasz Ørsted", "lukasz@example.test", null));
        await db.SaveChangesAsync();
    });

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Search_ignores_case_and_accents_and_matches_the_beginnings_of_words(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedAsync(app);
        var client = await app.ClientForAsync("E1");
        async Task<string[]> Search(string q) => Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?q=" + Uri.EscapeDataString(q)));

        // Names whatever the case and accents, typed either way.
        Assert.Equal(["Q0042"], await Search("jose"));
        Assert.Equal(["Q0042"], await Search("NÚÑEZ"));
        Assert.Equal(["Q0042"], await Search("nunez"));
        Assert.Equal(["Q0043"], await Search("zoe muller"));
        Assert.Equal(["Q0043"], await Search("Müller"));
        Assert.Equal(["Q0044"], await Search("lukasz orsted"));
        // Every word of the query begins a word of the id, name, email or title.
        Assert.Equal(["Q0042"], await Search("jo nu"));
        Assert.Equal(["Q0042"], await Search("scien"));
        Assert.Equal(["Q0043"], await Search("reliab"));
        Assert.Equal(["Q0043"], await Search("zoe.mueller@"));
        Assert.Empty(await Search("ose")); // inside a word
        Assert.Empty(await Search("jose muller"));
        // Ids by their beginning or by digits anywhere in them.
        Assert.Equal(["Q0042", "Q0043", "Q0044"], (await Search("q004")).Order().ToArray());
        Assert.Equal(["Q0043"], await Search("0043"));
        // Results in name order with the other filters applied, counted in all.
        var engineers = await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?q=engineer&page_size=2");
        Assert.Equal(4, engineers.GetProperty("total").GetInt32()); // Eli, Eva, Ezra Engineer and Zoë, a Site Reliability Engineer
        Assert.Equal(["E1", "E2"], Ids(engineers));
        Assert.Equal(["Q0043"], Ids(await client.GetFromJsonAsync<JsonElement>("/api/v1/employees?q=engineer&level=e1")));

        // The page searches the same way.
        var page = await client.GetStringAsync("/people?q=" + Uri.EscapeDataString("NUNEZ"));
        Assert.Contains("href=\"/people/Q0042\"", page);
        Assert.Contains("1–1 of 1 person", page);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Search_follows_renames_and_leavers_at_once(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        await SeedAsync(app);
        var client = await app.ClientForAsync("E1");
        async Task<string[]> Search(string q, string status = "active") =>
            Ids(await client.GetFromJsonAsync<JsonElement>($"/api/v1/employees?status={status}&q=" + Uri.EscapeDataString(q)));
        Assert.Equal(["Q0042"], await Search("jose"));

        // A rename saved through the app (neither the count of people nor the highest id changes).
        await app.WithDbAsync(async db =>
        {
            var jose = await db.Employees.FirstAsync(e => e.Id == "Q0042");
            (jose.Name, jose.Email) = ("Josefa Ortega", "josefa.ortega@example.test");
            await db.SaveChangesAsync();
        });
        Assert.Empty(await Search("nunez"));
        Assert.Equal(["Q0042"], await Search("ortega"));

        // A leaver leaves the active directory and is found among the leavers.
        await app.WithDbAsync(db => db.Employees.Where(e => e.Id == "Q0043").ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, EmployeeStatus.Left)));
        Assert.Empty(await Search("zoe"));
        Assert.Equal(["Q0043"], await Search("zoe", "left"));
        Assert.Equal(["Q0043"], await Search("zoe", "all"));
    }
}
