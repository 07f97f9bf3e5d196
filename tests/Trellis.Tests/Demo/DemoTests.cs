using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Demo;
using Trellis.Framework;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Demo;

public sealed class DemoTests
{
    private static readonly DateOnly Today = new(2026, 9, 30);

    private static FrameworkStore Store() =>
        new(new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(), TimeProvider.System);

    private static async Task<DemoSeedResult> SeedAsync(TestDatabase database, DemoOptions options)
    {
        await using var db = database.Selection.CreateContext();
        await db.MigrateAsync();
        return await DemoSeeding.SeedAsync(db, Store(), TimeProvider.System, options, progress: null, default);
    }

    /// <summary>Every generated row of every table, in a stable order, as text.</summary>
    private static async Task<string> SnapshotAsync(TestDatabase database)
    {
        await using var db = database.Selection.CreateContext();
        var text = new StringBuilder();
        foreach (var e in await db.Employees.AsNoTracking().OrderBy(e => e.Id).ToListAsync())
            text.AppendLine($"{e.Id}|{e.Name}|{e.Email}|{e.ManagerId}|{e.Department}|{e.Location}|{e.Title}|{e.Track}|{e.Level}|{e.HireDate}|{e.LevelSince}|{e.Status}|{e.Gender}");
        foreach (var o in await db.Observations.AsNoTracking().OrderBy(o => o.Id).ToListAsync())
            text.AppendLine($"{o.Id}|{o.SubjectId}|{o.RaterId}|{o.Relationship}|{o.Behavior}|{o.Rating}|{o.ObservedOn}|{o.Comment}|{o.Visibility}");
        foreach (var r in await db.Results.AsNoTracking().OrderBy(r => r.EmployeeId).ThenBy(r => r.Period).ToListAsync())
            text.AppendLine($"{r.EmployeeId}|{r.Period}|{r.PeriodEnd}|{r.Score}");
        foreach (var r in await db.Recognitions.AsNoTracking().OrderBy(r => r.Id).ToListAsync())
            text.AppendLine($"{r.Id}|{r.FromId}|{r.ToId}|{r.Value}|{r.Behavior}|{r.Message}|{r.GivenOn}");
        foreach (var p in await db.Promotions.AsNoTracking().OrderBy(p => p.Cycle).ThenBy(p => p.EmployeeId).ToListAsync())
            text.AppendLine($"{p.Cycle}|{p.EmployeeId}|{p.DecidedOn}|{p.FromLevel}|{p.ToLevel}|{p.Outcome}");
        foreach (var c in await db.Concerns.AsNoTracking().OrderBy(c => c.Id).ToListAsync())
            text.AppendLine($"{c.Id}|{c.EmployeeId}|{c.Category}|{c.Substantiated}|{c.RecordedOn}");
        foreach (var a in await db.Accounts.AsNoTracking().OrderBy(a => a.EmployeeId).ToListAsync())
            text.AppendLine($"{a.EmployeeId}|{a.Roles}");
        return text.ToString();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_same_seed_gives_the_same_organisation_and_another_seed_a_different_one(Provider provider)
    {
        await using var first = TestDatabase.Create(provider);
        await using var second = TestDatabase.Create(provider);
        await using var third = TestDatabase.Create(provider);
        await SeedAsync(first, new DemoOptions(200, 11, Today));
        await SeedAsync(second, new DemoOptions(200, 11, Today));
        await SeedAsync(third, new DemoOptions(200, 12, Today));

        var a = await SnapshotAsync(first);
        Assert.True(a.Length > 10_000);
        Assert.Equal(a, await SnapshotAsync(second));
        Assert.NotEqual(a, await SnapshotAsync(third));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_demo_organisation_is_realistic_and_consistent(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        var seeded = await SeedAsync(database, new DemoOptions(Today: Today));
        await using var db = database.Selection.CreateContext();
        var framework = (await FrameworkStore.LoadCurrentAsync(db))!.Framework;
        var people = await db.Employees.AsNoTracking().ToDictionaryAsync(e => e.Id);
        Assert.Equal(DemoOptions.DefaultEmployees, people.Count);
        Assert.Equal(DemoOptions.DefaultEmployees, seeded.Rows["employees"]);

        // Published promotion stories, marked as demo, each for a promotion of the history.
        var stories = await db.Set<Trellis.Growth.PromotionStory>().AsNoTracking().Include(s => s.Values).ToListAsync();
        Assert.InRange(stories.Count, 1, DemoStories.MaxStories);
        Assert.Equal(stories.Count, seeded.Rows["promotion_stories"]);
        Assert.All(stories, s => Assert.True(s.Demo && s.Status == "published" && s.PublishedAt is not null && s.Values.Count > 0, $"{s.Cycle} {s.EmployeeId}"));
        var promotedPairs = await db.Promotions.AsNoTracking().Where(p => p.Outcome == "promoted").Select(p => p.Cycle + "/" + p.EmployeeId).ToListAsync();
        Assert.All(stories, s => Assert.Contains(s.Cycle + "/" + s.EmployeeId, promotedPairs));

        // Reporting lines: one root, every manager exists, no cycles.
        Assert.Single(people.Values, e => e.ManagerId is null);
        foreach (var e in people.Values)
        {
            var seen = new HashSet<string>();
            for (var at = e; at.ManagerId is not null; at = people[at.ManagerId])
            {
                Assert.True(people.ContainsKey(at.ManagerId), $"{at.Id} reports to unknown {at.ManagerId}");
                Assert.True(seen.Add(at.Id), $"cycle in the manager chain of {e.Id}");
            }
        }

        // Spans: mostly sane, with oversized ones beyond the framework's limit.
        var spans = people.Values.Where(e => e.ManagerId is not null).GroupBy(e => e.ManagerId!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Contains(spans.Values, s => s > framework.Rules.MaxDirectReports);
        Assert.Contains(31, spans.Values);
        Assert.Contains(18, spans.Values);
        Assert.True(spans.Values.Count(s => s is >= 3 and <= 10) >= spans.Count * 0.8, "most spans are between 3 and 10");

        // Tracks and levels: both tracks populated, every level on its own track, managers on the leader track,
        // senior people on the expert track too.
        foreach (var e in people.Values)
            Assert.Equal(e.Track, framework.TrackOf(e.Level)?.Key);
        var leaderTrack = framework.Tracks.Single(t => t.IsPeopleLeader).Key;
        var expertTrack = framework.Tracks.Single(t => !t.IsPeopleLeader).Key;
        foreach (var manager in spans.Keys) Assert.Equal(leaderTrack, people[manager].Track);
        foreach (var leader in people.Values.Where(e => e.Track == leaderTrack)) Assert.True(spans.ContainsKey(leader.Id), $"{leader.Id} leads nobody");
        Assert.True(people.Values.Count(e => e.Track == expertTrack && framework.FindLevel(e.Level)!.Band >= 4) >= 30, "many senior experts");
        Assert.Contains(people.Values, e => e.Status == EmployeeStatus.Left);
        Assert.Equal(["f", "m", "x"], people.Values.Select(e => e.Gender ?? "").Distinct().Order().ToArray());
        Assert.True(people.Values.Select(e => e.Department).Distinct().Count() >= 8);
        Assert.All(people.Values, e => Assert.True(e.HireDate <= Today && e.LevelSince >= e.HireDate && e.LevelSince <= Today, e.Id));
        Assert.Equal(people.Count, people.Values.Select(e => e.Email).Distinct().Count());

        // Accounts: every active person, every role.
        var accounts = await db.Accounts.AsNoTracking().ToListAsync();
        Assert.Equal(people.Values.Count(e => e.Status == EmployeeStatus.Active), accounts.Count);
        var roles = accounts.SelectMany(a => Roles.Split(a.Roles)).ToHashSet();
        Assert.Superset(Roles.All.ToHashSet(), roles);
        foreach (var a in accounts.Where(a => Roles.Split(a.Roles).Contains(Roles.Manager))) Assert.True(spans.ContainsKey(a.EmployeeId));

        // Evidence: every table has history; every row references people, behaviours and values that exist.
        var behaviors = framework.Behaviors.Select(b => b.Key).ToHashSet();
        var observations = await db.Observations.AsNoTracking().ToListAsync();
        Assert.True(observations.Count > 2000);
        var historyStart = observations.Min(o => o.ObservedOn);
        Assert.True(historyStart >= Today.AddYears(-3) && historyStart <= Today.AddYears(-2), $"history starts {historyStart}");
        foreach (var o in observations)
        {
            Assert.True(people.ContainsKey(o.SubjectId) && people.ContainsKey(o.RaterId), o.Id);
            Assert.Contains(o.Behavior, behaviors);
            Assert.InRange(o.Rating, 1, 5);
            Assert.True(o.ObservedOn <= Today && o.ObservedOn >= people[o.SubjectId].HireDate, o.Id);
            Assert.Equal(o.Relationship == "self", o.SubjectId == o.RaterId);
        }
        Assert.Equal(["manager", "other", "peer", "report", "self", "skip_level"], observations.Select(o => o.Relationship).Distinct().Order().ToArray());
        foreach (var o in observations.Where(o => o.Relationship == "manager")) Assert.Equal(people[o.SubjectId].ManagerId, o.RaterId);
        Assert.Contains(observations, o => o.Comment is not null);
        Assert.Contains(observations, o => o.Visibility == "private");
        // Uneven evidence and rater effects: some people have almost none; self-ratings run high; Sales rates generously.
        var perPerson = people.Keys.ToDictionary(id => id, id => 0);
        foreach (var o in observations) perPerson[o.SubjectId]++;
        Assert.Contains(perPerson.Values, c => c <= 2);
        Assert.Contains(perPerson.Values, c => c >= 40);
        double Mean(IEnumerable<Observation> xs) => xs.Average(o => o.Rating);
        Assert.True(Mean(observations.Where(o => o.Relationship == "self")) > Mean(observations.Where(o => o.Relationship == "manager")) + 0.2);
        var others = observations.Where(o => o.Relationship != "self").ToList();
        Assert.True(Mean(others.Where(o => people[o.RaterId].Department == "Sales")) > Mean(others.Where(o => people[o.RaterId].Department != "Sales")) + 0.2);

        var results = await db.Results.AsNoTracking().ToListAsync();
        Assert.True(results.Count > 600);
        Assert.All(results, r => Assert.True(people.ContainsKey(r.EmployeeId) && r.Score is >= 1 and <= 5 && r.PeriodEnd <= Today));
        Assert.Equal(["2024-H2", "2025-H1", "2025-H2", "2026-H1"], results.Select(r => r.Period).Distinct().Order().ToArray());

        var recognitions = await db.Recognitions.AsNoTracking().ToListAsync();
        Assert.True(recognitions.Count > 100);
        foreach (var r in recognitions)
        {
            Assert.True(people.ContainsKey(r.FromId) && people.ContainsKey(r.ToId) && r.FromId != r.ToId, r.Id);
            var value = framework.Values.Single(v => v.Key == r.Value);
            if (r.Behavior is not null) Assert.Contains(r.Behavior, value.Behaviors.Select(b => b.Key));
        }

        var concerns = await db.Concerns.AsNoTracking().ToListAsync();
        Assert.Contains(concerns, c => c.Substantiated);
        Assert.Contains(concerns, c => !c.Substantiated);
        Assert.All(concerns, c => Assert.True(people.ContainsKey(c.EmployeeId)));

        // Promotion history: four past cycles, every outcome, and today's levels consistent with the last promotion.
        var promotions = await db.Promotions.AsNoTracking().ToListAsync();
        Assert.Equal(["2024-H2", "2025-H1", "2025-H2", "2026-H1"], promotions.Select(p => p.Cycle).Distinct().Order().ToArray());
        Assert.Equal(["declined", "deferred", "not_promoted", "promoted"], promotions.Select(p => p.Outcome).Distinct().Order().ToArray());
        foreach (var p in promotions)
        {
            Assert.True(people.ContainsKey(p.EmployeeId));
            Assert.True(framework.FindLevel(p.ToLevel)!.Band > framework.FindLevel(p.FromLevel)!.Band, $"{p.Cycle} {p.EmployeeId}");
            Assert.True(p.DecidedOn <= Today && p.DecidedOn >= people[p.EmployeeId].HireDate);
        }
        foreach (var last in promotions.Where(p => p.Outcome == "promoted").GroupBy(p => p.EmployeeId).Select(g => g.MaxBy(p => p.DecidedOn)!))
        {
            Assert.Equal(people[last.EmployeeId].Level, last.ToLevel);
            Assert.Equal(people[last.EmployeeId].LevelSince, last.DecidedOn);
            // Candidacies after the promotion start from the new level.
            Assert.All(promotions.Where(p => p.EmployeeId == last.EmployeeId && p.DecidedOn > last.DecidedOn), p => Assert.Equal(last.ToLevel, p.FromLevel));
        }
        // A substantiated concern about someone promoted later: something for the audit's flags.
        Assert.Contains(concerns, c => c.Substantiated && promotions.Any(p => p.EmployeeId == c.EmployeeId && p.Outcome == "promoted" && p.DecidedOn > c.RecordedOn));

        // The printed sign-ins: one per role, each works with its password; the employee is in the manager's team.
        Assert.Equal(["admin", "hr", "committee", "manager", "employee"], seeded.SignIns.Select(s => s.Role).ToArray());
        var byRole = seeded.SignIns.ToDictionary(s => s.Role);
        Assert.Equal(byRole["manager"].EmployeeId, people[byRole["employee"].EmployeeId].ManagerId);
        var service = new AccountService(db, TimeProvider.System);
        foreach (var s in seeded.SignIns)
        {
            var check = await service.CheckSignInAsync(s.EmployeeId, s.Password);
            Assert.Null(check.Error);
            Assert.Contains(s.Role, Roles.Split(check.Account!.Roles));
        }
        var someone = people.Values.First(e => e.Status == EmployeeStatus.Active && seeded.SignIns.All(s => s.EmployeeId != e.Id));
        Assert.Null((await service.CheckSignInAsync(someone.Email, DemoSeeding.DemoPassword)).Error);
        Assert.NotNull((await service.CheckSignInAsync(someone.Id, "wrong-password")).Error);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_demo_has_an_open_cycle_in_which_the_demo_employee_is_nominated_and_told(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        var result = await SeedAsync(database, new DemoOptions(300, 42, Today));
        await using var db = database.Selection.CreateContext();
        var cycle = await db.Cycles.AsNoTracking().SingleAsync();
        Assert.Equal("2026-H2", cycle.Name);
        Assert.Equal("nominations", cycle.Phase);
        Assert.True(cycle.OpensOn <= Today && Today < cycle.ResponseDeadline && cycle.ResponseDeadline <= cycle.ClosesOn);
        Assert.Contains(result.SignIns.Single(s => s.Role == "committee").EmployeeId,
            await db.CycleCommittee.Where(m => m.CycleId == cycle.Id).Select(m => m.EmployeeId).ToListAsync());

        var employee = result.SignIns.Single(s => s.Role == "employee").EmployeeId;
        var manager = result.SignIns.Single(s => s.Role == "manager").EmployeeId;
        var nomination = await db.Nominations.AsNoTracking().SingleAsync(n => n.EmployeeId == employee);
        Assert.Equal(manager, nomination.NominatedBy);
        Assert.Null(nomination.Choice);
        // The rationale tells the truth (issue 11): written from the candidate's evidence, not stock praise.
        var fromColleagues = await db.Observations.CountAsync(o => o.SubjectId == employee && o.Relationship != "self");
        Assert.Contains(fromColleagues >= 10 ? $"From {fromColleagues} observations by colleagues" : $"has {fromColleagues} observation(s) from colleagues", nomination.Rationale);
        Assert.DoesNotContain("peers seek", nomination.Rationale);
        Assert.True(await db.Notifications.AnyAsync(n => n.EmployeeId == employee && n.Link == $"/nominations/{nomination.Id}"));
        Assert.InRange(await db.Nominations.CountAsync(), 2, 6);
    }

    /// <summary>
    /// The demo plants a results bias (the odds of promotion follow results about four times as strongly as values,
    /// DemoOrganisation.PlantPromotionHistory); a fresh default demo's own audit must find it (issue 11): results
    /// clearly drive promotion, values explain less than half of it, and the audit says so in words.
    /// </summary>
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_fresh_default_demo_shows_its_planted_results_bias_in_its_own_audit(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        var seeded = await CliRunner.RunAsync("demo", "--db", database.Value);
        Assert.True(seeded.Code == 0, seeded.Err);
        var (code, output, error) = await CliRunner.RunAsync("audit", "--db", database.Value, "--format", "json");
        Assert.True(code == 0, error);
        Assert.True(output.TrimStart().StartsWith('{'), output[..Math.Min(2000, output.Length)]);
        var audit = System.Text.Json.JsonDocument.Parse(output).RootElement;

        var drivers = audit.GetProperty("drivers");
        Assert.Equal("ok", drivers.GetProperty("status").GetString());
        var results = drivers.GetProperty("results");
        var values = drivers.GetProperty("values");
        Assert.True(results.GetProperty("ci")[0].GetDouble() > 1, $"results should clearly drive promotion: {results}");
        Assert.True(Math.Abs(results.GetProperty("beta").GetDouble()) > Math.Abs(values.GetProperty("beta").GetDouble()), $"results {results}, values {values}");
        var sayDo = audit.GetProperty("say_do_index").GetDouble();
        Assert.InRange(sayDo, 0, 0.45);
        var reading = audit.GetProperty("say_do_reading").GetString()!;
        Assert.Contains($"Values explain about {Math.Round(sayDo * 100):0}%", reading);
        Assert.Contains("results explain about", reading);

        // Flagged promotions include results-only ones: top-quartile results with a values score below the median.
        Assert.Contains(audit.GetProperty("flags").EnumerateArray(), f => f.GetProperty("reason").GetString() == "results_only");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Demo_command_fills_an_empty_database_and_refuses_one_with_employees(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        Assert.Equal(0, (await CliRunner.RunAsync("demo", "--db", database.Value, "--employees", "60", "--seed", "3")).Code);
        await using (var db = database.Selection.CreateContext())
        {
            Assert.Equal(60, await db.Employees.CountAsync());
            Assert.True(await db.Observations.AnyAsync());
        }

        // Through CliRunner, which takes turns with the other tests for the process-wide console.
        var (exit, _, error) = await CliRunner.RunAsync("demo", "--db", database.Value);
        Assert.Equal(1, exit);
        Assert.Contains("already has 60 employees", error);
        await using (var db = database.Selection.CreateContext())
            Assert.Equal(60, await db.Employees.CountAsync());

        Assert.Equal(1, (await CliRunner.RunAsync("demo", "--db", database.Value, "--employees", "5")).Code);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Demo_command_refuses_a_database_with_imported_employees(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var before = await app.WithDbAsync(db => db.Employees.CountAsync());
        Assert.Equal(1, (await CliRunner.RunAsync("demo", "--db", app.Database.Value)).Code);
        Assert.Equal(before, await app.WithDbAsync(db => db.Employees.CountAsync()));
        Assert.False(await app.WithDbAsync(db => db.Observations.AnyAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Serve_demo_seeds_an_empty_database_once_and_prints_the_sign_ins_every_time(Provider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var services = new ServiceCollection()
            .AddTrellisDb(database.Selection)
            .AddSingleton<FrameworkStore>()
            .AddSingleton(TimeProvider.System)
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<TrellisDb>().MigrateAsync();
        var serve = new ServeOptions(Demo: true, DemoEmployees: 80, DemoSeed: 5);

        async Task<string> StartAsync()
        {
            await using var scope = services.CreateAsyncScope();
            return await CliRunner.CaptureAsync(() => DemoSeeding.SeedIfEmptyAndPrintAsync(scope.ServiceProvider, serve, default));
        }

        var first = await StartAsync();
        var counts = await CountsAsync();
        Assert.Equal(80, counts.Employees);
        Assert.Contains("Seeded a demo organisation of 80 people", first);
        foreach (var role in Roles.All)
            Assert.Contains(DemoOrganisation.RolePasswords[role], first);
        Assert.Contains(DemoSeeding.DemoPassword, first);

        var second = await StartAsync();
        Assert.Equal(counts, await CountsAsync());
        Assert.DoesNotContain("Seeded", second);
        Assert.Equal(first[first.IndexOf("Demo sign-ins", StringComparison.Ordinal)..], second);

        async Task<(int Employees, int Observations, int Accounts)> CountsAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            return (await db.Employees.CountAsync(), await db.Observations.CountAsync(), await db.Accounts.CountAsync());
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Serve_demo_on_a_database_it_did_not_seed_leaves_it_alone(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var scope = app.Services.CreateScope();
        var output = await CliRunner.CaptureAsync(() => DemoSeeding.SeedIfEmptyAndPrintAsync(scope.ServiceProvider, new ServeOptions(Demo: true), default));
        Assert.Contains("no demo sign-ins", output);
        Assert.Equal(9, await app.WithDbAsync(db => db.Employees.CountAsync()));
    }
}
