using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Evidence;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Growth;

/// <summary>
/// Development plans: 1–3 behaviours with practice actions, watched through a feedback request, followed by the readiness
/// estimate over time. Seen by the person, their managers up the line and HR only: not the committee (a plan is for
/// growing, not for judging) and not the admin role (see <see cref="Viewer.HasLineAccess"/>).
/// </summary>
public sealed class DevelopmentPlanService(
    TrellisDb db, Viewer viewer, SensitiveReads reads, FrameworkStore frameworks, ReadinessService readiness, FeedbackRequestService feedback, TimeProvider clock,
    People.OrgSnapshots orgs)
{
    public const int MaxBehaviors = 3;
    public const int MaxActions = 30;
    public const int MaxTextLength = 1000;
    /// <summary>How long before the plan's start an action may be due (practice agreed just before the plan was written down), in days.</summary>
    public const int DueBeforeStartDays = 31;
    /// <summary>How far ahead of today an action may be due, in years: a plan is practice for the coming months, not a decade.</summary>
    public const int DueYearsAhead = 3;
    /// <summary>How far before the start the series goes back, in months.</summary>
    public const int MonthsBefore = 6;

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The person, a manager above them, or HR.</summary>
    public async Task<bool> MaySeeAsync(string employeeId, CancellationToken ct = default) =>
        employeeId == viewer.EmployeeId || viewer.IsHr || await viewer.ManagesAsync(employeeId, ct);

    private const string OutOfScope = "Development plans are seen only by the person, their managers and HR.";

    public async Task<Outcome<PlanView>> CreateAsync(CreatePlanRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var employeeId = request.EmployeeId?.Trim();
        if (string.IsNullOrEmpty(employeeId))
        {
            errors.Add("employee_id", "Choose whose plan this is.");
            return errors.ToProblem("The plan was not started.");
        }
        if (!await MaySeeAsync(employeeId, ct)) return Problem.Forbidden(OutOfScope);
        if (!await db.Employees.AnyAsync(e => e.Id == employeeId && e.Status == EmployeeStatus.Active, ct))
        {
            errors.Add("employee_id", $"There is no active employee with id '{employeeId}'.");
            return errors.ToProblem("The plan was not started.");
        }
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.Conflict("No career framework has been imported yet, so there are no behaviours to plan for.");

        var behaviors = (request.Behaviors ?? []).Select(b => b?.Trim() ?? "").Where(b => b.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (behaviors.Count == 0) errors.Add("behaviors", "Choose one to three behaviours to work on.");
        else if (behaviors.Count > MaxBehaviors) errors.Add("behaviors", $"A plan works on at most {MaxBehaviors} behaviours ({behaviors.Count} chosen).");
        foreach (var b in behaviors.Where(b => framework.FindBehavior(b) is null)) errors.Add("behaviors", $"'{b}' is not a behaviour of the current framework.");
        foreach (var b in behaviors.Where(b => framework.FindBehavior(b) is { IsRetired: true })) errors.Add("behaviors", $"“{framework.FindBehavior(b)!.Name}” has been retired from the framework; choose a behaviour in use.");

        var actions = request.Actions ?? [];
        if (actions.Count > MaxActions) errors.Add("actions", $"At most {MaxActions} actions ({actions.Count} given).");
        for (var i = 0; i < actions.Count; i++) CheckAction(errors, $"actions[{i}]", actions[i].Behavior, actions[i].Text, actions[i].DueOn, behaviors, Today);
        foreach (var b in behaviors.Where(b => !actions.Any(a => a.Behavior?.Trim() == b) && framework.FindBehavior(b) is not null))
            errors.Add("actions", $"Add at least one practice action for '{framework.FindBehavior(b)!.Name}'.");
        if (errors.Any) return errors.ToProblem("The plan was not started.");

        var plan = new DevelopmentPlan
        {
            EmployeeId = employeeId, CreatedById = viewer.EmployeeId, Behaviors = string.Join(',', behaviors), StartedOn = Today, CreatedAt = clock.GetUtcNow(),
            Actions = actions.Select(a => new DevelopmentPlanAction { Behavior = a.Behavior!.Trim(), Text = a.Text!.Trim(), DueOn = a.DueOn!.Value }).ToList(),
        };
        // The plan and its feedback request are one change: both or neither.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var watchers = (request.Watchers ?? []).Select(w => w?.Trim() ?? "").Where(w => w.Length > 0).ToList();
        if (watchers.Count > 0)
        {
            var message = string.IsNullOrWhiteSpace(request.Message)
                ? $"I am working on {string.Join(", ", behaviors.Select(b => framework.FindBehavior(b)!.Name))} and would value your feedback on exactly that."
                : request.Message.Trim();
            var sent = await feedback.CreateAsync(viewer.EmployeeId, new CreateFeedbackRequestRequest(employeeId, watchers, behaviors, message), ct);
            if (!sent.Ok)
            {
                var p = sent.Problem!;
                // The request's own field names become the plan's: its raters are the plan's watchers.
                if (p.Fields is { } fields)
                    return Problem.Invalid(fields.ToDictionary(f => f.Key == "rater_ids" ? "watchers" : f.Key, f => f.Value), "The plan was not started.");
                return p.Status == 403 ? Problem.Forbidden($"The watchers were not asked: {p.Detail}") : p;
            }
            plan.FeedbackRequestId = sent.Value!.Id;
        }
        db.Add(plan);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<PlanView>.New(await ViewAsync(plan.Id, framework, ct));
    }

    private void CheckAction(FieldErrors errors, string field, string? behavior, string? text, DateOnly? dueOn, IReadOnlyList<string> behaviors, DateOnly startedOn)
    {
        if (string.IsNullOrWhiteSpace(behavior) || !behaviors.Contains(behavior.Trim())) errors.Add($"{field}.behavior", "An action belongs to one of the plan's behaviours.");
        if (string.IsNullOrWhiteSpace(text)) errors.Add($"{field}.text", "Say what you will practise.");
        else if (text.Trim().Length > MaxTextLength) errors.Add($"{field}.text", $"At most {MaxTextLength} characters.");
        if (dueOn is null) errors.Add($"{field}.due_on", "Give the action a date (YYYY-MM-DD).");
        else CheckDue(errors, field, dueOn.Value, startedOn);
    }

    /// <summary>
    /// A due date from a month before the plan's start to three years from today: 0001-01-01 or 9999-12-31 is a typo, and
    /// an action due outside that window would sit in the plan as overdue forever or never come due.
    /// </summary>
    private void CheckDue(FieldErrors errors, string field, DateOnly dueOn, DateOnly startedOn)
    {
        var earliest = startedOn.AddDays(-DueBeforeStartDays);
        var latest = Today.AddYears(DueYearsAhead);
        if (dueOn < earliest || dueOn > latest)
            errors.Add($"{field}.due_on", $"Choose a date between {earliest:yyyy-MM-dd} and {latest:yyyy-MM-dd}: from a month before the plan started to {DueYearsAhead} years from today.");
    }

    public async Task<Outcome<PlanView>> GetAsync(int id, CancellationToken ct = default)
    {
        var employeeId = await db.Set<DevelopmentPlan>().AsNoTracking().Where(p => p.Id == id).Select(p => p.EmployeeId).FirstOrDefaultAsync(ct);
        if (employeeId is null) return Problem.NotFound($"There is no development plan {id}.");
        if (!await MaySeeAsync(employeeId, ct)) return Problem.Forbidden(OutOfScope);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.Conflict("No career framework has been imported yet.");
        await reads.RecordAsync("development_plan.read", employeeId, $"plan {id}", ct);
        return await ViewAsync(id, framework, ct);
    }

    private const int MaxLineInQuery = 2000;

    /// <summary>Plans of one person (when in scope), else every plan the viewer may see: their own, their line's, and for HR all.</summary>
    public async Task<Outcome<IReadOnlyList<PlanSummary>>> ListAsync(string? employeeId, CancellationToken ct = default)
    {
        IQueryable<DevelopmentPlan> plans = db.Set<DevelopmentPlan>().AsNoTracking();
        People.ReportingLines? largeLine = null;
        if (!string.IsNullOrWhiteSpace(employeeId))
        {
            if (!await MaySeeAsync(employeeId, ct)) return Problem.Forbidden(OutOfScope);
            plans = plans.Where(p => p.EmployeeId == employeeId);
            await reads.RecordAsync("development_plan.list", employeeId, null, ct);
        }
        else if (!viewer.IsHr)
        {
            // The line from the organisation snapshot (leavers included, as access through the line is): no walk of the
            // reporting line in the database, which took 400 ms for the head of a 100,000-person organisation.
            var lines = (await orgs.GetAsync(db, ct)).Lines;
            var below = viewer.HasLineAccess ? lines.TotalReports(viewer.EmployeeId) : 0;
            // A senior manager's line (100,000 ids) is more parameters than SQLite takes: such a line filters in memory.
            if (below + 1 > MaxLineInQuery) largeLine = lines;
            else
            {
                var ids = below > 0 ? lines.ReportsOf(viewer.EmployeeId) : [];
                ids.Add(viewer.EmployeeId);
                plans = plans.Where(p => ids.Contains(p.EmployeeId));
            }
        }
        var rows = await plans.OrderByDescending(p => p.StartedOn).ThenByDescending(p => p.Id)
            .Join(db.Employees, p => p.EmployeeId, e => e.Id, (p, e) => new
            {
                p.Id, p.EmployeeId, e.Name, p.Behaviors, p.StartedOn, p.Status, p.ClosedOn,
                Done = p.Actions.Count(a => a.DoneOn != null), Total = p.Actions.Count,
            }).Take(largeLine is null ? 1000 : int.MaxValue).ToListAsync(ct);
        if (largeLine is not null)
            rows = rows.Where(r => r.EmployeeId == viewer.EmployeeId || largeLine.IsAbove(viewer.EmployeeId, r.EmployeeId)).Take(1000).ToList();
        // A list of the line's or everyone's plans is a read of each person listed: one entry per person (one batch insert;
        // the viewer's own plans are not logged).
        if (string.IsNullOrWhiteSpace(employeeId))
            await reads.RecordManyAsync("development_plan.list", rows.Select(r => r.EmployeeId).Distinct().Select(id => ((string?)id, (string?)null)), ct);
        return rows.Select(r => new PlanSummary(r.Id, r.EmployeeId, r.Name, r.Behaviors.Split(','), r.StartedOn, r.Status, r.ClosedOn, r.Done, r.Total)).ToList();
    }

    public async Task<Outcome<PlanView>> UpdateAsync(int id, UpdatePlanRequest request, CancellationToken ct = default)
    {
        var plan = await db.Set<DevelopmentPlan>().Include(p => p.Actions).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return Problem.NotFound($"There is no development plan {id}.");
        if (!await MaySeeAsync(plan.EmployeeId, ct)) return Problem.Forbidden(OutOfScope);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.Conflict("No career framework has been imported yet.");
        if (request.Version is { } v && v != plan.Version) return Problem.Conflict($"The plan changed since you loaded it (version {plan.Version}, not {v}); reload it.");
        var changesPlan = request.Actions is { Count: > 0 } || request.Status is not null;
        if (changesPlan && plan.Status != PlanStatuses.Open) return Problem.Conflict($"The plan is closed ({plan.Status}); start a new one to change it.");

        var errors = new FieldErrors();
        var behaviors = plan.Behaviors.Split(',');
        var actions = request.Actions ?? [];
        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            if (a.Id is { } actionId)
            {
                var existing = plan.Actions.FirstOrDefault(x => x.Id == actionId);
                if (existing is null) { errors.Add($"actions[{i}].id", $"The plan has no action {actionId}."); continue; }
                if (a.Text is not null)
                {
                    if (string.IsNullOrWhiteSpace(a.Text) || a.Text.Trim().Length > MaxTextLength) errors.Add($"actions[{i}].text", $"Say what you will practise (at most {MaxTextLength} characters).");
                    else existing.Text = a.Text.Trim();
                }
                if (a.DueOn is { } due)
                {
                    CheckDue(errors, $"actions[{i}]", due, plan.StartedOn);
                    existing.DueOn = due;
                }
                if (a.Done is { } done) existing.DoneOn = done ? existing.DoneOn ?? Today : null;
            }
            else
            {
                CheckAction(errors, $"actions[{i}]", a.Behavior, a.Text, a.DueOn, behaviors, plan.StartedOn);
                if (!errors.Any)
                    plan.Actions.Add(new DevelopmentPlanAction { Behavior = a.Behavior!.Trim(), Text = a.Text!.Trim(), DueOn = a.DueOn!.Value, DoneOn = a.Done == true ? Today : null });
            }
        }
        if (plan.Actions.Count > MaxActions) errors.Add("actions", $"A plan has at most {MaxActions} actions.");
        if (request.Comment is { } comment && (string.IsNullOrWhiteSpace(comment) || comment.Trim().Length > MaxTextLength))
            errors.Add("comment", $"Write a comment of 1 to {MaxTextLength} characters.");
        if (request.Status is { } status)
        {
            if (!PlanStatuses.Closing.Contains(status)) errors.Add("status", $"A plan closes as {string.Join(", ", PlanStatuses.Closing)}.");
            else
            {
                plan.Status = status;
                plan.ClosedOn = Today;
                plan.ClosingNote = string.IsNullOrWhiteSpace(request.ClosingNote) ? null : request.ClosingNote.Trim()[..Math.Min(request.ClosingNote.Trim().Length, MaxTextLength)];
            }
        }
        if (errors.Any) return errors.ToProblem("The plan was not changed.");
        if (request.Comment is not null)
            db.Add(new DevelopmentPlanComment { PlanId = plan.Id, AuthorId = viewer.EmployeeId, Text = request.Comment.Trim(), CreatedAt = clock.GetUtcNow() });
        plan.Version++;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict("Someone changed the plan at the same time; reload it.");
        }
        return await ViewAsync(plan.Id, framework, ct);
    }

    /// <summary>The as-of dates of a plan's series: monthly from six months before its start, up to today (and today itself).</summary>
    public static IReadOnlyList<DateOnly> SeriesDates(DateOnly startedOn, DateOnly today)
    {
        var dates = new List<DateOnly>();
        for (var k = -MonthsBefore; ; k++)
        {
            var d = startedOn.AddMonths(k);
            if (d > today) break;
            dates.Add(d);
        }
        if (dates.Count == 0 || dates[^1] != today) dates.Add(today);
        return dates;
    }

    private async Task<PlanView> ViewAsync(int id, CareerFramework framework, CancellationToken ct)
    {
        var plan = await db.Set<DevelopmentPlan>().AsNoTracking().Include(p => p.Actions).Include(p => p.Comments).FirstAsync(p => p.Id == id, ct);
        var keys = plan.Behaviors.Split(',');
        var people = plan.Comments.Select(c => c.AuthorId).Append(plan.EmployeeId).Append(plan.CreatedById).Distinct().ToList();
        var names = await db.Employees.AsNoTracking().Where(e => people.Contains(e.Id))
            .Select(e => new { e.Id, e.Name }).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        string NameOf(string employeeId) => names.GetValueOrDefault(employeeId, employeeId);

        var now = await readiness.GetForViewerAsync(plan.EmployeeId, viewer.EmployeeId, null, null, ct);
        var behaviors = keys.Select(k => new PlanBehavior(k, framework.FindBehavior(k)?.Name ?? k, framework.ValueOf(k)?.Name ?? "", now?.Gaps.Contains(k) ?? false,
            now?.Behaviors.FirstOrDefault(b => b.Behavior == k)?.Expected)).ToList();

        // What the viewer may see of the person's feedback: their own view leaves out anonymous feedback still held back.
        var own = plan.EmployeeId == viewer.EmployeeId;
        var since = await db.Observations.AsNoTracking()
            .Where(o => o.SubjectId == plan.EmployeeId && keys.Contains(o.Behavior) && o.ObservedOn >= plan.StartedOn && o.RaterId != plan.EmployeeId && (!own || o.ReleasedAt != null))
            .Select(o => new { o.Behavior, o.RaterId }).ToListAsync(ct);
        // As in their other views: a released answer edited or withdrawn since counts as it was until the change is
        // released in a batch (its row is held back meanwhile), so that the count does not move with one rater's change.
        if (own)
            since.AddRange(await db.ObservationVersions.AsNoTracking()
                .Where(v => v.ShownToSubject && v.SubjectId == plan.EmployeeId && keys.Contains(v.Behavior) && v.ObservedOn >= plan.StartedOn && v.RaterId != plan.EmployeeId)
                .Select(v => new { v.Behavior, v.RaterId }).ToListAsync(ct));
        var feedbackSince = keys.Select(k => new PlanFeedback(k, since.Count(o => o.Behavior == k), since.Where(o => o.Behavior == k).Select(o => o.RaterId).Distinct().Count())).ToList();

        var series = new Dictionary<string, IReadOnlyList<SeriesPoint>>();
        var points = keys.ToDictionary(k => k, _ => new List<SeriesPoint>());
        foreach (var date in SeriesDates(plan.StartedOn, Today))
        {
            var report = await readiness.GetForViewerAsync(plan.EmployeeId, viewer.EmployeeId, null, date, ct);
            foreach (var k in keys)
            {
                var b = report?.Behaviors.FirstOrDefault(x => x.Behavior == k);
                points[k].Add(new SeriesPoint(date, b?.Score, b?.Ci));
            }
        }
        foreach (var (k, list) in points) series[k] = list;

        return new PlanView(plan.Id, plan.EmployeeId, NameOf(plan.EmployeeId), plan.CreatedById, plan.StartedOn, plan.Status, plan.ClosedOn, plan.ClosingNote, behaviors,
            plan.Actions.OrderBy(a => a.DueOn).ThenBy(a => a.Id).Select(a => new PlanActionView(a.Id, a.Behavior, a.Text, a.DueOn, a.DoneOn)).ToList(),
            plan.Comments.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Select(c => new PlanCommentView(c.AuthorId, NameOf(c.AuthorId), c.Text, c.CreatedAt)).ToList(),
            feedbackSince, plan.FeedbackRequestId, series, plan.Version);
    }

    /// <summary>
    /// HR's view across plans: per behaviour how many people develop it and how their estimates moved (at the start →
    /// at closing, or today), means with 95% intervals across people. No names; a behaviour with fewer people than the
    /// anonymity threshold shows nothing but that it is hidden.
    /// </summary>
    public async Task<Outcome<PlanAggregate>> AggregateAsync(CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("The organisation's development plans are summarised for HR only.");
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.Conflict("No career framework has been imported yet.");
        var threshold = framework.Rules.AnonymityThreshold;
        var plans = await db.Set<DevelopmentPlan>().AsNoTracking().Select(p => new { p.EmployeeId, p.Behaviors, p.StartedOn, p.Status, p.ClosedOn }).ToListAsync(ct);
        var perBehavior = plans.SelectMany(p => p.Behaviors.Split(',').Select(b => (Behavior: b, Plan: p))).GroupBy(x => x.Behavior).ToDictionary(g => g.Key, g => g.ToList());
        var reportCache = new Dictionary<(string, DateOnly), Core.Readiness.ReadinessReport?>();
        async Task<double?> ScoreAsync(string employeeId, string behavior, DateOnly asOf)
        {
            if (!reportCache.TryGetValue((employeeId, asOf), out var report))
                // Subject first: an HR viewer's own plan counts with their own view (no held-back feedback), so that one
                // held-back answer about them moves no mean they can read.
                reportCache[(employeeId, asOf)] = report = await readiness.GetForViewerAsync(employeeId, viewer.EmployeeId, null, asOf, ct);
            return report?.Behaviors.FirstOrDefault(b => b.Behavior == behavior)?.Score;
        }

        var rows = new List<PlanBehaviorAggregate>();
        foreach (var b in framework.Behaviors)
        {
            if (!perBehavior.TryGetValue(b.Key, out var list)) continue;
            var people = list.Select(x => x.Plan.EmployeeId).Distinct().Count();
            if (people < threshold)
            {
                rows.Add(new PlanBehaviorAggregate(b.Key, b.Name, true, null, null, null, null, null, null, null, null));
                continue;
            }
            // One movement per person: their latest plan on this behaviour.
            var before = new List<double>();
            var after = new List<double>();
            foreach (var p in list.GroupBy(x => x.Plan.EmployeeId).Select(g => g.OrderByDescending(x => x.Plan.StartedOn).First().Plan))
            {
                var start = await ScoreAsync(p.EmployeeId, b.Key, p.StartedOn);
                var end = await ScoreAsync(p.EmployeeId, b.Key, p.ClosedOn ?? Today);
                if (start is { } s && end is { } e) { before.Add(s); after.Add(e); }
            }
            var enough = before.Count >= threshold;
            int Count(string status) => list.Count(x => x.Plan.Status == status);
            rows.Add(new PlanBehaviorAggregate(b.Key, b.Name, false, people, Count(PlanStatuses.Open), Count(PlanStatuses.Met), Count(PlanStatuses.Changed), Count(PlanStatuses.Dropped),
                enough ? Mean(before) : null, enough ? Mean(after) : null, enough ? Mean(after.Zip(before, (a, s) => a - s).ToList()) : null));
        }
        await reads.RecordAsync("development_plan.aggregate", null, $"{plans.Count} plans", ct);
        return new PlanAggregate(threshold, plans.Count, rows.OrderByDescending(r => r.People ?? 0).ToList());
    }

    /// <summary>The mean with a normal-approximation 95% interval (t would be wider for a handful of people; the threshold keeps n ≥ 3).</summary>
    private static MeanWithInterval Mean(List<double> xs)
    {
        var mean = xs.Average();
        var sd = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : 0;
        var half = 1.96 * sd / Math.Sqrt(xs.Count);
        return new MeanWithInterval(Math.Round(mean, 3), [Math.Round(mean - half, 3), Math.Round(mean + half, 3)], xs.Count);
    }
}
