using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Data;

/// <summary>
/// Issue 12: lookups a person's page makes are seeks, not reads of the whole organisation. Who holds HR or the committee
/// role is found through the index on <c>accounts.roles</c> (every canonical role list that holds the role), and the
/// people at a level by name through the index on <c>employees (level, status, name)</c>.
/// </summary>
public sealed class LookupIndexTests
{
    [Fact]
    public void The_role_lists_with_a_role_are_every_list_an_account_can_hold_that_has_it()
    {
        // Every list Roles.Join can store: all subsets of the roles, normalised.
        var stored = Enumerable.Range(0, 1 << Roles.All.Count)
            .Select(mask => Roles.Join(Roles.All.Where((_, i) => (mask & (1 << i)) != 0)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var role in Roles.All.Where(r => r != Roles.Employee))
        {
            var expected = stored.Where(list => Roles.Split(list).Contains(role)).Order(StringComparer.Ordinal);
            Assert.Equal(expected, Roles.ListsWith(role).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task The_model_indexes_the_roles_of_accounts_the_people_at_a_level_by_name_recent_results_and_list_orders()
    {
        await using var database = TestDatabase.Create(Provider.Sqlite);
        await using var db = database.Selection.CreateContext();
        // The design-time model keeps every index setting (the runtime model drops the sort directions).
        var model = db.GetService<IDesignTimeModel>().Model;
        IEnumerable<string[]> Indexes(Type entity) => model.FindEntityType(entity)!.GetIndexes().Select(i => i.Properties.Select(p => p.Name).ToArray());
        Assert.Contains(Indexes(typeof(Account)), columns => columns.SequenceEqual(["Roles"]));
        Assert.Contains(Indexes(typeof(Employee)), columns => columns.SequenceEqual(["Level", "Status", "Name"]));
        var recent = Assert.Single(model.FindEntityType(typeof(ResultRecord))!.GetIndexes());
        Assert.Equal(["PeriodEnd", "EmployeeId"], recent.Properties.Select(p => p.Name));
        Assert.Equal([true, false], recent.IsDescending);
        // The recognition feed's order (whole, by value, by receiver) and HR's concern list, newest first (issue 12).
        Assert.Contains(Indexes(typeof(Recognition)), columns => columns.SequenceEqual(["GivenOn", "Id"]));
        Assert.Contains(Indexes(typeof(Recognition)), columns => columns.SequenceEqual(["Value", "GivenOn", "Id"]));
        Assert.Contains(Indexes(typeof(Recognition)), columns => columns.SequenceEqual(["ToId", "GivenOn", "Id"]));
        Assert.Contains(Indexes(typeof(Concern)), columns => columns.SequenceEqual(["RecordedOn", "Id"]));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_and_the_committee_are_found_whatever_other_roles_they_hold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // Xavi holds every role; Ezra only the committee beside his employee role.
        await app.WithDbAsync(async db =>
        {
            var accounts = new AccountService(db, TimeProvider.System);
            await accounts.AddUserAsync("X1", [Roles.Manager, Roles.Hr, Roles.Committee, Roles.Admin], TestOrganisation.Password);
            await accounts.AddUserAsync("E3", [Roles.Committee], TestOrganisation.Password);
        });
        var c = await ClientsAsync(app, "H1", "M2", "E1");

        // A cycle created without a committee takes every committee account.
        var created = await CreateCycleAsync(c["H1"], "c1");
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var committee = (await JsonAsync(created)).GetProperty("committee").EnumerateArray().Select(p => p.GetProperty("employee_id").GetString()).Order();
        Assert.Equal(["C1", "E3", "X1"], committee);

        // The candidate may ask everyone in HR (by name), and the first people now at the target level by name.
        var id = await NominatedAsync(c["M2"], "c1", "E1", "e3");
        var partners = await JsonAsync(await c["E1"].GetAsync($"/api/v1/nominations/{id}/conversation-partners"));
        Assert.Equal(["H1", "X1"], Ids(partners.GetProperty("hr")));
        Assert.Equal(["E2", "E3", "X1"], Ids(partners.GetProperty("at_target_level"))); // Eva, Ezra, Xavi
    }

    private static IEnumerable<string?> Ids(JsonElement people) => people.EnumerateArray().Select(p => p.GetProperty("employee_id").GetString());
}
