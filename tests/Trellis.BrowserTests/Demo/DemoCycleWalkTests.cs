using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Demo;
using Trellis.Framework;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Demo;

/// <summary>The default demo organisation (300 people, seed 42, today) behind a real server, with its sign-ins.</summary>
public sealed class DemoBrowserApp : BrowserApp
{
    public DemoSeedResult Demo { get; private set; } = null!;

    public DemoBrowserApp()
    {
        Seed = async services =>
        {
            Demo = await DemoSeeding.SeedAsync(services.GetRequiredService<TrellisDb>(), services.GetRequiredService<FrameworkStore>(),
                TimeProvider.System, new DemoOptions(), progress: null, default);
        };
    }

    public DemoSignIn SignIn(string role) => Demo.SignIns.Single(s => s.Role == role);

    public Task<IPage> PageForAsync(string role) => SignedInPageAsync(SignIn(role).EmployeeId, SignIn(role).Password);
}

/// <summary>
/// Issue 11, "words, not codes": a whole demo cycle walked in every demo role — the manager nominates by name, the
/// candidate answers, HR moves to calibration, the committee decides, HR publishes, everyone sees the outcome — and
/// no page a person reads on the way shows a raw key (level keys alone, behaviour keys, snake_case statuses,
/// observation ids). Screenshots of every page go to trellis-demo-walk/ in the temp folder.
/// </summary>
public sealed partial class DemoCycleWalkTests(DemoBrowserApp app) : IClassFixture<DemoBrowserApp>
{
    private static readonly string ShotDir = Path.Combine(Path.GetTempPath(), "trellis-demo-walk");
    private readonly List<string> _problems = [];
    private int _shot;

