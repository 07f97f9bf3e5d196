using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Cycles;
using Trellis.Data;

namespace Trellis.Home;

/// <summary>One thing waiting for the signed-in person, with where to do it.</summary>
public sealed record TodoItem(string Text, string Link, DateOnly? Due = null);

/// <summary>
/// The home page's to-do list, per role: answers due (candidates), decisions pending (committee), feedback requested
/// of you, check-ins due (new leaders and their managers), pulses to answer (their teams), returns to approve (HR).
/// Counts and links only: each item opens the page where it is done, which checks access again.
/// </summary>
public sealed class TodoList(TrellisDb db, Viewer viewer, TimeProvider clock)
{
    public async Task<IReadOnlyList<TodoItem>> ForViewerAsync(CancellationToken ct = default)
    {
        var me = viewer.EmployeeId;
        if (string.IsNullOrEmpty(me)) return [];
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var items = new List<TodoItem>();

        // Answers due: my open nominations without an answer.
        var answers = await db.Nominations.AsNoTracking().Where(n => n.EmployeeId == me && n.Choice == null)
            .Join(db.Cycles.Where(c => c.Phase != CyclePhases.Published && c.ResponseDeadline >= today), n => n.CycleId, c => c.Id,
                (n, c) => new { n.Id, c.Name, c.ResponseDeadline }).ToListAsync(ct);
        items.AddRange(answers.Select(a => new TodoItem($"Answer your nomination in {a.Name}", $"/nominations/{a.Id}", a.ResponseDeadline)));

        // Decisions pending: cycles in calibration where I sit on the committee (my own candidacy is not mine to decide).
        var cycles = await db.CycleCommittee.AsNoTracking().Where(m => m.EmployeeId == me)
            .Join(db.Cycles.Where(c => c.Phase == CyclePhases.Calibration), m => m.CycleId, c => c.Id, (m, c) => new { c.Id, c.Name }).ToListAsync(ct);
        foreach (var c in cycles)
        {
            var pending = await db.Nominations.CountAsync(n => n.CycleId == c.Id && n.Decision == null && n.EmployeeId != me
                && n.Choice != CandidateChoices.Decline && n.Choice != CandidateChoices.Defer, ct);
            if (pending > 0) items.Add(new TodoItem($"{pending} decision(s) pending in {c.Name}", $"/cycles/{Uri.EscapeDataString(c.Name)}/board?decision=none"));
        }

        // Feedback requested of me.
        var requests = await db.FeedbackRequestRaters.AsNoTracking().Where(r => r.RaterId == me && r.AnsweredAt == null)
            .Join(db.FeedbackRequests.Where(f => f.WithdrawnAt == null), r => r.RequestId, f => f.Id, (r, f) => f.SubjectId).CountAsync(ct);
        if (requests > 0) items.Add(new TodoItem($"{requests} feedback request(s) waiting for you", "/feedback/inbox"));

        // Check-ins due within a week, for the new leader and their manager; pulses my new manager's plan invites me to.
        var open = db.TransitionPlans.AsNoTracking().Where(p => p.ClosedOn == null);
        var checkIns = await db.TransitionCheckIns.AsNoTracking().Where(c => c.CompletedAt == null && c.DueOn <= today.AddDays(7))
            .Join(open.Where(p => p.EmployeeId == me || p.ManagerId == me), c => c.PlanId, p => p.Id, (c, p) => new { p.Id, c.Day, c.DueOn, p.EmployeeId })
            .ToListAsync(ct);
        items.AddRange(checkIns.Select(c => new TodoItem($"{c.Day}-day check-in{(c.EmployeeId == me ? "" : " with your new leader")}", $"/transitions/{c.Id}", c.DueOn)));
        var myManager = await db.Employees.AsNoTracking().Where(e => e.Id == me).Select(e => e.ManagerId).FirstOrDefaultAsync(ct);
        if (myManager is not null)
        {
            var pulses = await open.Where(p => p.EmployeeId == myManager
                    && db.TransitionCheckIns.Any(c => c.PlanId == p.Id && c.PulseInvitedAt != null)
                    && !db.PulseParticipation.Any(x => x.PlanId == p.Id && x.EmployeeId == me))
                .Select(p => p.Id).ToListAsync(ct);
            items.AddRange(pulses.Select(id => new TodoItem("Answer the anonymous pulse about your new manager", $"/transitions/{id}")));
        }

        // HR: moves back to the expert track waiting for approval.
        if (viewer.IsHr)
        {
            var returns = await db.TrackReturns.CountAsync(r => r.Status == TrackReturnStatus.Requested, ct);
            if (returns > 0) items.Add(new TodoItem($"{returns} move(s) to the expert track to approve", "/returns"));
        }
        return items.OrderBy(i => i.Due ?? DateOnly.MaxValue).ToList();
    }
}
