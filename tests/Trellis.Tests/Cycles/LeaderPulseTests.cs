using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Cycles;
using Trellis.Data;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

/// <summary>Issue 11: the new leader's team is invited at 30/60/90 days; the scale is labelled with nothing preselected; below the threshold the leader sees "n of 3 needed".</summary>
public sealed class LeaderPulseTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_team_is_invited_once_per_milestone_and_the_page_labels_the_scale(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "M2", "E1", "E2", "X1");
        // M2 became a people leader 31 days ago; E1 and E2 report to them.
        var planId = await app.WithDbAsync(async db =>
        {
            var starts = Today.AddDays(-31);
            var plan = new TransitionPlan { EmployeeId = "M2", ManagerId = "M1", Cycle = "c0", Level = "l3", StartsOn = starts };
            db.TransitionPlans.Add(plan);
            await db.SaveChangesAsync();
            foreach (var day in new[] { 30, 60, 90 }) db.TransitionCheckIns.Add(new TransitionCheckIn { PlanId = plan.Id, Day = day, DueOn = starts.AddDays(day) });
            await db.SaveChangesAsync();
            return plan.Id;
        });
        async Task<int> SendAsync()
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<PulseInvites>().SendDueAsync();
        }
        async Task<List<Notification>> InvitesAsync() =>
            await app.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => n.Link == $"/transitions/{planId}").OrderBy(n => n.EmployeeId).ToListAsync());

        // Sent at most once per milestone (the server's hourly schedule may already have sent the 30-day one).
        await SendAsync();
        Assert.Equal(0, await SendAsync());
        var invites = await InvitesAsync();
        Assert.Equal(["E1", "E2"], invites.Select(n => n.EmployeeId));
        Assert.All(invites, n => Assert.Equal("How is Milo Manager doing as your new manager? (30 days)", n.Title));

        // E1 answers; at 60 days only E2 is invited again.
        await app.WithDbAsync(async db =>
        {
            db.PulseParticipation.Add(new PulseParticipation { PlanId = planId, EmployeeId = "E1" });
            db.PulseAnswers.Add(new PulseAnswer { Id = Guid.NewGuid(), PlanId = planId, Clarity = 4, Safety = 4, Growth = 3 });
            (await db.TransitionCheckIns.SingleAsync(x => x.PlanId == planId && x.Day == 60)).DueOn = Today;
            await db.SaveChangesAsync();
        });
        Assert.Equal(1, await SendAsync());
        Assert.Equal(["E1", "E2", "E2"], (await InvitesAsync()).Select(n => n.EmployeeId));

        // The form: a labelled 1–5 scale, no answer preselected.
        var form = System.Net.WebUtility.HtmlDecode(await c["E2"].GetStringAsync($"/transitions/{planId}"));
        Assert.Contains("1 = strongly disagree", form);
        Assert.Contains("5 — strongly agree", form);
        Assert.DoesNotContain("checked", form);
        Assert.DoesNotContain("<option value=\"1\">", form);
        // Below the threshold the leader sees how many answered and how many are needed.
        Assert.Contains("1 of 3 needed", await c["M2"].GetStringAsync($"/transitions/{planId}"));
        await AssertStatusAsync(HttpStatusCode.Forbidden, await c["X1"].GetAsync($"/api/v1/transitions/{planId}"));
    }
}
