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
        var pulse = insider ? await PulseSummaryAsync(id, ct) : new PulseSummary(0, 0, false, null, null, null, []);
        var answered = await db.PulseParticipation.AnyAsync(p => p.PlanId == id && p.EmployeeId == viewer.EmployeeId, ct);
        return new TransitionPlanView(plan.Id, plan.EmployeeId, name, plan.ManagerId, plan.Cycle, plan.Level, plan.StartsOn,
            insider ? checkIns : checkIns.Select(c => c with { Note = null, CompletedBy = null }).ToList(), pulse,
            CanAnswerPulse: isTeam && !answered, CanCheckIn: isSelf || isManager);
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
        db.PulseParticipation.Add(new PulseParticipation { PlanId = id, EmployeeId = viewer.EmployeeId });
        db.PulseAnswers.Add(new PulseAnswer
        {
            Id = Guid.NewGuid(), PlanId = id, Clarity = request.Clarity!.Value, Safety = request.Safety!.Value, Growth = request.Growth!.Value,
            Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(),
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return Problem.Conflict("You have already answered this pulse."); }
        await tx.CommitAsync(ct);
        return await GetAsync(id, ct);
    }

    private async Task<PulseSummary> PulseSummaryAsync(int planId, CancellationToken ct)
    {
        var threshold = (await frameworks.GetAsync(ct))?.Framework.Rules.AnonymityThreshold ?? 3;
        var answers = await db.PulseAnswers.AsNoTracking().Where(a => a.PlanId == planId).ToListAsync(ct);
        if (answers.Count < threshold) return new PulseSummary(answers.Count, threshold, false, null, null, null, []);
        return new PulseSummary(answers.Count, threshold, true,
            Math.Round(answers.Average(a => a.Clarity), 2), Math.Round(answers.Average(a => a.Safety), 2), Math.Round(answers.Average(a => a.Growth), 2),
            answers.Where(a => a.Comment is not null).Select(a => a.Comment!).Order(StringComparer.Ordinal).ToList());
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

    public async Task<Outcome<TrackReturnView>> DecideReturnAsync(int id, bool approve, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("HR approves moves back to the expert track.");
        var row = await db.TrackReturns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null) return Problem.NotFound($"There is no track return request {id}.");
        if (row.Status != TrackReturnStatus.Requested) return Problem.Conflict($"Request {id} is already {row.Status}.");
        var employee = await db.Employees.FirstAsync(e => e.Id == row.EmployeeId, ct);
        if (approve && employee.Level != row.FromLevel)
            return Problem.Conflict($"{employee.Id} is no longer at '{row.FromLevel}' (now '{employee.Level}'); ask them to request again.");
        var framework = await frameworks.RequireAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        row.Status = approve ? TrackReturnStatus.Approved : TrackReturnStatus.Rejected;
        row.DecidedBy = viewer.EmployeeId;
        row.DecidedAt = clock.GetUtcNow();
        if (approve)
        {
            // No mark on the record: same band, level_since kept, nothing written to the promotion history.
            employee.Level = row.ToLevel;
            employee.Track = framework.TrackOf(row.ToLevel)!.Key;
            row.EffectiveOn = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            db.Outbox.Add(WebhookEvents.TrackReturnApproved(row, employee.Name));
            db.Outbox.Add(WebhookEvents.EmployeeChanged(employee));
        }
        notifier.Add(row.EmployeeId, approve ? "Your move to the expert track is approved" : "Your request to move to the expert track",
            approve ? $"You are now at {row.ToLevel} on the expert track, with the same standing." : "HR did not approve the move this time; talk to them about what would help.",
            "/returns");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await notifier.SendEmailsAsync(ct);
        return View(row, employee.Name);
    }

    private static TrackReturnView View(TrackReturn r, string name) =>
        new(r.Id, r.EmployeeId, name, r.FromLevel, r.ToLevel, r.Reason, r.Status, r.RequestedAt, r.DecidedBy, r.DecidedAt);
}
