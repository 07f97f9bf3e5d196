using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Cycles;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Webhooks;

namespace Trellis.Cycles;

/// <summary>
/// After the decision: new people leaders' transition plans (30/60/90-day check-ins and an anonymous upward pulse),
/// and the no-stigma move back from the people-leader track to the equal-band expert level.
/// </summary>
public sealed class Transitions(TrellisDb db, Viewer viewer, TimeProvider clock, FrameworkStore frameworks, Notifier notifier)
{
    // ---------------------------------------------------------------- transition plans

    /// <summary>Plans the viewer can open: their own, those they manage, those of their team (to answer the pulse), all for HR.</summary>
    public async Task<IReadOnlyList<TransitionPlanView>> ListAsync(CancellationToken ct = default)
    {
        var plans = await db.TransitionPlans.AsNoTracking().OrderByDescending(p => p.StartsOn).Select(p => p.Id).ToListAsync(ct);
        var result = new List<TransitionPlanView>();
        foreach (var id in plans)
            if (await GetAsync(id, ct) is { Ok: true } view) result.Add(view.Value!);
        return result;
    }

    public async Task<Outcome<TransitionPlanView>> GetAsync(int id, CancellationToken ct = default)
    {
        var plan = await db.TransitionPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return Problem.NotFound($"There is no transition plan {id}.");
        var isSelf = plan.EmployeeId == viewer.EmployeeId;
        var isManager = await viewer.ManagesAsync(plan.EmployeeId, ct);
        var isTeam = await IsOnTeamAsync(plan, ct);
        if (!isSelf && !isManager && !viewer.IsHr && !isTeam) return Problem.Forbidden($"You may not see transition plan {id}.");
        var name = await db.Employees.AsNoTracking().Where(e => e.Id == plan.EmployeeId).Select(e => e.Name).FirstOrDefaultAsync(ct) ?? plan.EmployeeId;
        var checkIns = await db.TransitionCheckIns.AsNoTracking().Where(c => c.PlanId == id).OrderBy(c => c.Day)
            .Select(c => new CheckInView(c.Day, c.DueOn, c.CompletedAt, c.CompletedBy, c.Note)).ToListAsync(ct);
        // Team members answering the pulse see neither the check-in notes nor the results.
        var insider = isSelf || isManager || viewer.IsHr;
        var pulse = insider ? await PulseSummaryAsync(id, ct) : new PulseSummary(0, 0, false, null, null, null, [], 0);
        var answered = await db.PulseParticipation.AnyAsync(p => p.PlanId == id && p.EmployeeId == viewer.EmployeeId, ct);
        return new TransitionPlanView(plan.Id, plan.EmployeeId, name, plan.ManagerId, plan.Cycle, plan.Level, plan.StartsOn,
            insider ? checkIns : checkIns.Select(c => c with { Note = null, CompletedBy = null }).ToList(), pulse,
            CanAnswerPulse: isTeam && !answered && plan.ClosedOn is null, CanCheckIn: (isSelf || isManager) && plan.ClosedOn is null)
        {
            ClosedOn = plan.ClosedOn, ClosedReason = plan.ClosedReason,
        };
    }

    public async Task<Outcome<TransitionPlanView>> CheckInAsync(int id, int day, CheckInRequest request, CancellationToken ct = default)
    {
        var plan = await db.TransitionPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return Problem.NotFound($"There is no transition plan {id}.");
        if (plan.EmployeeId != viewer.EmployeeId && !await viewer.ManagesAsync(plan.EmployeeId, ct))
            return Problem.Forbidden("Check-ins are recorded by the new leader or their manager.");
        var checkIn = await db.TransitionCheckIns.FirstOrDefaultAsync(c => c.PlanId == id && c.Day == day, ct);
        if (checkIn is null) return Problem.NotFound($"Transition plan {id} has no {day}-day check-in (use {string.Join(", ", TransitionPlans.CheckInDays)}).");
        if (request.Note is { Length: > 4000 }) return Problem.Invalid("note", "note is longer than 4,000 characters");
        checkIn.CompletedAt = clock.GetUtcNow();
        checkIn.CompletedBy = viewer.EmployeeId;
        checkIn.Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        await db.SaveChangesAsync(ct);
        return await GetAsync(id, ct);
    }

