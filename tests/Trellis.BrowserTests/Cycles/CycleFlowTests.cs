using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Trellis.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Trellis.BrowserTests.Cycles;

public sealed partial class CycleFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd");

    [GeneratedRegex(@"/nominations/(\d+)")]
    private static partial Regex NominationLink();

    [Fact]
    public async Task A_cycle_runs_from_creation_to_publication_with_candidates_choosing_their_path()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        // HR creates the cycle; it opens today, so it starts taking nominations.
        var hr = await app.SignedInPageAsync("H1");
        await hr.GotoAsync("/cycles");
        await hr.GetByLabel("Name").FillAsync("2026-H1");
        await hr.GetByLabel("Opens on").FillAsync(Iso(today));
        await hr.GetByLabel("Closes on").FillAsync(Iso(today.AddDays(60)));
        await hr.GetByLabel("Answer by").FillAsync(Iso(today.AddDays(30)));
        await hr.GetByLabel("Budget (promotions)").FillAsync("2");
        await hr.GetByRole(AriaRole.Button, new() { Name = "Create cycle" }).ClickAsync();
        await hr.WaitForURLAsync("**/cycles/2026-H1");
        await Expect(hr.GetByTestId("phase")).ToHaveTextAsync("nominations");

        // A manager nominates someone in their line by name; the list offers only the levels that person may reach.
        var manager = await app.SignedInPageAsync("M2");
        await manager.GotoAsync("/cycles/2026-H1");
        await manager.GetByLabel("Person").FillAsync("Eli");
        await Expect(manager.Locator("#nominees option[value='Eli Engineer']")).ToHaveCountAsync(1);
        await manager.GetByLabel("Person").FillAsync("Eli Engineer");
        await Expect(manager.Locator("#nominate input[name=EmployeeId]")).ToHaveValueAsync("E1");
        await Expect(manager.Locator("select[name=TargetLevel] option[value=l5]")).ToHaveJSPropertyAsync("disabled", true);
        await Expect(manager.Locator("select[name=TargetLevel] option[value=l3]")).ToHaveJSPropertyAsync("disabled", false);
        await Nominate(manager, "Eli Engineer", "l3", "Runs our design reviews and grows the juniors.");
        await Expect(Notice(manager)).ToContainTextAsync("Eli Engineer is nominated for Team lead (l3)");
        await Nominate(manager, "Ezra Engineer", "l4", "Outside my line.");
        await Expect(manager.GetByRole(AriaRole.Alert)).ToContainTextAsync("someone you may nominate");

        // HR nominates two more.
        await hr.ReloadAsync();
        await Nominate(hr, "Ezra Engineer", "l4", "The team already turns to Ezra.");
        await Nominate(hr, "Xavi Sales", "e4", "Deep product knowledge.");
        await Expect(hr.GetByRole(AriaRole.Link, new() { Name = "Xavi Sales" })).ToBeVisibleAsync();

        // Eli is told by the banner, reads what changes, reflects privately, and accepts.
        var eli = await app.SignedInPageAsync("E1");
        await eli.GotoAsync("/cycles");
        var banner = eli.Locator(".inbox-banner");
        await Expect(banner).ToContainTextAsync("You are nominated");
        await banner.GetByRole(AriaRole.Link).First.ClickAsync();
        await eli.WaitForURLAsync(NominationLink());
        var eliNomination = eli.Url;
        await Expect(eli.Locator("table.scope-compare")).ToContainTextAsync("Equal band, other track");
        await Expect(eli.Locator("table.scope-compare")).ToContainTextAsync("2–6");
        const string secret = "I worry I will stop writing code entirely";
        await Expect(eli.GetByTestId("deadline-box")).ToContainTextAsync("days left");
        // Notes typed and then an answer clicked, without "Save my notes": after a reload both are there.
        await eli.GetByLabel("What are you most afraid will change?").FillAsync(secret);
        await Choose(eli, "Accept Team lead (l3)");
        await eli.ReloadAsync();
        await Expect(eli.GetByLabel("What are you most afraid will change?")).ToHaveValueAsync(secret);
        await Expect(eli.GetByTestId("current-choice")).ToContainTextAsync("accept");
        await Expect(eli.GetByTestId("notes-saved")).ToBeVisibleAsync();
        // Eli asks their manager for a conversation first; it lands in Milo's inbox.
        await eli.GetByLabel("With", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Milo Manager" });
        await eli.GetByLabel("Message (optional)").FillAsync("Can we talk about the team first?");
        await SubmitAsync(eli, "Ask for a conversation");
        await Expect(eli.GetByTestId("conversations")).ToContainTextAsync("Milo Manager");
        await manager.GotoAsync("/inbox");
        await Expect(manager.Locator("main")).ToContainTextAsync("Eli Engineer asks to talk with you");
        await Expect(eli.GetByLabel("What are you most afraid will change?")).ToHaveValueAsync(secret);

        // Ezra takes the expert-track level instead; Xavi declines.
        var ezra = await app.SignedInPageAsync("E3");
        await ezra.GotoAsync("/inbox");
        await ezra.GetByRole(AriaRole.Link, new() { Name = "You are nominated" }).First.ClickAsync();
        await Choose(ezra, "Take the expert-track level instead");
        await Expect(ezra.GetByTestId("current-choice")).ToContainTextAsync("expert track");
        var xavi = await app.SignedInPageAsync("X1");
        await xavi.GotoAsync("/inbox");
        await xavi.GetByRole(AriaRole.Link, new() { Name = "You are nominated" }).First.ClickAsync();
        var xaviNomination = xavi.Url;
        await Choose(xavi, "Decline", "I love the work I do now.");
        await Expect(xavi.GetByTestId("current-choice")).ToContainTextAsync("decline");

        // HR moves the cycle to calibration; a manager outside the committee cannot open the board.
        await hr.ReloadAsync();
        await hr.GetByRole(AriaRole.Button, new() { Name = "Move to calibration" }).ClickAsync();
        await Expect(hr.GetByTestId("phase")).ToHaveTextAsync("calibration");
        await manager.GotoAsync("/cycles/2026-H1/board");
        await Expect(manager.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not allowed");

        // The committee sees the three candidates side by side with their answers, and decides.
        var committee = await app.SignedInPageAsync("C1");
        await committee.GotoAsync("/cycles/2026-H1/board");
        await Expect(committee.Locator("table.board tbody tr")).ToHaveCountAsync(3);
        await Expect(committee.Locator("svg[role=img]")).ToBeVisibleAsync();
        await Expect(committee.Locator("tr[data-employee=X1]")).ToContainTextAsync("decline");
        await Expect(committee.GetByTestId("budget")).ToContainTextAsync("budget used 0 of 2");

        await committee.GetByRole(AriaRole.Link, new() { Name = "Eli Engineer" }).ClickAsync();
        await Expect(committee.GetByTestId("answer")).ToContainTextAsync("accept");
        await Expect(committee.Locator("main")).Not.ToContainTextAsync(secret);
        await committee.GetByLabel("Promoted to Team lead (l3)").CheckAsync();
        await committee.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await Expect(committee.GetByRole(AriaRole.Alert)).ToContainTextAsync("rationale is required");
        await committee.GetByLabel("Promoted to Team lead (l3)").CheckAsync();
        await committee.GetByLabel("Rationale (the candidate will read it)").FillAsync("Strong, consistent evidence of growing others.");
        await committee.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await Expect(committee.GetByTestId("decision")).ToContainTextAsync("promoted");

        await committee.GotoAsync("/cycles/2026-H1/board");
        await committee.GetByRole(AriaRole.Link, new() { Name = "Ezra Engineer" }).ClickAsync();
        await committee.GetByLabel("Promoted to Manager (l4)").CheckAsync();
        await committee.GetByLabel("Rationale (the candidate will read it)").FillAsync("Recognised expert; their choice of the expert track stands.");
        await committee.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).ClickAsync();
        await Expect(committee.GetByTestId("decision")).ToContainTextAsync("promoted");
        await committee.GotoAsync("/cycles/2026-H1/board");
        await Expect(committee.GetByTestId("budget")).ToContainTextAsync("budget used 2 of 2");

        // HR sees what publishing would do first, and needs a reason to publish before the answer deadline.
        await hr.ReloadAsync();
        await Expect(hr.GetByTestId("publication")).ToContainTextAsync("2 promoted");
        await Expect(hr.GetByTestId("publication")).ToContainTextAsync("1 declined");
        await Expect(hr.GetByTestId("publish-budget")).ToContainTextAsync("2 promotions against a budget of 2");
        await hr.GetByLabel("Reason for publishing anyway").FillAsync("Every candidate has answered.");
        await hr.GetByLabel("I have checked the counts above").CheckAsync();
        await hr.GetByRole(AriaRole.Button, new() { Name = "Publish decisions" }).ClickAsync();
        await Expect(hr.GetByTestId("phase")).ToHaveTextAsync("published");

        // Each candidate sees their own outcome and the rationale; the manager sees their report's.
        await eli.GotoAsync(eliNomination);
        await Expect(eli.GetByTestId("outcome")).ToContainTextAsync("You are promoted to Team lead (l3)");
        await Expect(eli.GetByTestId("outcome")).ToContainTextAsync("growing others");
        // After publication the page says what was decided, never the old offer and its deadline.
        await Expect(eli.Locator("main")).Not.ToContainTextAsync("This is an offer");
        await Expect(eli.Locator("main")).Not.ToContainTextAsync("answer by");
        await eli.GotoAsync("/");
        await Expect(eli.GetByTestId("my-nomination")).ToContainTextAsync("growing others");
        await eli.GotoAsync(eliNomination);
        await Expect(eli.Locator("main")).ToContainTextAsync(secret);
        await ezra.ReloadAsync();
        await Expect(ezra.GetByTestId("outcome")).ToContainTextAsync("promoted to Staff (e4)");
        await xavi.GotoAsync(xaviNomination);
        await Expect(xavi.GetByTestId("outcome")).ToContainTextAsync("declined");
        await manager.GotoAsync(eliNomination);
        await Expect(manager.GetByTestId("outcome")).ToContainTextAsync("Eli Engineer is promoted to Team lead (l3)");
        await Expect(manager.Locator("main")).Not.ToContainTextAsync(secret);
        await hr.GotoAsync(eliNomination);
        await Expect(hr.Locator("main")).Not.ToContainTextAsync(secret);

        // Eli, now a people leader, has a transition plan with check-ins at 30, 60 and 90 days.
        await eli.GotoAsync("/transitions");
        await eli.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "Eli Engineer" }).ClickAsync();
        await Expect(eli.Locator("main table tbody tr")).ToHaveCountAsync(3);
        // Xavi is not a colleague of Eli's plan: not allowed.
        await xavi.GotoAsync(eli.Url);
        await Expect(xavi.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not allowed");
    }

    /// <summary>The confirmation of the last action (the inbox banner is a status too).</summary>
    private static ILocator Notice(IPage page) => page.Locator("p.ok[role=status]");

    private static async Task Nominate(IPage page, string person, string target, string rationale)
    {
        await page.GetByLabel("Person").FillAsync(person);
        await page.GetByLabel("Target level").SelectOptionAsync(target);
        await page.GetByLabel("Rationale").FillAsync(rationale);
        // Wait for the answer page: the next step must not type into the page that is being replaced.
        await SubmitAsync(page, "Nominate");
    }

    /// <summary>Clicks a submit button and waits until the answer page has replaced this one.</summary>
    private static async Task SubmitAsync(IPage page, string button)
    {
        await page.EvaluateAsync("() => { window.__submitted = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.__submitted === undefined");
        await page.WaitForLoadStateAsync();
    }

    private static async Task Choose(IPage page, string label, string? note = null)
    {
        await page.GetByLabel(label).CheckAsync();
        if (note is not null) await page.GetByLabel("Note for the committee (optional)").FillAsync(note);
        await SubmitAsync(page, "Send my answer");
    }
}
