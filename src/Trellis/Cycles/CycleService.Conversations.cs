using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Cycles;
using Trellis.Data;

namespace Trellis.Cycles;

/// <summary>
/// The candidate's step beyond the answer: asking for a conversation before answering (with their manager, HR, or someone
/// now at the target level; seen only by the candidate and the person asked) and "where you already lead".
/// </summary>
public sealed partial class CycleService
{
    public const string WithManager = "manager";
    public const string WithHr = "hr";
    public const string WithTargetLevel = "target_level";

    /// <summary>Whom the candidate may ask: their manager, the HR accounts, and up to 100 people now at the target level.</summary>
    public async Task<Outcome<ConversationPartners>> ConversationPartnersAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("Only the candidate asks for a conversation about their nomination.");
        return await PartnersAsync(n, ct);
    }

    private async Task<ConversationPartners> PartnersAsync(Nomination n, CancellationToken ct)
    {
        var candidate = await db.Employees.AsNoTracking().Where(e => e.Id == n.EmployeeId).Select(e => new { e.ManagerId }).FirstAsync(ct);
        PersonRef? manager = candidate.ManagerId is null ? null
            : await db.Employees.AsNoTracking().Where(e => e.Id == candidate.ManagerId && e.Status == EmployeeStatus.Active)
                .Select(e => new PersonRef(e.Id, e.Name)).FirstOrDefaultAsync(ct);
        var hrLists = Roles.ListsWith(Roles.Hr);
        var hrIds = await db.Accounts.AsNoTracking().Where(a => hrLists.Contains(a.Roles) && a.EmployeeId != n.EmployeeId).Select(a => a.EmployeeId).ToListAsync(ct);
        var hr = await db.Employees.AsNoTracking().Where(e => hrIds.Contains(e.Id) && e.Status == EmployeeStatus.Active)
            .OrderBy(e => e.Name).Select(e => new PersonRef(e.Id, e.Name)).ToListAsync(ct);
        var atLevel = await db.Employees.AsNoTracking().Where(e => e.Level == n.TargetLevel && e.Status == EmployeeStatus.Active && e.Id != n.EmployeeId)
            .OrderBy(e => e.Name).Take(100).Select(e => new PersonRef(e.Id, e.Name)).ToListAsync(ct);
        return new ConversationPartners(manager, hr, n.TargetLevel, atLevel);
    }

    public async Task<Outcome<ConversationView>> AskForConversationAsync(int id, ConversationRequestBody request, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("Only the candidate asks for a conversation about their nomination.");
        var withId = request.WithId?.Trim() ?? "";
        var message = string.IsNullOrWhiteSpace(request.Message) ? null : request.Message.Trim();
        if (withId.Length == 0) return Problem.Invalid("with_id", "Choose whom to ask: your manager, someone in HR, or someone now at the target level.");
        if (message is { Length: > 2000 }) return Problem.Invalid("message", "The message is longer than 2,000 characters.");
        var cycle = await db.Cycles.AsNoTracking().FirstAsync(c => c.Id == n.CycleId, ct);
        if (cycle.Phase == CyclePhases.Published) return Problem.Conflict($"Cycle '{cycle.Name}' is published: the nomination is decided.");
        var partners = await PartnersAsync(n, ct);
        var kind = partners.Manager?.EmployeeId == withId ? WithManager
            : partners.Hr.Any(p => p.EmployeeId == withId) ? WithHr
            : partners.AtTargetLevel.Any(p => p.EmployeeId == withId) ? WithTargetLevel
            : null;
        if (kind is null) return Problem.Invalid("with_id", $"'{withId}' is not your manager, in HR, or now at level {n.TargetLevel}");
        var with = kind == WithManager ? partners.Manager! : partners.Hr.Concat(partners.AtTargetLevel).First(p => p.EmployeeId == withId);

        var row = new ConversationRequest { NominationId = id, CandidateId = n.EmployeeId, WithId = withId, Kind = kind, Message = message, CreatedAt = clock.GetUtcNow() };
        db.ConversationRequests.Add(row);
        var level = (await frameworks.GetAsync(ct))?.Framework.FindLevel(n.TargetLevel)?.Name ?? n.TargetLevel;
        var capacity = kind switch { WithManager => "as their manager", WithHr => "in HR", _ => $"as someone who is {level} today" };
        notifier.Add(withId, $"{viewer.Name} asks to talk with you",
            $"{viewer.Name} is nominated for {level} ({n.TargetLevel}) and would like a conversation with you {capacity} before answering by " +
            $"{cycle.ResponseDeadline:yyyy-MM-dd}.{(message is null ? "" : " Their message: " + message)} Only you and {viewer.Name} see this request.",
            null);
        await db.SaveChangesAsync(ct);
        await notifier.SendEmailsAsync(ct);
        return new ConversationView(row.Id, id, new PersonRef(n.EmployeeId, viewer.Name), with, kind, message, row.CreatedAt);
    }

    /// <summary>The conversation requests of a nomination the viewer may see: all of them for the candidate, those made to them for anyone else.</summary>
    public async Task<Outcome<IReadOnlyList<ConversationView>>> ConversationsAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        var candidate = n.EmployeeId == viewer.EmployeeId;
        var rows = await db.ConversationRequests.AsNoTracking()
            .Where(r => r.NominationId == id && (candidate || r.WithId == viewer.EmployeeId))
            .OrderBy(r => r.Id)
            .Select(r => new
            {
                r.Id, r.CandidateId, r.WithId, r.Kind, r.Message, r.CreatedAt,
                CandidateName = db.Employees.Where(e => e.Id == r.CandidateId).Select(e => e.Name).FirstOrDefault(),
                WithName = db.Employees.Where(e => e.Id == r.WithId).Select(e => e.Name).FirstOrDefault(),
            })
            .ToListAsync(ct);
        // Visible only to the candidate and the person asked: anyone else (HR, the committee, managers) is refused.
        if (!candidate && rows.Count == 0) return Problem.Forbidden($"Conversation requests about nomination {id} are seen only by the candidate and the people they asked.");
        return rows.Select(r => new ConversationView(r.Id, id, new PersonRef(r.CandidateId, r.CandidateName ?? r.CandidateId),
            new PersonRef(r.WithId, r.WithName ?? r.WithId), r.Kind, r.Message, r.CreatedAt)).ToList();
    }

    /// <summary>
    /// "Where you already lead": the target level's behaviours the candidate already meets (score at or above the level's
    /// expectation), with the evidence count behind each and the recognitions received for it. For the candidate only.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<LeadingBehavior>>> WhereYouLeadAsync(int id, CancellationToken ct = default)
    {
        var n = await db.Nominations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return NoNomination(id);
        if (n.EmployeeId != viewer.EmployeeId) return Problem.Forbidden("\"Where you already lead\" is shown to the candidate.");
        // The candidate's own view: feedback held back for anonymity (issue 14) is not counted.
        var report = await readiness.GetForViewerAsync(n.EmployeeId, viewer.EmployeeId, n.TargetLevel, null, ct);
        if (report is null) return Array.Empty<LeadingBehavior>();
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var recognitions = (await db.Recognitions.AsNoTracking().Where(r => r.ToId == n.EmployeeId && r.Behavior != null)
                .GroupBy(r => r.Behavior!).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => x.Key, x => x.Count);
        return report.Behaviors
            .Where(b => b.EvidenceCount > 0 && b.Score is { } s && b.Expected is { } e && s >= e)
            .Select(b => new LeadingBehavior(b.Behavior, framework?.Behaviors.FirstOrDefault(x => x.Key == b.Behavior)?.Name ?? b.Behavior,
                Math.Round(b.Score!.Value, 2), b.Expected!.Value, b.EvidenceCount, recognitions.GetValueOrDefault(b.Behavior)))
            .OrderByDescending(b => b.Score - b.Expected).ThenBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>Nominating by name: the people the viewer may nominate in a cycle, with the levels each may be nominated for.</summary>
public sealed partial class CycleService
{
    private const int MaxLineInQuery = 2000;

    /// <summary>The first <paramref name="count"/> rows of a query that <paramref name="keep"/> accepts, reading no further.</summary>
    private static async Task<List<T>> FirstAsync<T>(IQueryable<T> query, Func<T, bool> keep, int count, CancellationToken ct)
    {
        var kept = new List<T>(count);
        await foreach (var row in query.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!keep(row)) continue;
            kept.Add(row);
            if (kept.Count == count) break;
        }
        return kept;
    }

    /// <summary>Up to 20 people whose name or id contains <paramref name="q"/>, among those the viewer may nominate (HR: anyone; managers: their line and themselves; everyone: themselves).</summary>
    public async Task<Outcome<IReadOnlyList<NomineeView>>> NomineesAsync(string cycleName, string? q, CancellationToken ct = default)
    {
        var cycle = await FindCycleAsync(cycleName, ct);
        if (cycle is null) return NoCycle(cycleName);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Array.Empty<NomineeView>();
        var people = db.Employees.AsNoTracking().Where(e => e.Status == EmployeeStatus.Active);
        Func<string, bool>? largeLine = null;
        var text = q?.Trim() ?? "";
        if (!viewer.IsHr)
        {
            // The line from the organisation snapshot (active people, as this list is): no walk of the reporting line in
            // the database, which took 200 queries for a senior manager of 100,000 people.
            var org = await orgs.GetAsync(db, ct);
            var me = viewer.IsManager ? org.IndexOf(viewer.EmployeeId) : null;
            // A senior manager's line (100,000 ids) is more parameters than SQLite takes: such a line filters as the rows
            // stream in, asking the structure (a short walk up) instead of building a set of the whole line per request.
            if (me is { } top && org.Structure.TotalReports(top) + 1 > MaxLineInQuery)
                largeLine = id => id == viewer.EmployeeId || (org.IndexOf(id) is { } p && org.Structure.IsAbove(top, p));
            else
            {
                var allowed = me is { } m ? org.Structure.ReportsOf(m).Select(i => org.Ids[i]).ToList() : [];
                allowed.Add(viewer.EmployeeId);
                people = people.Where(e => allowed.Contains(e.Id));
            }
        }
        if (text.Length > 0)
        {
            var lower = text.ToLowerInvariant();
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL lower(); the StringComparison overloads do not translate.
            people = people.Where(e => e.Name.ToLower().Contains(lower) || e.Id.ToLower().Contains(lower));
#pragma warning restore CA1862
        }
        var eligible = SplitLevels(cycle.EligibleLevels);
        var ordered = people.OrderBy(e => e.Name).ThenBy(e => e.Id).Select(e => new { e.Id, e.Name, e.Level, e.Department });
        var rows = largeLine is null ? await ordered.Take(20).ToListAsync(ct) : await FirstAsync(ordered, e => largeLine(e.Id), 20, ct);
        return rows.Select(e => new NomineeView(e.Id, e.Name, e.Department, e.Level, framework.FindLevel(e.Level)?.Name ?? e.Level,
                eligible.Count > 0 && !eligible.Contains(e.Level) ? [] :
                PromotionTargets.ValidTargets(framework, e.Level).Select(l => new LevelChoice(l.Key, l.Name, framework.TrackOf(l.Key)?.Name ?? "")).ToList()))
            .ToList();
    }

    /// <summary>Every level as a choice (name, track), for the nomination form's list.</summary>
    public async Task<IReadOnlyList<LevelChoice>> LevelChoicesAsync(CancellationToken ct = default)
    {
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        return framework is null ? [] : framework.Tracks.SelectMany(t => t.Levels.Select(l => new LevelChoice(l.Key, l.Name, t.Name))).ToList();
    }

    /// <summary>The page's fallback when no id came with the name (no script): the one person of that exact name the viewer may nominate.</summary>
    public async Task<string?> ResolveNomineeAsync(string cycleName, string? name, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var found = (await NomineesAsync(cycleName, name.Trim(), ct)).Value ?? [];
        var exact = found.Where(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase) || p.EmployeeId == name.Trim()).ToList();
        return exact.Count == 1 ? exact[0].EmployeeId : null;
    }
}
