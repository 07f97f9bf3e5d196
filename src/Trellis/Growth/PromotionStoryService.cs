using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core;
using Trellis.Core.Framework;
using Trellis.Core.Readiness;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;
using Trellis.Webhooks;

namespace Trellis.Growth;

/// <summary>
/// Promotion stories (docs/growth.md): after publication each promoted person is asked whether to publish a short story of
/// the promotion. Trellis drafts it from the evidence (where their estimates most exceed what the level they leave expects)
/// and from recognitions about them that they choose to quote; only they edit, approve or decline it, and nothing is listed
/// before they approve. Declined, not-promoted and deferred outcomes never get a story.
/// </summary>
public sealed class PromotionStoryService(
    TrellisDb db, Viewer viewer, FrameworkStore frameworks, ReadinessService readiness, TimeProvider clock, StorySummaryCache summaries)
{
    public const int MaxHeadlineLength = 120;
    public const int MaxTextLength = 2000;
    public const int MaxValues = 3;
    public const int MaxBehaviors = 5;
    public const int MaxQuotes = 3;
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    private const string SubjectOnly = "Only the person promoted writes, approves or declines their promotion story: not their managers, HR or an admin.";
    private const string DraftPrivate = "A story that is not published is seen only by the person it is about; HR sees how many stories are not published (GET /api/v1/promotion-stories/summary), never their text.";

    // ---------------------------------------------------------------- the subject's side

    /// <summary>The viewer's promotions (promoted outcomes of published cycles) with their stories: what the inbox asks about.</summary>
    public async Task<IReadOnlyList<MyPromotion>> MineAsync(CancellationToken ct = default)
    {
        var me = viewer.EmployeeId;
        var promotions = await db.Promotions.AsNoTracking().Where(p => p.EmployeeId == me && p.Outcome == PromotionOutcomes.Promoted)
            .OrderByDescending(p => p.DecidedOn).ToListAsync(ct);
        var stories = await db.Set<PromotionStory>().AsNoTracking().Where(s => s.EmployeeId == me).Select(s => new { s.Id, s.Cycle }).ToListAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var list = new List<MyPromotion>();
        foreach (var p in promotions)
        {
            var id = stories.FirstOrDefault(s => s.Cycle == p.Cycle)?.Id;
            list.Add(new MyPromotion(p.Cycle, p.FromLevel, p.ToLevel, framework?.FindLevel(p.ToLevel)?.Name ?? p.ToLevel, p.DecidedOn, id is { } storyId ? await ViewAsync(storyId, framework, own: true, ct) : null));
        }
        return list;
    }

    /// <summary>
    /// Starts the viewer's story of their promotion in <paramref name="request"/>'s cycle, drafted from the evidence (201), or
    /// returns the one already started (200). 403 for anyone else's; 409 when the outcome was not a promotion.
    /// </summary>
    public async Task<Outcome<StoryView>> CreateAsync(CreateStoryRequest request, CancellationToken ct = default)
    {
        var cycle = request.Cycle?.Trim();
        if (string.IsNullOrEmpty(cycle)) return Problem.Invalid("cycle", "Say which cycle's promotion the story is about.");
        var me = viewer.EmployeeId;
        if (string.IsNullOrEmpty(me)) return Problem.Forbidden(SubjectOnly);
        if (request.EmployeeId is { } other && other.Trim() != me) return Problem.Forbidden(SubjectOnly);
        var record = await db.Promotions.AsNoTracking().FirstOrDefaultAsync(p => p.Cycle == cycle && p.EmployeeId == me, ct);
        if (record is null) return Problem.NotFound($"You have no published outcome in cycle '{cycle}'.");
        if (record.Outcome != PromotionOutcomes.Promoted) return NotAPromotion(record.Outcome, cycle);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var existing = await db.Set<PromotionStory>().AsNoTracking().Where(s => s.Cycle == cycle && s.EmployeeId == me).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct);
        if (existing is { } id) return await ViewAsync(id, framework, own: true, ct);

        var report = await readiness.GetOwnAsync(me, null, null, ct);
        var story = await DraftAsync(db, framework, framework is null ? [] : Evidence(framework, report, record.FromLevel), record, clock.GetUtcNow(), ct);
        db.Add(story);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two tabs started it at once: the other one's draft stands.
            db.ChangeTracker.Clear();
            var id2 = await db.Set<PromotionStory>().AsNoTracking().Where(s => s.Cycle == cycle && s.EmployeeId == me).Select(s => s.Id).FirstAsync(ct);
            return await ViewAsync(id2, framework, own: true, ct);
        }
        return Outcome<StoryView>.New(await ViewAsync(story.Id, framework, own: true, ct));
    }

    /// <summary>The viewer opened their story of <paramref name="cycle"/>: its inbox invitation is read.</summary>
    public Task<int> MarkInvitationReadAsync(string cycle, CancellationToken ct = default)
    {
        var link = $"/promotions/story/{cycle}";
        var (me, now) = (viewer.EmployeeId, clock.GetUtcNow());
        return db.Notifications.Where(n => n.EmployeeId == me && n.Link == link && n.ReadAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, now), ct);
    }

    /// <summary>A story: published ones for anyone signed in; a draft or declined one for its subject only.</summary>
    public async Task<Outcome<StoryView>> GetAsync(int id, CancellationToken ct = default)
    {
        var row = await db.Set<PromotionStory>().AsNoTracking().Where(s => s.Id == id).Select(s => new { s.EmployeeId, s.Status }).FirstOrDefaultAsync(ct);
        if (row is null) return NoStory(id);
        var own = row.EmployeeId == viewer.EmployeeId;
        if (!own && row.Status != StoryStatuses.Published) return Problem.Forbidden(DraftPrivate);
        return await ViewAsync(id, (await frameworks.GetAsync(ct))?.Framework, own, ct);
    }

    public async Task<Outcome<StoryView>> UpdateAsync(int id, UpdateStoryRequest request, CancellationToken ct = default)
    {
        var (story, problem) = await OwnStoryAsync(id, request.Version, ct);
        if (problem is not null) return problem;
        if (story!.Status == StoryStatuses.Published)
            return Problem.Conflict("The story is published: decline (withdraw) it first to change it, then approve it again.");
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var errors = new FieldErrors();
        if (request.Headline is { } headline)
        {
            if (string.IsNullOrWhiteSpace(headline)) errors.Add("headline", "Give the story a headline.");
            else if (headline.Trim().Length > MaxHeadlineLength) errors.Add("headline", $"At most {MaxHeadlineLength} characters ({headline.Trim().Length} given).");
            else story.Headline = headline.Trim();
        }
        if (request.Text is { } text)
        {
            if (string.IsNullOrWhiteSpace(text)) errors.Add("text", "Write the story, or decline to publish one.");
            else if (text.Trim().Length > MaxTextLength) errors.Add("text", $"At most {MaxTextLength} characters ({text.Trim().Length} given).");
            else story.Text = text.Trim();
        }
        if (request.Values is { } values)
        {
            var keys = values.Select(v => v?.Trim() ?? "").Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (keys.Count == 0) errors.Add("values", "Name at least one value the promotion recognised.");
            else if (keys.Count > MaxValues) errors.Add("values", $"Name at most {MaxValues} values ({keys.Count} chosen).");
            foreach (var k in keys.Where(k => framework?.Values.Any(v => v.Key == k) != true)) errors.Add("values", $"'{k}' is not a value of the current framework.");
            if (!errors.Has("values"))
            {
                story.Values.RemoveAll(v => !keys.Contains(v.Value));
                foreach (var k in keys.Where(k => story.Values.All(v => v.Value != k))) story.Values.Add(new PromotionStoryValue { Value = k });
            }
        }
        if (request.Behaviors is { } behaviors)
        {
            var keys = behaviors.Select(b => b?.Trim() ?? "").Where(b => b.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (keys.Count > MaxBehaviors) errors.Add("behaviors", $"Name at most {MaxBehaviors} behaviours ({keys.Count} chosen).");
            foreach (var k in keys.Where(k => framework?.FindBehavior(k) is null)) errors.Add("behaviors", $"'{k}' is not a behaviour of the current framework.");
            if (!errors.Has("behaviors")) story.Behaviors = string.Join(',', keys);
        }
        if (request.QuotedRecognitionIds is { } quoted)
        {
            var ids = quoted.Select(q => q?.Trim() ?? "").Where(q => q.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count > MaxQuotes) errors.Add("quoted_recognition_ids", $"Quote at most {MaxQuotes} recognitions ({ids.Count} chosen).");
            var about = await db.Recognitions.AsNoTracking().Where(r => ids.Contains(r.Id) && r.ToId == story.EmployeeId).Select(r => r.Id).ToListAsync(ct);
            foreach (var q in ids.Where(q => !about.Contains(q)))
                errors.Add("quoted_recognition_ids", $"Recognition '{q}' is not one about you: a story quotes only recognition its subject received.");
            if (!errors.Has("quoted_recognition_ids"))
            {
                story.Quotes.Clear();
                for (var i = 0; i < ids.Count; i++) story.Quotes.Add(new PromotionStoryQuote { RecognitionId = ids[i], Position = i });
            }
        }
        if (errors.Any) return errors.ToProblem("The story was not changed.");
        // Editing a declined story takes it back to a draft: the person changed their mind.
        story.Status = StoryStatuses.Draft;
        return await SaveAsync(story, framework, ct);
    }

    /// <summary>The subject approves: the story is published, listed and announced (<c>promotion.story_published</c>) in one transaction.</summary>
    public async Task<Outcome<StoryView>> ApproveAsync(int id, StoryDecisionRequest? request, CancellationToken ct = default)
    {
        var (story, problem) = await OwnStoryAsync(id, request?.Version, ct);
        if (problem is not null) return problem;
        if (story!.Status == StoryStatuses.Published) return Problem.Conflict("The story is already published.");
        // The promotion must still stand (a corrected publication may have changed it).
        var outcome = await db.Promotions.AsNoTracking().Where(p => p.Cycle == story.Cycle && p.EmployeeId == story.EmployeeId).Select(p => p.Outcome).FirstOrDefaultAsync(ct);
        if (outcome != PromotionOutcomes.Promoted) return NotAPromotion(outcome ?? "no", story.Cycle);
        if (story.Values.Count == 0) return Problem.Invalid("values", "Name at least one value the promotion recognised before publishing.");
        Publish(db, story, clock.GetUtcNow());
        Log(story, "promotion_story.published", null);
        return await SaveAsync(story, (await frameworks.GetAsync(ct))?.Framework, ct);
    }

    /// <summary>The subject declines to publish (or withdraws a published story): it is never listed.</summary>
    public async Task<Outcome<StoryView>> DeclineAsync(int id, StoryDecisionRequest? request, CancellationToken ct = default)
    {
        var (story, problem) = await OwnStoryAsync(id, request?.Version, ct);
        if (problem is not null) return problem;
        if (story!.Status == StoryStatuses.Declined) return Problem.Conflict("The story is already declined.");
        var withdrawn = story.Status == StoryStatuses.Published;
        story.Status = StoryStatuses.Declined;
        story.PublishedAt = null;
        // A decline tells no one, the audit log included: an entry would name who declined to whoever reads the log. A
        // withdrawal is logged, as the publication was: the story leaves a public list everyone saw it on.
        if (withdrawn)
        {
            Log(story, "promotion_story.withdrawn", null);
            db.Outbox.Add(WebhookEvents.PromotionStoryWithdrawn(story, clock.GetUtcNow()));
        }
        return await SaveAsync(story, (await frameworks.GetAsync(ct))?.Framework, ct);
    }

    private async Task<(PromotionStory?, Problem?)> OwnStoryAsync(int id, int? version, CancellationToken ct)
    {
        var story = await db.Set<PromotionStory>().Include(s => s.Values).Include(s => s.Quotes).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (story is null) return (null, NoStory(id));
        if (story.EmployeeId != viewer.EmployeeId) return (null, Problem.Forbidden(SubjectOnly));
        if (version is { } v && v != story.Version)
            return (null, Problem.Conflict($"The story changed since you loaded it (version {story.Version}, not {v}), perhaps in another tab; reload it."));
        return (story, null);
    }

    private async Task<Outcome<StoryView>> SaveAsync(PromotionStory story, CareerFramework? framework, CancellationToken ct)
    {
        story.Version++;
        story.UpdatedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem.Conflict("The story was changed at the same time, perhaps in another tab; reload it.");
        }
        return await ViewAsync(story.Id, framework, own: true, ct);
    }

    private void Log(PromotionStory story, string action, string? detail) =>
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), ActorEmployeeId = viewer.EmployeeId, Action = action, SubjectEmployeeId = story.EmployeeId, Detail = detail ?? $"story {story.Id} ({story.Cycle})" });

    /// <summary>Marks a story published and adds its event to the unit of work (the caller saves).</summary>
    internal static void Publish(TrellisDb db, PromotionStory story, DateTimeOffset at)
    {
        story.Status = StoryStatuses.Published;
        story.PublishedAt = at;
        db.Outbox.Add(WebhookEvents.PromotionStoryPublished(story));
    }

    private static Problem NotAPromotion(string outcome, string cycle) => Problem.Conflict(
        $"Your outcome in cycle '{cycle}' is {outcome.Replace('_', '-')}: only a promotion gets a story. Declined, not-promoted and deferred outcomes are never published.");

    private static Problem NoStory(int id) => Problem.NotFound($"There is no promotion story {id}.");

    // ---------------------------------------------------------------- everyone's side

    /// <summary>Published stories, newest first, optionally naming one value and of one department.</summary>
    public async Task<Outcome<StoryPage>> ListAsync(string? value, string? department, int? page, int? pageSize, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (page is < 1) errors.Add("page", "page starts at 1.");
        if (pageSize is < 1 or > MaxPageSize) errors.Add("page_size", $"page_size is 1 to {MaxPageSize}.");
        if (errors.Any) return errors.ToProblem("The stories were not listed.");
        var (p, size) = (page ?? 1, pageSize ?? DefaultPageSize);
        var q = db.Set<PromotionStory>().AsNoTracking().Where(s => s.Status == StoryStatuses.Published);
        if (!string.IsNullOrWhiteSpace(value)) { var v = value.Trim(); q = q.Where(s => s.Values.Any(x => x.Value == v)); }
        if (!string.IsNullOrWhiteSpace(department))
        {
            var d = department.Trim();
            q = q.Where(s => db.Employees.Any(e => e.Id == s.EmployeeId && e.Department == d));
        }
        var total = await q.CountAsync(ct);
        var ids = await q.OrderByDescending(s => s.PublishedAt).ThenByDescending(s => s.Id).Skip((p - 1) * size).Take(size).Select(s => s.Id).ToListAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var items = new List<StoryView>(ids.Count);
        foreach (var id in ids) items.Add(await ViewAsync(id, framework, own: false, ct));
        return new StoryPage(items, total, p, size);
    }

    /// <summary>The published stories of one person, newest first (their person page).</summary>
    public async Task<IReadOnlyList<StoryView>> PublishedOfAsync(string employeeId, CancellationToken ct = default)
    {
        var ids = await db.Set<PromotionStory>().AsNoTracking().Where(s => s.EmployeeId == employeeId && s.Status == StoryStatuses.Published)
            .OrderByDescending(s => s.PublishedAt).Select(s => s.Id).ToListAsync(ct);
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        var items = new List<StoryView>(ids.Count);
        foreach (var id in ids) items.Add(await ViewAsync(id, framework, own: false, ct));
        return items;
    }

    /// <summary>The departments that have published stories (the page's filter).</summary>
    public async Task<IReadOnlyList<string>> DepartmentsAsync(CancellationToken ct = default) =>
        (await db.Set<PromotionStory>().AsNoTracking().Where(s => s.Status == StoryStatuses.Published)
            .Join(db.Employees, s => s.EmployeeId, e => e.Id, (s, e) => e.Department).Where(d => d != null).Distinct().ToListAsync(ct))
        .Select(d => d!).Order(StringComparer.Ordinal).ToList();

    /// <summary>For HR: per cycle, promoted people, published stories and the rest (not published); no names, no text.</summary>
    public async Task<Outcome<IReadOnlyList<StoryCycleSummary>>> SummaryAsync(CancellationToken ct = default)
    {
        if (!viewer.IsHr) return Problem.Forbidden("How many promotion stories are published or in draft is shown to HR only.");
        var promotionsRevision = await TableRevision.ReadAsync(db, TableRevision.Promotions, ct);
        var storiesRevision = await TableRevision.ReadAsync(db, TableRevision.PromotionStories, ct);
        if (summaries.Get(promotionsRevision, storiesRevision) is { } cached) return cached;
        var promoted = await db.Promotions.AsNoTracking().Where(p => p.Outcome == PromotionOutcomes.Promoted)
            .GroupBy(p => p.Cycle).Select(g => new { Cycle = g.Key, Count = g.Count(), On = g.Max(p => p.DecidedOn) }).ToListAsync(ct);
        var stories = await db.Set<PromotionStory>().AsNoTracking().GroupBy(s => new { s.Cycle, s.Status })
            .Select(g => new { g.Key.Cycle, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        int Count(string cycle, string status) => stories.Where(s => s.Cycle == cycle && s.Status == status).Sum(s => s.Count);
        var summary = promoted.OrderByDescending(p => p.On).ThenBy(p => p.Cycle, StringComparer.Ordinal)
            .Select(p => new StoryCycleSummary(p.Cycle, p.Count, Count(p.Cycle, StoryStatuses.Published), p.Count - Count(p.Cycle, StoryStatuses.Published)))
            .ToList();
        summaries.Put(promotionsRevision, storiesRevision, summary);
        return summary;
    }

    // ---------------------------------------------------------------- drafting and projection

    /// <summary>
    /// How far each behaviour's estimate is above what <paramref name="fromLevel"/> expects of it (estimate minus expectation,
    /// on the 1–5 scale), largest first; behaviours the level does not expect or without an estimate are left out.
    /// </summary>
    public static IReadOnlyList<StoryEvidence> Evidence(CareerFramework framework, ReadinessReport? report, string fromLevel)
    {
        var level = framework.FindLevel(fromLevel);
        if (report is null || level is null) return [];
        return report.Behaviors
            .Where(b => b.Score is not null && level.Expectations.GetValueOrDefault(b.Behavior) > 0 && framework.FindBehavior(b.Behavior) is not null)
            .Select(b =>
            {
                var expected = level.Expectations[b.Behavior];
                return new StoryEvidence(b.Behavior, framework.FindBehavior(b.Behavior)!.Name, framework.ValueOf(b.Behavior)?.Key ?? "",
                    Math.Round(b.Score!.Value, 2), b.Ci, expected, Math.Round(b.Score.Value - expected, 2));
            })
            .OrderByDescending(e => e.Above).ThenBy(e => e.Behavior, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A draft story for one promotion: the behaviours furthest above the level left (up to three that exceed it, else
    /// the nearest two), the values they belong to, and up to two recognitions about the person in those values.
    /// </summary>
    internal static async Task<PromotionStory> DraftAsync(TrellisDb db, CareerFramework? framework, IReadOnlyList<StoryEvidence> evidence, PromotionRecord record,
        DateTimeOffset now, CancellationToken ct)
    {
        var name = await db.Employees.AsNoTracking().Where(e => e.Id == record.EmployeeId).Select(e => e.Name).FirstOrDefaultAsync(ct) ?? record.EmployeeId;
        var first = name.Split(' ')[0];
        var from = framework?.FindLevel(record.FromLevel)?.Name ?? record.FromLevel;
        var to = framework?.FindLevel(record.ToLevel)?.Name ?? record.ToLevel;
        var above = evidence.Where(e => e.Above > 0).Take(3).ToList();
        var chosen = above.Count > 0 ? above : evidence.Take(2).ToList();
        var values = chosen.Select(e => e.Value).Where(v => v.Length > 0).Distinct().Take(MaxValues).ToList();
        if (values.Count == 0 && framework is { Values.Count: > 0 }) values.Add(framework.Values[0].Key);
        string ValueName(string key) => framework?.Values.FirstOrDefault(v => v.Key == key)?.Name ?? key;

        var text = $"{name} moves from {from} to {to} in the {record.Cycle} cycle.";
        if (above.Count > 0)
            text += $" Where the evidence is furthest above what {from} asks: {Words(above.Select(e => e.Name.ToLower(CultureInfo.InvariantCulture)))}"
                    + $", which is {Words(values.Select(ValueName))} in practice.";
        else
            text += $" What the promotion recognised is theirs to tell: {Words(values.Select(ValueName))}.";
        var quotes = await db.Recognitions.AsNoTracking()
            .Where(r => r.ToId == record.EmployeeId && values.Contains(r.Value) && r.Message != null && r.Message != "")
            .OrderByDescending(r => r.GivenOn).ThenBy(r => r.Id).Select(r => r.Id).Take(2).ToListAsync(ct);

        return new PromotionStory
        {
            Cycle = record.Cycle, EmployeeId = record.EmployeeId, FromLevel = record.FromLevel, ToLevel = record.ToLevel,
            Headline = $"{first} is now {to}"[..Math.Min($"{first} is now {to}".Length, MaxHeadlineLength)],
            Text = text.Length > MaxTextLength ? text[..MaxTextLength] : text,
            Behaviors = string.Join(',', chosen.Select(e => e.Behavior)),
            CreatedAt = now, UpdatedAt = now,
            Values = values.Select(v => new PromotionStoryValue { Value = v }).ToList(),
            Quotes = quotes.Select((q, i) => new PromotionStoryQuote { RecognitionId = q, Position = i }).ToList(),
        };
    }

    private static string Words(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch { 0 => "", 1 => list[0], _ => string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1] };
    }

    private async Task<StoryView> ViewAsync(int id, CareerFramework? framework, bool own, CancellationToken ct)
    {
        var s = await db.Set<PromotionStory>().AsNoTracking().Include(x => x.Values).Include(x => x.Quotes).FirstAsync(x => x.Id == id, ct);
        var person = await db.Employees.AsNoTracking().Where(e => e.Id == s.EmployeeId).Select(e => new { e.Name, e.Department }).FirstOrDefaultAsync(ct);
        var quoteIds = s.Quotes.OrderBy(q => q.Position).Select(q => q.RecognitionId).ToList();
        var quotes = await QuotesAsync(db.Recognitions.AsNoTracking().Where(r => quoteIds.Contains(r.Id)), framework, ct);
        quotes = quotes.OrderBy(q => quoteIds.IndexOf(q.RecognitionId)).ToList();
        IReadOnlyList<StoryEvidence>? evidence = null;
        IReadOnlyList<StoryQuote>? quotable = null;
        if (own)
        {
            var report = await readiness.GetForViewerAsync(s.EmployeeId, viewer.EmployeeId, null, null, ct);
            evidence = framework is null ? [] : Evidence(framework, report, s.FromLevel);
            quotable = await QuotesAsync(db.Recognitions.AsNoTracking().Where(r => r.ToId == s.EmployeeId).OrderByDescending(r => r.GivenOn).ThenBy(r => r.Id).Take(50), framework, ct);
        }
        var values = s.Values.Select(v => new StoryValue(v.Value, framework?.Values.FirstOrDefault(x => x.Key == v.Value)?.Name ?? v.Value))
            .OrderBy(v => framework?.Values.ToList().FindIndex(x => x.Key == v.Key) ?? 0).ToList();
        var behaviors = s.Behaviors.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(b => new StoryBehavior(b, framework?.FindBehavior(b)?.Name ?? b, framework?.ValueOf(b)?.Key ?? "")).ToList();
        return new StoryView(s.Id, s.Cycle, s.EmployeeId, person?.Name ?? s.EmployeeId, person?.Department, s.FromLevel, framework?.FindLevel(s.FromLevel)?.Name ?? s.FromLevel,
            s.ToLevel, framework?.FindLevel(s.ToLevel)?.Name ?? s.ToLevel, s.Status, s.Headline, s.Text, values, behaviors, quotes, s.PublishedAt, s.Demo, s.Version,
            evidence, quotable);
    }

    private async Task<List<StoryQuote>> QuotesAsync(IQueryable<Recognition> recognitions, CareerFramework? framework, CancellationToken ct)
    {
        var rows = await recognitions
            .GroupJoin(db.Employees, r => r.FromId, e => e.Id, (r, es) => new { r, es })
            .SelectMany(x => x.es.DefaultIfEmpty(), (x, e) => new { x.r.Id, From = e != null ? e.Name : x.r.FromId, x.r.Value, x.r.Behavior, x.r.Message, x.r.GivenOn })
            .ToListAsync(ct);
        return rows.OrderByDescending(r => r.GivenOn).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => new StoryQuote(r.Id, r.From, framework?.Values.FirstOrDefault(v => v.Key == r.Value)?.Name ?? r.Value,
            r.Behavior is null ? null : framework?.FindBehavior(r.Behavior)?.Name ?? r.Behavior, r.Message, r.GivenOn)).ToList();
    }
}