    /// <summary>One anonymous answer per member of the new leader's team (their direct reports).</summary>
    public async Task<Outcome<TransitionPlanView>> AnswerPulseAsync(int id, PulseRequest request, CancellationToken ct = default)
    {
        var plan = await db.TransitionPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return Problem.NotFound($"There is no transition plan {id}.");
        if (!await IsOnTeamAsync(plan, ct)) return Problem.Forbidden("The upward pulse is answered by the new leader's team only.");
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new[] { ("clarity", request.Clarity), ("safety", request.Safety), ("growth", request.Growth) })
            if (value is not (>= 1 and <= 5)) errors[field] = [$"{field} must be a whole number from 1 to 5"];
        if (request.Comment is { Length: > 2000 }) errors["comment"] = ["comment is longer than 2,000 characters"];
        if (errors.Count > 0) return Problem.Invalid(errors, "The pulse answer is not valid.");
        if (await db.PulseParticipation.AnyAsync(p => p.PlanId == id && p.EmployeeId == viewer.EmployeeId, ct))
            return Problem.Conflict("You have already answered this pulse.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The answer's place in the order of arrival (the summary shows whole batches in that order). Raising the plan's
        // counter first locks the plan's row, so concurrent answers wait for each other and never share a place; an
        // answer refused below rolls the counter back with it.
        await db.TransitionPlans.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.PulseAnswers, p => p.PulseAnswers + 1), ct);
        var seq = await db.TransitionPlans.Where(p => p.Id == id).Select(p => p.PulseAnswers).SingleAsync(ct);
        db.PulseParticipation.Add(new PulseParticipation { PlanId = id, EmployeeId = viewer.EmployeeId });
        db.PulseAnswers.Add(new PulseAnswer
        {
            Id = Guid.NewGuid(), PlanId = id, Clarity = request.Clarity!.Value, Safety = request.Safety!.Value, Growth = request.Growth!.Value,
            Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(), Seq = seq,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return Problem.Conflict("You have already answered this pulse."); }
        await tx.CommitAsync(ct);
        return await GetAsync(id, ct);
    }

    /// <summary>
    /// The pulse in whole batches, as anonymous feedback is released (docs/security.md): the summary covers the first
    /// <see cref="TransitionPlan.PulseReleased"/> answers in the order they arrived, and later ones wait until they make a
    /// whole batch of the threshold k. Otherwise whoever reads it after each answer could take one answer out of the
    /// averages (k·mean_k − (k−1)·mean_k−1) and see its comment appear alone. The same for the leader, their managers and
    /// HR: none of them may see a single answer. Batches once shown stay: recomputing ⌊n/k⌋·k with whatever threshold is in
    /// force now would give a new prefix after each change of the threshold (6 answers: 6 with k = 3, 4 with k = 4, 5 with
    /// k = 5, which isolates answer 5).
    /// </summary>
    private async Task<PulseSummary> PulseSummaryAsync(int planId, CancellationToken ct)
    {
        var threshold = (await frameworks.GetAsync(ct))?.Framework.Rules.AnonymityThreshold ?? 3;
        var released = await db.TransitionPlans.Where(p => p.Id == planId).Select(p => p.PulseReleased).SingleAsync(ct);
        var batches = (await db.PulseAnswers.CountAsync(a => a.PlanId == planId, ct) - released) / threshold * threshold;
        if (batches > 0)
        {
            // Only ever forward, and only from the count read: when another reader moved it meanwhile (the same batches, or
            // more after a new answer), theirs stands and is read back.
            await db.TransitionPlans.Where(p => p.Id == planId && p.PulseReleased == released)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PulseReleased, released + batches), ct);
            released = await db.TransitionPlans.Where(p => p.Id == planId).Select(p => p.PulseReleased).SingleAsync(ct);
        }
        var answers = (await db.PulseAnswers.AsNoTracking().Where(a => a.PlanId == planId).ToListAsync(ct))
            .OrderBy(a => a.Seq).ThenBy(a => a.Id).ToList();
        if (released == 0) return new PulseSummary(answers.Count, threshold, false, null, null, null, [], 0);
        var shown = answers.Take(released).ToList();
        return new PulseSummary(answers.Count, threshold, true,
            Math.Round(shown.Average(a => a.Clarity), 2), Math.Round(shown.Average(a => a.Safety), 2), Math.Round(shown.Average(a => a.Growth), 2),
            shown.Where(a => a.Comment is not null).Select(a => a.Comment!).Order(StringComparer.Ordinal).ToList(), released);
    }

    private async Task<bool> IsOnTeamAsync(TransitionPlan plan, CancellationToken ct) =>
        viewer.EmployeeId != plan.EmployeeId &&
        await db.Employees.AnyAsync(e => e.Id == viewer.EmployeeId && e.ManagerId == plan.EmployeeId && e.Status == EmployeeStatus.Active, ct);

    // ---------------------------------------------------------------- returns to the expert track

    public async Task<Outcome<TrackReturnView>> RequestReturnAsync(TrackReturnRequest request, CancellationToken ct = default)
    {
        var me = await db.Employees.AsNoTracking().FirstOrDefaultAsync(e => e.Id == viewer.EmployeeId, ct);
        if (me is null) return Problem.NotFound("Your account has no employee record.");
        var framework = await frameworks.GetAsync(ct);
        if (framework is null) return Problem.Conflict("No career framework has been imported yet.");
        var target = PromotionTargets.ReturnLevel(framework.Framework, me.Level);
        if (target is null)
            return Problem.Invalid("level", framework.Framework.TrackOf(me.Level)?.IsPeopleLeader == true
                ? $"there is no expert-track level with the band of '{me.Level}'"
                : $"you are at '{me.Level}', which is not on the people-leader track");
        if (request.Reason is { Length: > 2000 }) return Problem.Invalid("reason", "reason is longer than 2,000 characters");
        if (await db.TrackReturns.AnyAsync(r => r.EmployeeId == me.Id && r.Status == TrackReturnStatus.Requested, ct))
            return Problem.Conflict("You already have a request waiting for HR.");
        var row = new TrackReturn
        {
            EmployeeId = me.Id, FromLevel = me.Level, ToLevel = target.Key, Reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(),
            Status = TrackReturnStatus.Requested, RequestedAt = clock.GetUtcNow(),
        };
        db.TrackReturns.Add(row);
        await db.SaveChangesAsync(ct);
        return View(row, me.Name);
    }

    /// <summary>HR sees every request; anyone else their own.</summary>
    public async Task<IReadOnlyList<TrackReturnView>> ListReturnsAsync(CancellationToken ct = default)
    {
        var query = db.TrackReturns.AsNoTracking();
        if (!viewer.IsHr) query = query.Where(r => r.EmployeeId == viewer.EmployeeId);
        var rows = await query.OrderByDescending(r => r.RequestedAt)
            .Join(db.Employees, r => r.EmployeeId, e => e.Id, (r, e) => new { R = r, e.Name }).ToListAsync(ct);
        return rows.Select(x => View(x.R, x.Name)).ToList();
    }

    /// <summary>
    /// HR approves or rejects a move back to the expert track. Approval is complete in one transaction: the level and
    /// title of the expert level, the person's direct reports moved to whom HR picks (<paramref name="reportsTo"/>;
    /// default the person's own manager), an open transition plan closed — each written to the history of the people it
    /// touches. It leaves no mark on the record: same band, <c>level_since</c> kept, nothing in the promotion history.
    /// </summary>
    public async Task<Outcome<TrackReturnView>> DecideReturnAsync(int id, bool approve, string? reportsTo = null, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("HR approves moves back to the expert track.");
        var row = await db.TrackReturns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null) return Problem.NotFound($"There is no track return request {id}.");
        if (row.Status != TrackReturnStatus.Requested) return Problem.Conflict($"Request {id} is already {row.Status}.");
        var employee = await db.Employees.FirstAsync(e => e.Id == row.EmployeeId, ct);
        if (approve && employee.Level != row.FromLevel)
            return Problem.Conflict($"{employee.Id} is no longer at '{row.FromLevel}' (now '{employee.Level}'); ask them to request again.");
        var framework = await frameworks.RequireAsync(ct);
        var reports = approve ? await db.Employees.Where(e => e.ManagerId == employee.Id && e.Status == EmployeeStatus.Active).OrderBy(e => e.Id).ToListAsync(ct) : [];
        Employee? newManager = null;
        if (reports.Count > 0)
        {
            var chosen = string.IsNullOrWhiteSpace(reportsTo) ? employee.ManagerId : reportsTo.Trim();
            if (chosen is null)
                return Problem.Invalid("reports_to", $"{employee.Name} has no manager to take their {reports.Count} direct report(s): choose who takes them (reports_to)");
            newManager = await db.Employees.FirstOrDefaultAsync(e => e.Id == chosen && e.Status == EmployeeStatus.Active, ct);
            if (newManager is null) return Problem.Invalid("reports_to", $"no active employee with id '{chosen}'");
            if (chosen == employee.Id || await ReportingLine.IsManagerOfAsync(db, employee.Id, chosen, ct))
                return Problem.Invalid("reports_to", $"{newManager.Name} is {employee.Name} or in their reporting line: the reports would end up under themselves");
        }
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        row.Status = approve ? TrackReturnStatus.Approved : TrackReturnStatus.Rejected;
        row.DecidedBy = viewer.EmployeeId;
        row.DecidedAt = now;
        if (approve)
        {
            var level = framework.FindLevel(row.ToLevel)!;
            employee.Level = row.ToLevel;
            employee.Track = framework.TrackOf(row.ToLevel)!.Key;
            row.EffectiveOn = today;
            History(employee.Id, "track_return", $"moved from {framework.FindLevel(row.FromLevel)?.Name ?? row.FromLevel} ({row.FromLevel}) to {level.Name} ({level.Key}) on the expert track, same band", now);
            if (employee.Title != level.Name)
            {
                History(employee.Id, "title", $"title '{employee.Title}' → '{level.Name}'", now);
                employee.Title = level.Name;
            }
            if (newManager is not null)
            {
                row.ReportsMovedTo = newManager.Id;
                foreach (var r in reports)
                {
                    r.ManagerId = newManager.Id;
                    db.Outbox.Add(WebhookEvents.EmployeeChanged(r));
                    // Who reports to whom decides who reads whose evidence: logged like every manager change.
                    db.AuditLog.Add(People.ManagerChangeLog.Entry(now, viewer.EmployeeId, r.Id, employee.Id, newManager.Id, $"{employee.Name}'s move to the expert track, approved by {viewer.EmployeeId}"));
                    History(r.Id, "manager_changed", $"manager {employee.Name} ({employee.Id}) → {newManager.Name} ({newManager.Id}): {employee.Name} moved to the expert track", now);
                    notifier.Add(r.Id, $"You now report to {newManager.Name}", $"{employee.Name} moved to the expert track; from today you report to {newManager.Name}.", null);
                }
                History(employee.Id, "reports_moved", $"{reports.Count} direct report(s) now report to {newManager.Name} ({newManager.Id}): {string.Join(", ", reports.Select(r => r.Name))}", now);
                notifier.Add(newManager.Id, $"{reports.Count} new direct report(s)",
                    $"{employee.Name} moved to the expert track; {string.Join(", ", reports.Select(r => r.Name))} now report to you.", "/team");
            }
            foreach (var plan in await db.TransitionPlans.Where(p => p.EmployeeId == employee.Id && p.ClosedOn == null).ToListAsync(ct))
            {
                plan.ClosedOn = today;
                plan.ClosedReason = "moved back to the expert track";
                History(employee.Id, "transition_closed", $"transition plan of the {plan.Cycle} cycle ({plan.Level}) closed: moved back to the expert track", now);
            }
            db.Outbox.Add(WebhookEvents.TrackReturnApproved(row, employee.Name));
            db.Outbox.Add(WebhookEvents.EmployeeChanged(employee));
        }
        notifier.Add(row.EmployeeId, approve ? "Your move to the expert track is approved" : "Your request to move to the expert track",
            approve ? $"You are now {framework.FindLevel(row.ToLevel)?.Name} ({row.ToLevel}) on the expert track, with the same standing." +
                      (newManager is null ? "" : $" Your direct reports now report to {newManager.Name}.")
                    : "HR did not approve the move this time; talk to them about what would help.",
            "/returns");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await notifier.SendEmailsAsync(ct);
        return View(row, employee.Name);
    }

    private void History(string employeeId, string kind, string detail, DateTimeOffset at) =>
        db.EmployeeEvents.Add(new EmployeeEvent { EmployeeId = employeeId, Kind = kind, Detail = detail.Length > 2000 ? detail[..2000] : detail, By = viewer.EmployeeId, At = at });

    /// <summary>For HR's approval form: how many direct reports the person has, and who takes them by default (their manager).</summary>
    public async Task<(int Reports, PersonRef? DefaultTo)> ReportsOfAsync(string employeeId, CancellationToken ct = default)
    {
        var count = await db.Employees.CountAsync(e => e.ManagerId == employeeId && e.Status == EmployeeStatus.Active, ct);
        var manager = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId)
            .Join(db.Employees, e => e.ManagerId, m => m.Id, (e, m) => new PersonRef(m.Id, m.Name)).FirstOrDefaultAsync(ct);
        return (count, manager);
    }

    /// <summary>People who can take over a team: everyone on a people-leader track, by name.</summary>
    public async Task<IReadOnlyList<PersonRef>> LeadersAsync(CancellationToken ct = default)
    {
        var framework = await frameworks.GetAsync(ct);
        var tracks = framework?.Framework.Tracks.Where(t => t.IsPeopleLeader).Select(t => t.Key).ToList() ?? [];
        return await db.Employees.AsNoTracking().Where(e => tracks.Contains(e.Track) && e.Status == EmployeeStatus.Active)
            .OrderBy(e => e.Name).Select(e => new PersonRef(e.Id, e.Name)).ToListAsync(ct);
    }

    /// <summary>A person's history (role, line and title changes), newest first: the person, their managers and HR.</summary>
    public async Task<Outcome<IReadOnlyList<EmployeeEventView>>> HistoryAsync(string employeeId, CancellationToken ct = default)
    {
        if (employeeId != viewer.EmployeeId && !viewer.IsHr && !await viewer.ManagesAsync(employeeId, ct))
            return Problem.Forbidden($"The history of {employeeId} is for them, their managers and HR.");
        return await db.EmployeeEvents.AsNoTracking().Where(e => e.EmployeeId == employeeId).OrderByDescending(e => e.Id)
            .Select(e => new EmployeeEventView(e.Kind, e.Detail, e.By, db.Employees.Where(x => x.Id == e.By).Select(x => x.Name).FirstOrDefault(), e.At))
            .ToListAsync(ct);
    }

    private static TrackReturnView View(TrackReturn r, string name) =>
        new(r.Id, r.EmployeeId, name, r.FromLevel, r.ToLevel, r.Reason, r.Status, r.RequestedAt, r.DecidedBy, r.DecidedAt);
}
