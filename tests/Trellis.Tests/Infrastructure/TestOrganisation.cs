using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// A small organisation with one account per role, on the sample framework:
/// <code>
/// H1 Hana (hr)            A1 Arno (admin)        C1 Cora (committee)
/// M1 Mira (manager, l5) ── M2 Milo (manager, l3) ── E1 Eli (e2), E2 Eva (e3)
///                      └── E3 Ezra (e3)
/// X1 Xavi (employee, e3, outside M1's line)
/// </code>
/// </summary>
public static class TestOrganisation
{
    public const string Password = "trellis-tests";

    public static readonly DateOnly Hired = new(2020, 1, 6);

    public static async Task SeedAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<TrellisDb>();
        var store = services.GetRequiredService<FrameworkStore>();
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        await store.SaveVersionAsync(db, framework, "test", "sample", default);

        Employee Person(string id, string name, string? manager, string track, string level, string dept = "Engineering", string gender = "f") => new()
        {
            Id = id, Name = name, Email = $"{id.ToLowerInvariant()}@example.test", ManagerId = manager, Department = dept,
            Location = "Lisbon", Title = name.Split(' ')[0], Track = track, Level = level, HireDate = Hired, LevelSince = Hired, Gender = gender,
        };
        db.Employees.AddRange(
            Person("H1", "Hana Hr", null, "leader", "l4", "People"),
            Person("A1", "Arno Admin", null, "expert", "e4", "IT", "m"),
            Person("C1", "Cora Committee", null, "leader", "l6", "Engineering"),
            Person("M1", "Mira Manager", "C1", "leader", "l5"),
            Person("M2", "Milo Manager", "M1", "leader", "l3", gender: "m"),
            Person("E1", "Eli Engineer", "M2", "expert", "e2", gender: "m"),
            Person("E2", "Eva Engineer", "M2", "expert", "e3"),
            Person("E3", "Ezra Engineer", "M1", "expert", "e3", gender: "m"),
            Person("X1", "Xavi Sales", null, "expert", "e3", "Sales", "m"));
        await db.SaveChangesAsync();

        var accounts = new AccountService(db, TimeProvider.System);
        await accounts.AddUserAsync("H1", [Roles.Hr], Password);
        await accounts.AddUserAsync("A1", [Roles.Admin], Password);
        await accounts.AddUserAsync("C1", [Roles.Committee, Roles.Manager], Password);
        await accounts.AddUserAsync("M1", [Roles.Manager], Password);
        await accounts.AddUserAsync("M2", [Roles.Manager], Password);
        foreach (var id in new[] { "E1", "E2", "E3", "X1" })
            await accounts.AddUserAsync(id, [Roles.Employee], Password);
    }
}
