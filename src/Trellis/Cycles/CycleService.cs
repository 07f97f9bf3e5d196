using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core;
using Trellis.Core.Cycles;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Webhooks;

namespace Trellis.Cycles;

/// <summary>
/// Promotion cycles for the signed-in person: creation and phases, nominations, the candidate's answer and private notes,
/// the committee's decisions and publication. The API and the pages call the same methods; every method checks role and scope.
/// </summary>
public sealed partial class CycleService(
    TrellisDb db, Viewer viewer, TimeProvider clock, FrameworkStore frameworks, ReadinessService readiness,
    Notifier notifier, SensitiveReads sensitive, People.OrgSnapshots orgs)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex CycleName();

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    // ---------------------------------------------------------------- cycles

    public async Task<IReadOnlyList<CycleResponse>> ListAsync(CancellationToken ct = default)
    {
        var cycles = await db.Cycles.AsNoTracking().OrderByDescending(c => c.OpensOn).ThenBy(c => c.Name).ToListAsync(ct);
        var result = new List<CycleResponse>(cycles.Count);
        foreach (var c in cycles) result.Add(await ToResponseAsync(c, ct));
        return result;
    }

    public async Task<Outcome<CycleResponse>> GetAsync(string name, CancellationToken ct = default)
    {
        var cycle = await FindCycleAsync(name, ct);
        return cycle is null ? NoCycle(name) : await ToResponseAsync(cycle, ct);
    }

    public async Task<Outcome<CycleResponse>> CreateAsync(CreateCycleRequest request, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("Only HR creates promotion cycles.");
        var errors = new Dictionary<string, string[]>();
        void Err(string field, string message) => errors[field] = [message];
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0) Err("name", "Give the cycle a name.");
        else if (!CycleName().IsMatch(name)) Err("name", $"The name '{name}' must be 1–64 letters, digits, '.', '_' or '-' (it is part of the cycle's address).");
        CheckCycleDate(errors, "opens_on", "opening date", request.OpensOn);
        CheckCycleDate(errors, "closes_on", "closing date", request.ClosesOn);
        if (request.OpensOn is { } o && request.ClosesOn is { } c && c < o && !errors.ContainsKey("opens_on") && !errors.ContainsKey("closes_on"))
            Err("closes_on", $"The closing date ({c:yyyy-MM-dd}) is before the opening date ({o:yyyy-MM-dd}).");
        // A page's number the binder could not read (too large, not a number) arrives here as missing, so the message covers both.
        if (request.Budget is null) Err("budget", "Give the budget, the number of promotions, as a whole number from 0 to 2,147,483,647.");
        else if (request.Budget < 0) Err("budget", "The budget cannot be negative.");
        var deadline = request.ResponseDeadline ?? request.ClosesOn;
        if (request.ResponseDeadline is { } d && request.OpensOn is { } o2 && request.ClosesOn is { } c2 && (d < o2 || d > c2))
            Err("response_deadline", $"The answer-by date ({d:yyyy-MM-dd}) must fall between the opening and closing dates.");

        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var eligible = (request.EligibleLevels ?? []).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct().ToList();
        var unknownLevels = framework is null ? [] : eligible.Where(l => framework.FindLevel(l) is null).ToList();
        if (unknownLevels.Count > 0) Err("eligible_levels", $"unknown level(s): {string.Join(", ", unknownLevels)}");
        var recuse = string.IsNullOrWhiteSpace(request.Recuse) ? RecuseRules.Self : request.Recuse.Trim();
        if (!RecuseRules.All.Contains(recuse)) Err("recuse", $"recuse must be one of {string.Join(", ", RecuseRules.All)} (whom committee members stand aside from)");

        List<string> committee;
        if (request.Committee is { } ids)
        {
            committee = ids.Select(i => i.Trim()).Where(i => i.Length > 0).Distinct().ToList();
            var known = await db.Employees.Where(e => committee.Contains(e.Id) && e.Status == EmployeeStatus.Active).Select(e => e.Id).ToListAsync(ct);
            var missing = committee.Except(known).ToList();
            if (missing.Count > 0) Err("committee", $"no active employee with id(s): {string.Join(", ", missing)}");
            if (committee.Count == 0) Err("committee", "the committee needs at least one member (leave it out to seat every committee account)");
        }
        else
        {
            var committeeLists = Roles.ListsWith(Roles.Committee);
            committee = await db.Accounts.AsNoTracking().Where(a => committeeLists.Contains(a.Roles)).OrderBy(a => a.Id).Select(a => a.EmployeeId).ToListAsync(ct);
        }
        if (errors.Count > 0) return Problem.Invalid(errors, "The cycle is not valid.");
        if (await db.Cycles.AnyAsync(x => x.Name == name, ct)) return Problem.Conflict($"a cycle named '{name}' already exists");
        // The promotion history is keyed by the cycle's name: a new cycle under the name of an earlier one (imported history)
        // would mix its candidates into that cycle's record.
        if (await db.Promotions.AnyAsync(p => p.Cycle == name, ct))
            return Problem.Conflict($"the promotion history already has a cycle named '{name}': choose another name");

        var cycle = new Cycle
        {
            Name = name, OpensOn = request.OpensOn!.Value, ClosesOn = request.ClosesOn!.Value, ResponseDeadline = deadline!.Value,
            Budget = request.Budget!.Value, EligibleLevels = string.Join(' ', eligible),
            Phase = CyclePhases.Initial(request.OpensOn.Value, Today), CreatedAt = clock.GetUtcNow(), CreatedBy = viewer.EmployeeId, Recuse = recuse,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Cycles.Add(cycle);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return Problem.Conflict($"a cycle named '{name}' already exists"); }
        db.CycleCommittee.AddRange(committee.Select(id => new CycleCommitteeMember { CycleId = cycle.Id, EmployeeId = id }));
        AddEvent(cycle.Id, "created", $"created in phase '{cycle.Phase}', budget {cycle.Budget}, committee of {committee.Count}, recusal '{recuse}'");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await ToResponseAsync(cycle, ct);
    }

    /// <summary>The window a cycle's dates must fall in: a typo such as 0001-01-01 or 9999-12-31 is refused, not stored as a cycle that never closes.</summary>
    public static readonly DateOnly EarliestCycleDate = new(2000, 1, 1), LatestCycleDate = new(2099, 12, 31);

    private static void CheckCycleDate(Dictionary<string, string[]> errors, string field, string what, DateOnly? date)
    {
        if (date is null) errors[field] = [$"Give the {what} (YYYY-MM-DD)."];
        else if (date < EarliestCycleDate || date > LatestCycleDate)
            errors[field] = [$"The {what} ({date:yyyy-MM-dd}) must fall between {EarliestCycleDate:yyyy-MM-dd} and {LatestCycleDate:yyyy-MM-dd}."];
    }

    public async Task<Outcome<CycleResponse>> SetPhaseAsync(string name, SetPhaseRequest request, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("Only HR sets the phase of a cycle.");
        var cycle = await db.Cycles.FirstOrDefaultAsync(c => c.Name == name, ct);
        if (cycle is null) return NoCycle(name);
        var phase = request.Phase?.Trim() ?? "";
        if (!CyclePhases.Settable.Contains(phase))
            return Problem.Invalid("phase", $"phase must be one of {string.Join(", ", CyclePhases.Settable)} (publish to end the cycle)");
        if (CyclePhases.CheckMove(cycle.Phase, phase) is { } why) return Problem.Conflict($"Cycle '{name}': {why}.");
        db.Outbox.Add(WebhookEvents.CyclePhaseChanged(cycle.Name, cycle.Phase, phase));
        AddEvent(cycle.Id, "phase", $"{cycle.Phase} → {phase}");
        cycle.Phase = phase;
        await db.SaveChangesAsync(ct);
        return await ToResponseAsync(cycle, ct);
    }

    // ---------------------------------------------------------------- nominations

    public async Task<Outcome<NominationResponse>> NominateAsync(string cycleName, NominateRequest request, bool suggested = false, CancellationToken ct = default)
    {
        var cycle = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Name == cycleName, ct);
        if (cycle is null) return NoCycle(cycleName);
        var errors = new Dictionary<string, string[]>();
        var employeeId = request.EmployeeId?.Trim() ?? "";
        var target = request.TargetLevel?.Trim() ?? "";
        var rationale = request.Rationale?.Trim() ?? "";
        if (employeeId.Length == 0) errors["employee_id"] = ["Choose the person to nominate."];
        if (target.Length == 0) errors["target_level"] = ["Choose the level to nominate them for."];
        if (rationale.Length == 0) errors["rationale"] = ["rationale is required: say why this person, and why now"];
        else if (rationale.Length > 4000) errors["rationale"] = ["rationale is longer than 4,000 characters"];
        if (errors.Count > 0) return Problem.Invalid(errors, "The nomination is not valid.");

        var employee = await db.Employees.AsNoTracking().FirstOrDefaultAsync(e => e.Id == employeeId && e.Status == EmployeeStatus.Active, ct);
        if (employee is null) return Problem.Invalid("employee_id", $"no active employee with id '{employeeId}'");

        string nominatedAs;
        if (viewer.IsHr) nominatedAs = Roles.Hr;
        else if (employeeId == viewer.EmployeeId) nominatedAs = "self";
        else if (await viewer.ManagesAsync(employeeId, ct)) nominatedAs = Roles.Manager;
        else return Problem.Forbidden($"{employeeId} is not in your reporting line: managers nominate people in their line, employees themselves, HR anyone.");

        if (CyclePhases.CheckNominating(cycle.Phase) is { } phaseError) return Problem.Conflict($"Cycle '{cycleName}': {phaseError}.");

        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.Conflict("No career framework has been imported yet, so no target level can be checked.");
        if (PromotionTargets.Check(framework, employee.Level, target) is not null)
        {
            // In words: level names with their key, never keys alone.
            string Named(string key) => framework.FindLevel(key) is { } l ? $"{l.Name} ({l.Key})" : $"'{key}'";
            var valid = PromotionTargets.ValidTargets(framework, employee.Level);
            return Problem.Invalid("target_level", framework.FindLevel(target) is null
                ? $"'{target}' is not a level of the framework"
                : valid.Count == 0 ? $"{employee.Name} is at {Named(employee.Level)}: there is no level above it to nominate for"
                : $"{employee.Name} is at {Named(employee.Level)}, so {Named(target)} is not the next band: nominate for {string.Join(" or ", valid.Select(l => Named(l.Key)))}");
        }
        var eligible = SplitLevels(cycle.EligibleLevels);
        if (eligible.Count > 0 && !eligible.Contains(employee.Level))
            return Problem.Invalid("employee_id", $"{employeeId} is at level '{employee.Level}', which is not eligible in cycle '{cycleName}' (eligible: {string.Join(", ", eligible)})");

        // The checks below and the insert run under one lock per person: two nominations of one person sent at the same
        // moment, in one cycle or in two open ones, would otherwise both pass them. SQLite's transaction takes the write
        // lock as it begins (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock on the person until commit.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Provider == DatabaseProvider.Postgres)
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({NominationLockSpace}, hashtext({employeeId}))", ct);
        if (await db.Nominations.AnyAsync(n => n.CycleId == cycle.Id && n.EmployeeId == employeeId, ct))
            return Problem.Conflict($"{employeeId} is already nominated in cycle '{cycleName}'.");
        // One open nomination per person: each is decided from the level the person is at, and two published one after the
        // other would promote twice, or sideways. The next one can be made once that cycle is published.
        if (await db.Nominations.Where(n => n.EmployeeId == employeeId && n.CycleId != cycle.Id)
                .Join(db.Cycles.Where(c => c.Phase != CyclePhases.Published), n => n.CycleId, c => c.Id, (n, c) => c.Name)
                .FirstOrDefaultAsync(ct) is { } openCycle)
            return Problem.Conflict($"{employeeId} is already nominated in cycle '{openCycle}', which is not published yet: a person is nominated in one open cycle at a time.");

        var nomination = new Nomination
        {
            CycleId = cycle.Id, EmployeeId = employeeId, FromLevel = employee.Level, TargetLevel = target, Rationale = rationale,
            NominatedBy = viewer.EmployeeId, NominatedAs = nominatedAs, Suggested = suggested, CreatedAt = clock.GetUtcNow(),
        };
        db.Nominations.Add(nomination);
        db.Outbox.Add(WebhookEvents.NominationCreated(nomination, cycleName));
        // The unique index on (cycle, employee) stands behind the lock for one cycle.
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (IsUniqueViolation(e)) { return Problem.Conflict($"{employeeId} is already nominated in cycle '{cycleName}'."); }
        await tx.CommitAsync(ct);
        await BumpRevisionAsync(cycle.Id, ct);
        if (employeeId != viewer.EmployeeId)
        {
            var level = framework.FindLevel(target)!;
            notifier.Add(employeeId, $"You are nominated for {level.Name} ({target})",
                $"{viewer.Name} nominated you for {level.Name} in the {cycleName} promotion cycle. It is your choice: see what the role asks, " +
                $"reflect privately, and answer by {cycle.ResponseDeadline:yyyy-MM-dd} — accept, take the expert-track level instead, defer or decline.",
                $"/nominations/{nomination.Id}");
            await db.SaveChangesAsync(ct);
            await notifier.SendEmailsAsync(ct);
        }
        return await ToNominationAsync(nomination.Id, ct) ?? throw new InvalidOperationException("nomination vanished after insert");
    }

    /// <summary>The nominations of a cycle the viewer may see: all for HR and the cycle's committee, their line for managers, their own otherwise (always as its candidate).</summary>
    public async Task<Outcome<IReadOnlyList<NominationResponse>>> ListNominationsAsync(string cycleName, CancellationToken ct = default)
    {
        var cycle = await FindCycleAsync(cycleName, ct);
        if (cycle is null) return NoCycle(cycleName);
        var reviewer = viewer.IsHr || await IsOnCommitteeAsync(cycle.Id, ct);
        // The line from the organisation snapshot (leavers included, as access through the line is), not a walk of the
        // reporting line in the database per view.
        var line = !reviewer && viewer.IsManager ? (await orgs.GetAsync(db, ct)).Lines : null;
        // One query for the whole list; who sees what is decided per row, as for a single nomination.
        var rows = await NominationRows(db.Nominations.AsNoTracking().Where(n => n.CycleId == cycle.Id)).ToListAsync(ct);
        var result = new List<NominationResponse>(rows.Count);
        foreach (var row in rows.OrderBy(r => r.N.EmployeeId, StringComparer.Ordinal))
        {
            // The candidate first, as in AccessAsync: a committee member or HR who is also a candidate is recused from
            // their own row and sees it as any candidate does (no decision before publication).
            var access = row.N.EmployeeId == viewer.EmployeeId ? NominationAccess.Candidate
                : reviewer ? NominationAccess.Reviewer
                : line is not null && line.IsAbove(viewer.EmployeeId, row.N.EmployeeId) ? NominationAccess.Manager
                : NominationAccess.None;
            if (access != NominationAccess.None) result.Add(Project(row, access));
        }
        return result;
    }

    /// <summary>People the engine finds ready or soon whom nobody nominated: all for HR, their line for managers.</summary>
    public async Task<Outcome<IReadOnlyList<SuggestionView>>> SuggestionsAsync(string cycleName, CancellationToken ct = default)
    {
        var cycle = await FindCycleAsync(cycleName, ct);
        if (cycle is null) return NoCycle(cycleName);
        if (!viewer.IsHr && !viewer.IsManager) return Problem.Forbidden("Suggestions are for HR and managers.");
        var org = await orgs.GetAsync(db, ct);
        var reports = await readiness.GetAllAsync(null, null, ct);
        var candidates = SuggestionCandidates(org, reports, cycle.EligibleLevels);
        bool[]? line = null;
        if (!viewer.IsHr)
        {
            // The viewer's line from the organisation snapshot: no walk of the reporting line in the database per view.
            line = new bool[org.Count];
            if (org.IndexOf(viewer.EmployeeId) is { } me)
                foreach (var r in org.Structure.ReportsOf(me)) line[r] = true;
        }
        var nominated = (await db.Nominations.AsNoTracking().Where(n => n.CycleId == cycle.Id).Select(n => n.EmployeeId).ToListAsync(ct)).ToHashSet();
        // Subject first: the viewer's own row (HR sees everyone, themselves included) comes from their own view, never the
        // full estimate, which counts anonymous feedback about them still held back (one answer would move its band,
        // explanation and counts, and whether they are listed at all).
        var list = candidates.Where(c => (line is null || line[c.Index]) && c.View.EmployeeId != viewer.EmployeeId && !nominated.Contains(c.View.EmployeeId))
            .Select(c => c.View).ToList();
        if (line is null && !nominated.Contains(viewer.EmployeeId) && await OwnSuggestionAsync(org, cycle.EligibleLevels, ct) is { } own)
        {
            var order = Suggestions.Order<SuggestionView>(v => v.Band, v => v.EmployeeId);
            var at = list.FindIndex(v => order.Compare(v, own) > 0);
            list.Insert(at < 0 ? list.Count : at, own);
        }
        return list;
    }

    /// <summary>The audit log entries for suggestions shown: one per person shown (a band and its explanation are their readiness).</summary>
    public static Task RecordSuggestionReadsAsync(SensitiveReads reads, string cycleName, IEnumerable<SuggestionView> shown, CancellationToken ct) =>
        reads.RecordManyAsync("cycle.suggestions", shown.Select(s => ((string?)s.EmployeeId, (string?)$"cycle {cycleName}: {s.Band}")), ct);

    /// <summary>The viewer as a suggestion, judged on what they themselves may see of their readiness; null when not suggested.</summary>
    private async Task<SuggestionView?> OwnSuggestionAsync(People.OrgSnapshot org, string? eligibleLevels, CancellationToken ct)
    {
        if (org.IndexOf(viewer.EmployeeId) is not { } i || await readiness.GetOwnAsync(viewer.EmployeeId, null, null, ct) is not { } report) return null;
        if (Suggestions.Select([report], new HashSet<string>(), SplitLevels(eligibleLevels ?? "")) is not [var p]) return null;
        var manager = org.Structure.ManagerOf(i);
        return new SuggestionView(p.EmployeeId, org.Names[i], manager < 0 ? null : org.Ids[manager], p.CurrentLevel, p.TargetLevel!, p.Band, p.Explanation);
    }

    private sealed record Candidate(int Index, SuggestionView View);
    private sealed record CachedCandidates(People.OrgSnapshot Org, IReadOnlyList<Core.Readiness.ReadinessReport> Reports, IReadOnlyList<Candidate> Candidates);
    private const int MaxCachedCandidates = 16;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedCandidates> Candidates = new(StringComparer.Ordinal);

    /// <summary>
    /// Everyone active the engine finds ready or soon for a level the cycle takes, in the suggestions' order, before the
    /// cycle's nominations and the viewer's line are taken out. Selecting them from 100,000 reports and looking up their
    /// names is done once per organisation snapshot, readiness result and eligible levels, not per view: the objects
    /// themselves are the key (a new snapshot, a refit or an incremental update makes new ones), so a hit is never stale.
    /// </summary>
    private static IReadOnlyList<Candidate> SuggestionCandidates(People.OrgSnapshot org, IReadOnlyList<Core.Readiness.ReadinessReport> reports, string? eligibleLevels)
    {
        var key = eligibleLevels ?? "";
        if (Candidates.TryGetValue(key, out var hit) && ReferenceEquals(hit.Org, org) && ReferenceEquals(hit.Reports, reports)) return hit.Candidates;
        var picked = Suggestions.Select(reports, new HashSet<string>(), SplitLevels(key));
        var candidates = new List<Candidate>(picked.Count);
        foreach (var p in picked)
        {
            if (org.IndexOf(p.EmployeeId) is not { } i) continue;
            var manager = org.Structure.ManagerOf(i);
            candidates.Add(new Candidate(i, new SuggestionView(p.EmployeeId, org.Names[i], manager < 0 ? null : org.Ids[manager], p.CurrentLevel, p.TargetLevel!, p.Band, p.Explanation)));
        }
        if (Candidates.Count >= MaxCachedCandidates) Candidates.Clear();
        Candidates[key] = new CachedCandidates(org, reports, candidates);
        return candidates;
    }

    /// <summary>The viewer's own nominations, newest first (the home page: the offer while it is open, the outcome once published).</summary>
    public async Task<IReadOnlyList<NominationResponse>> MyNominationsAsync(CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(viewer.EmployeeId)) return [];
        var rows = await NominationRows(db.Nominations.AsNoTracking().Where(n => n.EmployeeId == viewer.EmployeeId)).ToListAsync(ct);
        return rows.OrderByDescending(r => r.N.CreatedAt).Take(5).Select(r => Project(r, NominationAccess.Candidate)).ToList();
    }

    public async Task<Outcome<NominationResponse>> GetNominationAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (await AccessAsync(n, ct) == NominationAccess.None) return Problem.Forbidden($"You may not see nomination {id}.");
        if (n.EmployeeId != viewer.EmployeeId) await sensitive.RecordAsync("nomination.read", n.EmployeeId, $"nomination {id}", ct);
        return (await ToNominationAsync(id, ct))!;
    }

    // ---------------------------------------------------------------- the candidate's step

    public async Task<Outcome<NominationResponse>> RespondAsync(int id, RespondRequest request, CancellationToken ct = default)
    {
        var n = await db.Nominations.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("Only the candidate answers a nomination.");
        var choice = request.Choice?.Trim() ?? "";
        if (!CandidateChoices.All.Contains(choice))
            return Problem.Invalid("choice", "Choose an answer: accept, the expert track, defer or decline.");
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        if (note is { Length: > 4000 }) return Problem.Invalid("note", "The note for the committee is longer than 4,000 characters.");
        var cycle = await db.Cycles.AsNoTracking().FirstAsync(c => c.Id == n.CycleId, ct);
        if (CyclePhases.CheckResponding(cycle.Phase, Today, cycle.ResponseDeadline) is { } why)
            return Problem.Conflict($"Cycle '{cycle.Name}': {why}.");
        if (choice == CandidateChoices.ExpertTrack)
        {
            var framework = await frameworks.RequireAsync(ct);
            if (PromotionTargets.ExpertEquivalent(framework, n.TargetLevel) is null)
                return Problem.Invalid("choice", $"there is no expert-track level with the band of '{n.TargetLevel}'");
        }
        n.Choice = choice;
        n.ChoiceNote = note;
        n.RespondedAt = clock.GetUtcNow();
        db.Outbox.Add(WebhookEvents.NominationAnswered(n, cycle.Name));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The answer lands only if the cycle is still unpublished when it is written: the revision's bump is conditional on the
        // phase and changes the row publication claims (PublishAsync), so the two take turns. Publication either reads this
        // answer or has already claimed the cycle, and then this update waits for its commit, re-checks the phase and changes nothing.
        if (await db.Cycles.Where(c => c.Id == n.CycleId && c.Phase != CyclePhases.Published)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Revision, c => c.Revision + 1), ct) == 0)
            return Problem.Conflict($"Cycle '{cycle.Name}': {CyclePhases.CheckResponding(CyclePhases.Published, Today, cycle.ResponseDeadline)}.");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await ToNominationAsync(id, ct))!;
    }

    public async Task<Outcome<IReadOnlyList<ReflectionNoteView>>> GetNotesAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        // Private means private: no role (HR, admin, committee, manager) reads these notes, only the candidate.
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("Reflection notes are private to the candidate.");
        var notes = await db.ReflectionNotes.AsNoTracking().Where(r => r.NominationId == id).ToDictionaryAsync(r => r.Question, ct);
        return ReflectionQuestions.All
            .Select(q => notes.TryGetValue(q.Key, out var r) ? new ReflectionNoteView(q.Key, q.Text, r.Text, r.UpdatedAt) : new ReflectionNoteView(q.Key, q.Text, "", null))
            .ToList();
    }

    public async Task<Outcome<IReadOnlyList<ReflectionNoteView>>> SaveNotesAsync(int id, SaveNotesRequest request, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("Reflection notes are private to the candidate.");
        var notes = request.Notes ?? new Dictionary<string, string?>();
        var unknown = notes.Keys.Where(k => !ReflectionQuestions.IsKnown(k)).ToList();
        if (unknown.Count > 0)
            return Problem.Invalid("notes", $"unknown question(s): {string.Join(", ", unknown)} (use {string.Join(", ", ReflectionQuestions.All.Select(q => q.Key))})");
        if (notes.FirstOrDefault(kv => kv.Value is { Length: > 8000 }) is { Key: { } tooLong })
            return Problem.Invalid("notes", $"Your note on “{ReflectionQuestions.All.First(q => q.Key == tooLong).Text}” is longer than 8,000 characters.");
        var existing = await db.ReflectionNotes.Where(r => r.NominationId == id).ToDictionaryAsync(r => r.Question, ct);
        foreach (var (key, value) in notes)
        {
            var text = value?.Trim() ?? "";
            if (existing.TryGetValue(key, out var row))
            {
                if (text.Length == 0) db.ReflectionNotes.Remove(row);
                else if (row.Text != text) { row.Text = text; row.UpdatedAt = clock.GetUtcNow(); }
            }
            else if (text.Length > 0)
                db.ReflectionNotes.Add(new ReflectionNote { NominationId = id, Question = key, Text = text, UpdatedAt = clock.GetUtcNow() });
        }
        await db.SaveChangesAsync(ct);
        return await GetNotesAsync(id, ct);
    }

    // ---------------------------------------------------------------- decisions and publication

    public async Task<Outcome<NominationResponse>> DecideAsync(int id, DecideRequest request, int? ifMatchVersion, CancellationToken ct = default)
    {
        var n = await db.Nominations.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        // Conflicts of interest come first, whatever the caller's roles: nobody decides their own case.
        if (n.EmployeeId == viewer.EmployeeId)
            return Problem.Forbidden($"You are recused from nomination {id}: nobody records a decision on their own candidacy, whatever their role.");
        if (!await IsOnCommitteeAsync(n.CycleId, ct)) return Problem.Forbidden("Only members of this cycle's committee decide.");
        var cycle = await db.Cycles.AsNoTracking().FirstAsync(c => c.Id == n.CycleId, ct);
        if (await RecusedAsync(cycle, n.EmployeeId, ct) is { } recused) return Problem.Forbidden(recused);
        if (CyclePhases.CheckDeciding(cycle.Phase) is { } why) return Problem.Conflict($"Cycle '{cycle.Name}': {why}.");
        var errors = new Dictionary<string, string[]>();
        var outcome = request.Outcome?.Trim() ?? "";
        var rationale = request.Rationale?.Trim() ?? "";
        if (!DecisionOutcomes.All.Contains(outcome)) errors["outcome"] = [$"outcome must be one of {string.Join(", ", DecisionOutcomes.All)}"];
        if (rationale.Length == 0) errors["rationale"] = ["rationale is required: write why, for the candidate and for the record"];
        else if (rationale.Length > 4000) errors["rationale"] = ["rationale is longer than 4,000 characters"];
        string? level = null;
        if (outcome == DecisionOutcomes.Promoted) level = n.TargetLevel;
        else if (outcome == DecisionOutcomes.Alternative)
        {
            var framework = await frameworks.RequireAsync(ct);
            level = PromotionTargets.Alternative(framework, n.TargetLevel)?.Key;
            if (level is null) errors["outcome"] = [$"there is no equal-band level on another track for '{n.TargetLevel}'"];
        }
        if (errors.Count > 0) return Problem.Invalid(errors, "The decision is not valid.");

        // The expected version comes from the body or If-Match. Without one, only a first decision may be written:
        // changing an existing decision without saying which one you saw would silently overwrite a colleague's.
        var expected = request.Version ?? ifMatchVersion;
        if (expected is null && n.Decision is not null)
            return Problem.Conflict($"Nomination {id} was already decided ({n.Decision}, version {n.Version}); send the version you saw to change it.");
        if (expected is { } v && v != n.Version)
            return Problem.Conflict($"Nomination {id} changed since you loaded it (your version {v}, now {n.Version}); reload and decide again.");

        var now = clock.GetUtcNow();
        n.Decision = outcome;
        n.DecisionRationale = rationale;
        n.DecidedLevel = level;
        n.DecidedBy = viewer.EmployeeId;
        n.DecidedAt = now;
        n.Version++;
        db.NominationDecisions.Add(new NominationDecisionChange
        {
            NominationId = id, Version = n.Version, Outcome = outcome, Rationale = rationale, DecidedLevel = level, DecidedBy = viewer.EmployeeId, DecidedAt = now,
        });
        db.Outbox.Add(WebhookEvents.DecisionRecorded(n, cycle.Name));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict($"Nomination {id} was decided by someone else at the same moment; reload and decide again.");
        }
        await BumpRevisionAsync(n.CycleId, ct);
        return (await ToNominationAsync(id, ct))!;
    }

    public async Task<Outcome<IReadOnlyList<DecisionChangeView>>> DecisionHistoryAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId == viewer.EmployeeId && n.PublishedOutcome is null)
            return Problem.Forbidden("You are recused from your own candidacy: its decision history is not shown to you before publication.");
        if (!viewer.IsHr && !await IsOnCommitteeAsync(n.CycleId, ct)) return Problem.Forbidden("The decision history is for HR and this cycle's committee.");
        return await db.NominationDecisions.AsNoTracking().Where(d => d.NominationId == id).OrderBy(d => d.Version)
            .Select(d => new DecisionChangeView(d.Version, d.Outcome, d.Rationale, d.DecidedLevel, d.DecidedBy, d.DecidedAt)).ToListAsync(ct);
    }

    /// <summary>What publishing the cycle now would do, for HR: the page shows it before asking for confirmation, and publication checks it.</summary>
    public async Task<Outcome<PublicationPreview>> PreviewPublicationAsync(string name, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("Only HR publishes a cycle.");
        var cycle = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ct);
        if (cycle is null) return NoCycle(name);
        var rows = await db.Nominations.AsNoTracking().Where(n => n.CycleId == cycle.Id)
            .Join(db.Employees, n => n.EmployeeId, e => e.Id, (n, e) => new PublicationRow(n, e.Name, e.Level, e.Status))
            .ToListAsync(ct);
        var history = await db.Promotions.AsNoTracking().Where(p => p.Cycle == name).Select(p => p.EmployeeId).ToListAsync(ct);
        // A published cycle's own rows are its history, and its candidates' levels are the ones it set: only an open cycle is checked against them.
        return Preview(cycle, rows, await frameworks.RequireAsync(ct), history.ToHashSet(), open: cycle.Phase != CyclePhases.Published, Today).Preview;
    }

    /// <summary>A nomination with its candidate as they are now (null level and status: no such employee any more).</summary>
    private sealed record PublicationRow(Nomination N, string Name, string? Level, string? Status);

    /// <summary>
    /// The preview and each nomination's outcome, from one reading of the nominations, the candidates and the history, so that
    /// publication applies exactly what it checked. Besides the committee's and the candidate's part (<see cref="Publication.Blocker"/>),
    /// an open cycle is blocked by a candidate the history already has under the cycle's name (publication writes the history,
    /// it never overwrites it), and by a promotion that no longer fits its candidate: someone who left, or whose level changed
    /// since the nomination (another cycle, an import or provisioning moved them; applying it would promote twice, sideways or down).
    /// </summary>
    private static (PublicationPreview Preview, Dictionary<int, PublishedOutcome> Resolved) Preview(
        Cycle cycle, IReadOnlyList<PublicationRow> rows, CareerFramework framework, HashSet<string> history, bool open, DateOnly today)
    {
        var outcomes = PromotionOutcomes.All.ToDictionary(o => o, _ => 0);
        var blockers = new List<PublishBlocker>();
        var resolved = new Dictionary<int, PublishedOutcome>();
        foreach (var row in rows.OrderBy(r => r.N.EmployeeId, StringComparer.Ordinal))
        {
            var n = row.N;
            var expert = PromotionTargets.ExpertEquivalent(framework, n.TargetLevel)?.Key;
            var alternative = n.Decision == DecisionOutcomes.Alternative ? n.DecidedLevel : null;
            var reason = open && history.Contains(n.EmployeeId)
                ? $"the promotion history already has a row for this person under the name '{cycle.Name}' (written before this cycle, e.g. imported); publication never overwrites the history"
                : Publication.Blocker(n.Choice, n.Decision, n.TargetLevel, expert, alternative);
            PublishedOutcome? outcome = null;
            if (reason is null)
            {
                outcome = Publication.Resolve(n.Choice, n.Decision, n.TargetLevel, expert, alternative);
                if (open && outcome.Outcome == PromotionOutcomes.Promoted)
                {
                    if (row.Status != EmployeeStatus.Active)
                        reason = "promoted, but the person has left the organisation: a leaver is not promoted (the committee decides not_yet)";
                    else if (row.Level != n.FromLevel)
                        reason = $"promoted, but the person is now at {row.Level}, not at {n.FromLevel} as when nominated: the promotion was decided for another level " +
                                 "(the committee decides not_yet, or the candidate declines)";
                }
            }
            if (reason is not null) blockers.Add(new PublishBlocker(n.Id, n.EmployeeId, row.Name, reason));
            else
            {
                resolved[n.Id] = outcome!;
                outcomes[outcome!.Outcome]++;
            }
        }
        var promotions = outcomes[PromotionOutcomes.Promoted];
        return (new PublicationPreview(cycle.Name, outcomes, promotions, cycle.Budget, cycle.ResponseDeadline, blockers,
            Publication.OverridesNeeded(today, cycle.ResponseDeadline, promotions, cycle.Budget)), resolved);
    }

    public async Task<Outcome<CycleResponse>> PublishAsync(string name, PublishRequest? request = null, CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("Only HR publishes a cycle.");
        var found = await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ct);
        if (found is null) return NoCycle(name);
        if (found.Phase == CyclePhases.Published) return AlreadyPublished(name);
        if (CyclePhases.CheckPublishing(found.Phase) is { } why) return Problem.Conflict($"Cycle '{name}': {why}.");
        var overrideReason = string.IsNullOrWhiteSpace(request?.OverrideReason) ? null : request.OverrideReason.Trim();
        if (overrideReason is { Length: > 2000 }) return Problem.Invalid("override_reason", "override_reason is longer than 2,000 characters");
        var framework = await frameworks.RequireAsync(ct);
        var today = Today;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The move to published is claimed first, by a conditional update, and everything publication uses is read after it, in
        // this transaction. Of two publications at once only one changes the row: the other waits for its commit and then finds
        // the phase changed (on PostgreSQL an UPDATE re-checks its WHERE on the row a concurrent transaction committed). An answer
        // changes the same row only while the cycle is not published (RespondAsync), so it lands wholly before the claim, and is
        // read below, or is refused. Any refusal below rolls the claim back.
        var claimed = await db.Cycles.Where(c => c.Id == found.Id && c.Phase == CyclePhases.Calibration)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Phase, CyclePhases.Published).SetProperty(c => c.PublishedOn, (DateOnly?)today)
                .SetProperty(c => c.Revision, c => c.Revision + 1), ct);
        if (claimed == 0) return AlreadyPublished(name);
        var cycle = await db.Cycles.AsNoTracking().FirstAsync(c => c.Id == found.Id, ct);

        var nominations = await db.Nominations.Where(n => n.CycleId == cycle.Id).ToListAsync(ct);
        var employees = new Dictionary<string, Employee>();
        foreach (var chunk in nominations.Select(n => n.EmployeeId).Chunk(500))
            foreach (var e in await db.Employees.Where(e => chunk.Contains(e.Id)).ToListAsync(ct)) employees[e.Id] = e;
        var history = await db.Promotions.AsNoTracking().Where(p => p.Cycle == name).Select(p => p.EmployeeId).ToListAsync(ct);
        var (preview, resolvedOutcomes) = Preview(cycle,
            nominations.Select(n => employees.TryGetValue(n.EmployeeId, out var e) ? new PublicationRow(n, e.Name, e.Level, e.Status) : new PublicationRow(n, n.EmployeeId, null, null)).ToList(),
            framework, history.ToHashSet(), open: true, today);
        if (preview.Blockers.Count > 0)
            return Problem.Conflict($"Cycle '{name}' cannot be published: {preview.Blockers.Count} candidate(s) block it: " +
                                       string.Join("; ", preview.Blockers.Take(20).Select(b => $"{b.Name} ({b.EmployeeId}): {b.Reason}")) +
                                       (preview.Blockers.Count > 20 ? "; …" : "") + ".")
                with { Extensions = new Dictionary<string, object?> { ["blockers"] = preview.Blockers } };
        if (preview.OverridesNeeded.Count > 0 && overrideReason is null)
            return Problem.Conflict($"Cycle '{name}': publishing now needs an override with a reason (override_reason): " +
                                       string.Join(" and ", preview.OverridesNeeded.Select(o => OverrideText(o, preview))) + ".")
                with { Extensions = new Dictionary<string, object?> { ["overrides_needed"] = preview.OverridesNeeded } };

        try
        {
            // The offer notifications ("you are nominated … answer by") are superseded by the outcome: no page shows the old offer after publication.
            var candidates = nominations.Select(n => n.EmployeeId).ToHashSet();
            foreach (var chunk in nominations.Select(n => $"/nominations/{n.Id}").Chunk(500))
            {
                var links = chunk.ToList();
                var offers = await db.Notifications.Where(x => x.Link != null && links.Contains(x.Link)).ToListAsync(ct);
                db.Notifications.RemoveRange(offers.Where(x => candidates.Contains(x.EmployeeId)));
            }
            foreach (var n in nominations)
            {
                var resolved = resolvedOutcomes[n.Id];
                n.PublishedOutcome = resolved.Outcome;
                n.PublishedLevel = resolved.ToLevel;
                // A decision saved at the same moment (DecideAsync checks the phase before it writes) fails its version check
                // instead of changing a published nomination; and if it was saved after the read above, this update fails instead.
                n.Version++;
                // Inserted only: a row of the same cycle and person is someone else's history (the preview blocks it; the key refuses it).
                db.Promotions.Add(new PromotionRecord { Cycle = name, EmployeeId = n.EmployeeId, DecidedOn = today, FromLevel = n.FromLevel, ToLevel = resolved.ToLevel, Outcome = resolved.Outcome });
                db.Outbox.Add(WebhookEvents.PromotionPublished(name, n, employees.GetValueOrDefault(n.EmployeeId)?.Name ?? n.EmployeeId));

                if (!employees.TryGetValue(n.EmployeeId, out var employee)) continue;
                var newLevel = framework.FindLevel(resolved.ToLevel);
                var newTrack = framework.TrackOf(resolved.ToLevel);
                // The preview let a promotion through only for an active person still at the nomination's level.
                if (resolved.Outcome == PromotionOutcomes.Promoted && newTrack is not null)
                {
                    var wasLeader = framework.TrackOf(employee.Level)?.IsPeopleLeader == true;
                    employee.Level = resolved.ToLevel;
                    employee.Track = newTrack.Key;
                    employee.LevelSince = today;
                    db.Outbox.Add(WebhookEvents.EmployeeChanged(employee));
                    if (newTrack.IsPeopleLeader && !wasLeader) await AddTransitionPlanAsync(employee, name, resolved.ToLevel, today, ct);
                }
                var text = OutcomeText(resolved, newLevel, n.DecisionRationale);
                notifier.Add(n.EmployeeId, $"The {name} cycle is published", text, $"/nominations/{n.Id}");
                if (employee.ManagerId is { } manager)
                    notifier.Add(manager, $"{employee.Name}: {name} cycle published", $"{employee.Name}: {text}", $"/nominations/{n.Id}");
                // A promotion (on either track) is invited to tell its story; nothing is published unless the person approves it.
                if (resolved.Outcome == PromotionOutcomes.Promoted)
                    notifier.Add(n.EmployeeId, "Share the story of your promotion?",
                        "Trellis drafted a short story of your promotion from your evidence. Edit it, choose recognitions to quote, and publish it on the Promotions page, or decline: nothing is published unless you approve it.",
                        $"/promotions/story/{name}");
            }
            db.Outbox.Add(WebhookEvents.CyclePhaseChanged(name, found.Phase, CyclePhases.Published));
            AddEvent(cycle.Id, "published",
                $"published: {string.Join(", ", preview.Outcomes.Select(o => $"{o.Value} {o.Key}"))}; {preview.Promotions} promotions against a budget of {preview.Budget}" +
                (preview.OverridesNeeded.Count > 0 ? $"; override: {string.Join(", ", preview.OverridesNeeded)}" : ""),
                preview.OverridesNeeded.Count > 0 ? overrideReason : null);
            db.Outbox.Add(WebhookEvents.CyclePublished(cycle, nominations));
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict($"Cycle '{name}': a decision changed while the cycle was being published, so nothing was published; reload and publish again.");
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            return Problem.Conflict($"Cycle '{name}': the promotion history got a row for one of its candidates under this cycle's name while it was being published; " +
                                    "publication never overwrites the history, so nothing was published.");
        }
        await tx.CommitAsync(ct);
        await notifier.SendEmailsAsync(ct);
        return await ToResponseAsync(cycle, ct);
    }

    private static Problem AlreadyPublished(string name) => Problem.Conflict($"Cycle '{name}' is already published; publishing it again changes nothing.");

    /// <summary>A write refused by a primary key or unique index (SQLite's constraint codes, PostgreSQL's unique_violation).</summary>
    private static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 1555 or 2067 } or Npgsql.PostgresException { SqlState: "23505" };

    private async Task AddTransitionPlanAsync(Employee employee, string cycle, string level, DateOnly today, CancellationToken ct)
    {
        var plan = new TransitionPlan { EmployeeId = employee.Id, ManagerId = employee.ManagerId, Cycle = cycle, Level = level, StartsOn = today };
        db.TransitionPlans.Add(plan);
        await db.SaveChangesAsync(ct); // the plan id, inside the publication's transaction
        foreach (var day in TransitionPlans.CheckInDays)
            db.TransitionCheckIns.Add(new TransitionCheckIn { PlanId = plan.Id, Day = day, DueOn = today.AddDays(day) });
        notifier.Add(employee.Id, "Your first 90 days as a people leader",
            "Check-ins with your manager at 30, 60 and 90 days, and an anonymous pulse from your new team.", $"/transitions/{plan.Id}");
        if (employee.ManagerId is { } manager)
            notifier.Add(manager, $"Transition plan for {employee.Name}",
                $"{employee.Name} is a new people leader: hold the 30, 60 and 90-day check-ins.", $"/transitions/{plan.Id}");
    }

    private static string OverrideText(string reason, PublicationPreview p) => reason switch
    {
        Publication.BeforeDeadline => $"candidates may still answer until {p.ResponseDeadline:yyyy-MM-dd}",
        Publication.OverBudget => $"{p.Promotions} promotions are over the budget of {p.Budget}",
        _ => reason,
    };

    private void AddEvent(int cycleId, string kind, string detail, string? overrideReason = null) =>
        db.CycleEvents.Add(new CycleEvent { CycleId = cycleId, Kind = kind, Detail = detail.Length > 2000 ? detail[..2000] : detail, OverrideReason = overrideReason, By = viewer.EmployeeId, At = clock.GetUtcNow() });

    /// <summary>Why the viewer (a committee member) must stand aside from this candidate under the cycle's recusal rule, or null.</summary>
    public async Task<string?> RecusedAsync(Cycle cycle, string candidateId, CancellationToken ct)
    {
        if (candidateId == viewer.EmployeeId) return "You are recused from your own candidacy: nobody records a decision on their own case.";
        if (cycle.Recuse == RecuseRules.ReportingLine && await viewer.ManagesAsync(candidateId, ct))
            return $"You are recused: cycle '{cycle.Name}' recuses committee members from candidates in their own reporting line, and {candidateId} reports to you.";
        return null;
    }

    private static string OutcomeText(PublishedOutcome o, Level? level, string? rationale) => o.Outcome switch
    {
        PromotionOutcomes.Promoted => $"Promoted to {level?.Name ?? o.ToLevel} ({o.ToLevel}).{(rationale is null ? "" : " Rationale: " + rationale)}",
        PromotionOutcomes.NotPromoted => $"Not this time.{(rationale is null ? "" : " Rationale: " + rationale)}",
        PromotionOutcomes.Declined => "You declined; nothing changes, and it carries no penalty.",
        _ => "Deferred; it carries no penalty and you can be nominated again.",
    };

    // ---------------------------------------------------------------- access and projections

    /// <summary>The first key of the PostgreSQL advisory locks that serialise nominations of one person ("trel" as an int).</summary>
    private const int NominationLockSpace = 0x7472_656C;

    /// <summary>Marks the cycle's board data changed. Runs after the change is committed, so that no reader caches old rows under the new revision.</summary>
    private Task<int> BumpRevisionAsync(int cycleId, CancellationToken ct) =>
        db.Cycles.Where(c => c.Id == cycleId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Revision, c => c.Revision + 1), ct);

    public enum NominationAccess { None, Manager, Candidate, Reviewer }

    /// <summary>Reviewer: HR or the cycle's committee (all details, decisions before publication). Candidate and managers: the nomination, and the decision once published.</summary>
    public async Task<NominationAccess> AccessAsync(Nomination n, CancellationToken ct)
    {
        // The candidate is a candidate first, whatever else they are (HR, committee): they are recused from their own case.
        if (n.EmployeeId == viewer.EmployeeId) return NominationAccess.Candidate;
        if (viewer.IsHr || await IsOnCommitteeAsync(n.CycleId, ct)) return NominationAccess.Reviewer;
        if (await viewer.ManagesAsync(n.EmployeeId, ct)) return NominationAccess.Manager;
        return NominationAccess.None;
    }

    public async Task<bool> IsOnCommitteeAsync(int cycleId, CancellationToken ct) =>
        !string.IsNullOrEmpty(viewer.EmployeeId) && await db.CycleCommittee.AnyAsync(m => m.CycleId == cycleId && m.EmployeeId == viewer.EmployeeId, ct);

    public async Task<Cycle?> FindCycleAsync(string name, CancellationToken ct) =>
        await db.Cycles.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ct);

    private sealed record NominationRow(Nomination N, string Cycle, string Phase, DateOnly ResponseDeadline, string EmployeeName, string? NominatorName);

    private IQueryable<NominationRow> NominationRows(IQueryable<Nomination> nominations) =>
        nominations
            .Join(db.Cycles, n => n.CycleId, c => c.Id, (n, c) => new { N = n, c.Name, c.Phase, c.ResponseDeadline })
            .Join(db.Employees, x => x.N.EmployeeId, e => e.Id, (x, e) => new NominationRow(x.N, x.Name, x.Phase, x.ResponseDeadline, e.Name,
                db.Employees.Where(nominator => nominator.Id == x.N.NominatedBy).Select(nominator => nominator.Name).FirstOrDefault()));

    private async Task<NominationResponse?> ToNominationAsync(int id, CancellationToken ct)
    {
        var row = await NominationRows(db.Nominations.AsNoTracking().Where(n => n.Id == id)).FirstOrDefaultAsync(ct);
        return row is null ? null : Project(row, await AccessAsync(row.N, ct));
    }

    /// <summary>Reviewers see everything; the candidate and their managers see the decision (and its version) once published; only reviewers and the candidate see the candidate's note.</summary>
    private static NominationResponse Project(NominationRow row, NominationAccess access)
    {
        var n = row.N;
        var published = row.Phase == CyclePhases.Published;
        var seeDecision = access == NominationAccess.Reviewer || (published && access != NominationAccess.None);
        var seeNote = access is NominationAccess.Reviewer or NominationAccess.Candidate;
        return new NominationResponse(n.Id, row.Cycle, row.Phase, n.EmployeeId, row.EmployeeName, n.FromLevel, n.TargetLevel, n.Rationale,
            n.NominatedBy, n.NominatedAs, n.Suggested, n.CreatedAt, n.Choice, seeNote ? n.ChoiceNote : null, n.RespondedAt, row.ResponseDeadline,
            seeDecision && n.Decision is not null ? new DecisionView(n.Decision, n.DecisionRationale!, n.DecidedLevel, n.DecidedBy!, n.DecidedAt!.Value) : null,
            // The version counts the decisions recorded: whoever may not see the decision does not see whether there is one either.
            seeDecision ? n.Version : 0, published ? n.PublishedOutcome : null, published ? n.PublishedLevel : null)
        {
            NominatedByName = row.NominatorName,
        };
    }

    private async Task<CycleResponse> ToResponseAsync(Cycle c, CancellationToken ct)
    {
        var committee = await db.CycleCommittee.AsNoTracking().Where(m => m.CycleId == c.Id)
            .Join(db.Employees, m => m.EmployeeId, e => e.Id, (m, e) => new PersonRef(e.Id, e.Name))
            .ToListAsync(ct);
        var count = await db.Nominations.CountAsync(n => n.CycleId == c.Id, ct);
        var history = viewer.IsHr
            ? await db.CycleEvents.AsNoTracking().Where(x => x.CycleId == c.Id).OrderBy(x => x.Id)
                .Select(x => new CycleEventView(x.Kind, x.Detail, x.OverrideReason, x.By, db.Employees.Where(e => e.Id == x.By).Select(e => e.Name).FirstOrDefault(), x.At))
                .ToListAsync(ct)
            : [];
        return new CycleResponse(c.Name, c.OpensOn, c.ClosesOn, c.ResponseDeadline, c.Budget, SplitLevels(c.EligibleLevels),
            committee.OrderBy(p => p.EmployeeId, StringComparer.Ordinal).ToList(), c.Phase, c.PublishedOn, count,
            committee.Any(p => p.EmployeeId == viewer.EmployeeId), c.Recuse) { History = history };
    }

    public static IReadOnlyList<string> SplitLevels(string levels) => levels.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static Problem NoCycle(string name) => Problem.NotFound($"There is no cycle named '{name}'.");
    private static Problem NoNomination(int id) => Problem.NotFound($"There is no nomination {id}.");
}
