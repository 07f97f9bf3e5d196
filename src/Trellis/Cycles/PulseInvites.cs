using Microsoft.EntityFrameworkCore;
using Trellis.Data;

namespace Trellis.Cycles;

/// <summary>
/// Invites a new leader's team to the anonymous pulse at 30, 60 and 90 days (inbox and email). Each milestone is sent
/// once (<see cref="TransitionCheckIn.PulseInvitedAt"/>), to the team members who have not answered yet; a closed plan
/// (the leader moved back to the expert track) invites nobody.
/// </summary>
public sealed class PulseInvites(TrellisDb db, TimeProvider clock, Notifier notifier)
{
    /// <summary>Sends every invitation due today or earlier; returns how many people were invited.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var due = await db.TransitionCheckIns.Where(c => c.DueOn <= today && c.PulseInvitedAt == null)
            .Join(db.TransitionPlans.Where(p => p.ClosedOn == null), c => c.PlanId, p => p.Id, (c, p) => new { CheckIn = c, Plan = p })
            .OrderBy(x => x.Plan.Id).ThenBy(x => x.CheckIn.Day).ToListAsync(ct);
        var invited = 0;
        foreach (var plan in due.GroupBy(x => x.Plan.Id))
        {
            var p = plan.First().Plan;
            var leader = await db.Employees.AsNoTracking().Where(e => e.Id == p.EmployeeId).Select(e => e.Name).FirstOrDefaultAsync(ct) ?? p.EmployeeId;
            var answered = await db.PulseParticipation.Where(x => x.PlanId == p.Id).Select(x => x.EmployeeId).ToListAsync(ct);
            var team = await db.Employees.AsNoTracking().Where(e => e.ManagerId == p.EmployeeId && e.Status == EmployeeStatus.Active && !answered.Contains(e.Id))
                .Select(e => e.Id).ToListAsync(ct);
            // Several milestones may be due at once (the server was down): one invitation, for the latest.
            var day = plan.Max(x => x.CheckIn.Day);
            foreach (var member in team)
                notifier.Add(member, $"How is {leader} doing as your new manager? ({day} days)",
                    $"{leader} became a people leader {day} days ago. Three questions, answered anonymously: your name is not stored with your answer, " +
                    "and results are shown only once enough of the team has answered.", $"/transitions/{p.Id}");
            invited += team.Count;
            foreach (var x in plan) x.CheckIn.PulseInvitedAt = clock.GetUtcNow();
        }
        await db.SaveChangesAsync(ct);
        await notifier.SendEmailsAsync(ct);
        return invited;
    }
}

/// <summary>Sends due pulse invitations at start and then every hour, for as long as the server runs.</summary>
internal sealed partial class PulseInviteSchedule(IServiceScopeFactory scopes, ILogger<PulseInviteSchedule> log, TimeProvider clock) : BackgroundService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Invited {Count} people to a new leader's pulse")]
    private static partial void Invited(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send pulse invitations")]
    private static partial void InviteFailed(ILogger logger, Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                using var scope = scopes.CreateScope();
                var sent = await scope.ServiceProvider.GetRequiredService<PulseInvites>().SendDueAsync(stoppingToken);
                if (sent > 0) Invited(log, sent);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; nothing is marked sent unless it was committed.
                InviteFailed(log, e);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