    [GeneratedRegex(@"\b[a-z]+(?:_[a-z]+)+\b")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex Parenthesised();

    [GeneratedRegex(@"\b[el][1-9]\b")]
    private static partial Regex LevelKey();

    [GeneratedRegex(@"\bO\d{8}\b")]
    private static partial Regex ObservationId();

    [GeneratedRegex(@"/nominations/(\d+)")]
    private static partial Regex NominationLink();

    /// <summary>Screenshots the page and records every raw code a person would read in its main content.</summary>
    private async Task Look(IPage page, string role, string what)
    {
        Directory.CreateDirectory(ShotDir);
        await page.WaitForLoadStateAsync();
        var file = Path.Combine(ShotDir, $"{++_shot:D2}-{role}-{what}.png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        // Keys shown as code next to their name (the framework editor's "asks-why" under "Asks why before acting") are secondary text.
        var text = await page.EvaluateAsync<string>("() => { const m = document.querySelector('main').cloneNode(true); m.querySelectorAll('code.key').forEach(c => c.remove()); document.body.appendChild(m); const t = m.innerText; m.remove(); return t; }");
        var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
        var found = new List<string>();
        found.AddRange(SnakeCase().Matches(text).Select(m => m.Value));
        found.AddRange(framework.Behaviors.Where(b => text.Contains(b.Key, StringComparison.Ordinal)).Select(b => b.Key));
        // A level key is fine as secondary text after its name, "Team lead (l3)"; alone it is a code.
        found.AddRange(LevelKey().Matches(Parenthesised().Replace(text, "")).Select(m => m.Value));
        found.AddRange(ObservationId().Matches(text).Select(m => m.Value));
        foreach (var code in found.Distinct())
        {
            var at = text.IndexOf(code, StringComparison.Ordinal);
            var context = text.Substring(Math.Max(0, at - 60), Math.Min(text.Length - Math.Max(0, at - 60), code.Length + 120)).ReplaceLineEndings(" ");
            _problems.Add($"{role} {what} ({page.Url}): '{code}' in “…{context}…”");
        }
        File.WriteAllLines(Path.Combine(ShotDir, "problems.txt"), _problems);
    }

    [Fact]
    public async Task A_whole_demo_cycle_in_every_role_shows_names_not_codes()
    {
        string cycle;
        string candidateNomination;
        (string Id, string Name, string Level) nominee;
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            cycle = (await db.Cycles.AsNoTracking().SingleAsync()).Name;
            var employee = app.SignIn("employee").EmployeeId;
            candidateNomination = $"/nominations/{(await db.Nominations.AsNoTracking().SingleAsync(n => n.EmployeeId == employee)).Id}";
            var managerId = app.SignIn("manager").EmployeeId;
            var nominated = await db.Nominations.Select(n => n.EmployeeId).ToListAsync();
            var report = await db.Employees.AsNoTracking()
                .Where(e => e.ManagerId == managerId && e.Status == "active" && !nominated.Contains(e.Id) && e.Level != "e1")
                .OrderBy(e => e.Id).FirstAsync();
            nominee = (report.Id, report.Name, report.Level);
        }

        // The manager: home, then nominates someone of their team by name (in the nomination form: the suggestions
        // below it have a hidden EmployeeId per row too).
        var manager = await app.PageForAsync("manager");
        await manager.GotoAsync("/");
        await Look(manager, "manager", "home");
        await manager.GotoAsync($"/cycles/{cycle}");
        await Look(manager, "manager", "cycle");
        await manager.GetByLabel("Person").FillAsync(nominee.Name);
        await Expect(manager.Locator("#nominate input[name=EmployeeId]")).ToHaveValueAsync(nominee.Id);
        var target = await manager.EvaluateAsync<string>("() => [...document.querySelectorAll('select[name=TargetLevel] option')].find(o => o.value && !o.disabled).value");
        await manager.GetByLabel("Target level").SelectOptionAsync(target);
        await manager.GetByLabel("Rationale").FillAsync("Runs the team's design reviews and explains the trade-offs to newcomers.");
        await manager.Locator("#nominate").GetByRole(AriaRole.Button, new() { Name = "Nominate", Exact = true }).ClickAsync();
        await Expect(manager.Locator("p.ok[role=status]")).ToContainTextAsync($"{nominee.Name} is nominated");
        await Look(manager, "manager", "nominated");
        await manager.GotoAsync($"/growth/{nominee.Id}");
        await Look(manager, "manager", "report-growth");

        // The candidate: inbox, their nomination, notes and an answer.
        var candidate = await app.PageForAsync("employee");
        await candidate.GotoAsync("/");
        await Look(candidate, "employee", "home");
        await candidate.GotoAsync("/inbox");
        await Look(candidate, "employee", "inbox");
        await candidate.GotoAsync(candidateNomination);
        await Look(candidate, "employee", "nomination");
        await candidate.GetByLabel("What are you most afraid will change?").FillAsync("Less time for deep work.");
        await candidate.Locator("input[name=Choice][value=accept]").CheckAsync();
        await candidate.GetByRole(AriaRole.Button, new() { Name = "Send my answer", Exact = true }).ClickAsync();
        await Expect(candidate.GetByTestId("current-choice")).ToContainTextAsync("accept");
        await Look(candidate, "employee", "answered");
        await candidate.GotoAsync("/growth");
        await Look(candidate, "employee", "growth");

        // HR moves the cycle to calibration.
        var hr = await app.PageForAsync("hr");
        await hr.GotoAsync("/");
        await Look(hr, "hr", "home");
        await hr.GotoAsync($"/cycles/{cycle}");
        await hr.GetByRole(AriaRole.Button, new() { Name = "Move to calibration" }).ClickAsync();
        await Expect(hr.GetByTestId("phase")).ToHaveTextAsync("calibration");
        await Look(hr, "hr", "cycle-calibration");

        // The committee decides every candidate: the demo employee promoted, everyone else not yet.
        var committee = await app.PageForAsync("committee");
        await committee.GotoAsync("/");
        await Look(committee, "committee", "home");
        await committee.GotoAsync($"/cycles/{cycle}/board");
        await Look(committee, "committee", "board");
        var reviews = await committee.Locator("table.board tbody tr a[href*='/board/']").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(reviews);
        var looked = false;
        foreach (var review in reviews.Distinct())
        {
            await committee.GotoAsync(review);
            if (!looked) { await Look(committee, "committee", "review"); looked = true; }
            var isCandidate = await committee.GetByTestId("answer").CountAsync() > 0 && (await committee.Locator("main").InnerTextAsync()).Contains(app.SignIn("employee").Name, StringComparison.Ordinal);
            if (await committee.Locator("input[name=Outcome]").CountAsync() == 0) continue;
            await committee.Locator($"input[name=Outcome][value={(isCandidate ? "promoted" : "not_yet")}]").CheckAsync();
            await committee.GetByLabel("Rationale (the candidate will read it)").FillAsync(isCandidate
                ? "Colleagues' ratings meet the level on most behaviours, and the answer is yes."
                : "Not yet: the evidence is thin on several of the level's behaviours; let's plan the next step together.");
            await committee.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
            await Expect(committee.GetByTestId("decision")).ToBeVisibleAsync();
        }
        await committee.GotoAsync($"/cycles/{cycle}/board");
        await Look(committee, "committee", "board-decided");

        // HR publishes (before the answer deadline, so with a reason), after reading the counts.
        await hr.GotoAsync($"/cycles/{cycle}");
        await Look(hr, "hr", "cycle-before-publish");
        await hr.GetByLabel("Reason for publishing anyway").FillAsync("Every candidate has been decided; the demo walk.");
        await hr.GetByLabel("I have checked the counts above").CheckAsync();
        await hr.GetByRole(AriaRole.Button, new() { Name = "Publish decisions" }).ClickAsync();
        await Expect(hr.GetByTestId("phase")).ToHaveTextAsync("published");
        await Look(hr, "hr", "cycle-published");

        // Everyone sees the outcome.
        await candidate.GotoAsync(candidateNomination);
        await Expect(candidate.GetByTestId("outcome")).ToContainTextAsync("You are promoted");
        await Look(candidate, "employee", "outcome");
        await candidate.GotoAsync("/");
        await Look(candidate, "employee", "home-after");
        await manager.GotoAsync(candidateNomination);
        await Look(manager, "manager", "report-outcome");
        await manager.GotoAsync("/inbox");
        await Look(manager, "manager", "inbox-after");
        await manager.GotoAsync("/team");
        await Look(manager, "manager", "team");
        await candidate.GotoAsync($"/growth/{app.SignIn("employee").EmployeeId}/evidence/{FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!.Behaviors.First().Key}");
        await Look(candidate, "employee", "evidence");

        var admin = await app.PageForAsync("admin");
        await admin.GotoAsync("/");
        await Look(admin, "admin", "home");
        await admin.GotoAsync("/audit");
        await Look(admin, "admin", "audit");
        await hr.GotoAsync("/audit");
        await Look(hr, "hr", "audit");
        await hr.GotoAsync("/framework");
        await Look(hr, "hr", "framework");

        File.WriteAllLines(Path.Combine(ShotDir, "problems.txt"), _problems);
        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
    }
}
