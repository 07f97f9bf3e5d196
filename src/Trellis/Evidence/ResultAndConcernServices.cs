using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Evidence;

/// <summary>Results per period (the hygiene gate), entered by HR; upserted by employee and period.</summary>
public sealed partial class ResultService(TrellisDb db, EvidenceChanges changes)
{
    [GeneratedRegex(@"^\d{4}(-(H[12]|Q[1-4]))?$")]
    private static partial Regex PeriodFormat();

    public static bool IsPeriod(string period) => PeriodFormat().IsMatch(period);

    public async Task<Outcome<ResultResponse>> UpsertAsync(UpsertResultRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var employeeId = request.EmployeeId?.Trim();
        string? name = null;
        if (string.IsNullOrEmpty(employeeId)) errors.Add("employee_id", "Choose the employee the result belongs to.");
        else
        {
            name = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId).Select(e => e.Name).FirstOrDefaultAsync(ct);
            if (name is null) errors.Add("employee_id", $"There is no employee with id '{employeeId}'.");
        }
        var period = request.Period?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(period)) errors.Add("period", "Give the period, e.g. 2025-H2.");
        else if (!IsPeriod(period)) errors.Add("period", $"'{request.Period}' is not a period: use a year with a half or quarter, e.g. 2025-H2, 2025-Q3 or 2025.");
        if (request.PeriodEnd is null) errors.Add("period_end", "Give the last day of the period (YYYY-MM-DD).");
        if (request.Score is not { } score) errors.Add("score", "Give a score from 1 to 5 (3 = fully met).");
        else if (score < 1 || score > 5) errors.Add("score", $"The score must be from 1 to 5 (3 = fully met), not {score}.");
        if (errors.Any) return errors.ToProblem("The result was not saved.");

        var row = await db.Results.FirstOrDefaultAsync(r => r.EmployeeId == employeeId && r.Period == period, ct);
        var created = row is null;
        if (row is null)
        {
            row = new ResultRecord { EmployeeId = employeeId!, Period = period! };
            db.Results.Add(row);
        }
        var earliest = created || request.PeriodEnd!.Value < row.PeriodEnd ? request.PeriodEnd!.Value : row.PeriodEnd;
        row.PeriodEnd = request.PeriodEnd!.Value;
        row.Score = (double)request.Score!.Value;
        // The audit's stored scores of decisions after the period (old or new end) no longer hold: dropped in the same transaction.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await changes.RecordAsync(earliest, ct);
            await tx.CommitAsync(ct);
        }
        var saved = new ResultResponse(row.EmployeeId, name!, row.Period, row.PeriodEnd, row.Score, created);
        return created ? Outcome<ResultResponse>.New(saved) : saved;
    }

    /// <summary>Recent results, newest period end first; optionally one employee.</summary>
    public async Task<IReadOnlyList<ResultResponse>> RecentAsync(string? employeeId, int limit, CancellationToken ct = default)
    {
        var q = db.Results.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(employeeId)) q = q.Where(r => r.EmployeeId == employeeId.Trim());
        return await q.OrderByDescending(r => r.PeriodEnd).ThenBy(r => r.EmployeeId).Take(Math.Clamp(limit, 1, 500))
            .Select(r => new ResultResponse(r.EmployeeId,
                db.Employees.Where(e => e.Id == r.EmployeeId).Select(e => e.Name).FirstOrDefault() ?? r.EmployeeId,
                r.Period, r.PeriodEnd, r.Score, false))
            .ToListAsync(ct);
    }
}

/// <summary>Conduct concerns: recorded by HR, read by HR and the committee only; every read is audited.</summary>
public sealed class ConcernService(TrellisDb db, SensitiveReads sensitiveReads, EvidenceChanges changes, TimeProvider clock)
{
    public const string ReadAction = "concerns.read";

    public async Task<Outcome<ConcernResponse>> CreateAsync(CreateConcernRequest request, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var employeeId = request.EmployeeId?.Trim();
        string? name = null;
        if (string.IsNullOrEmpty(employeeId)) errors.Add("employee_id", "Choose the employee the concern is about.");
        else
        {
            name = await db.Employees.AsNoTracking().Where(e => e.Id == employeeId).Select(e => e.Name).FirstOrDefaultAsync(ct);
            if (name is null) errors.Add("employee_id", $"There is no employee with id '{employeeId}'.");
        }
        var category = request.Category?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(category)) errors.Add("category", "Give a category, e.g. conduct, harassment or integrity.");
        else if (category.Length > 64) errors.Add("category", $"The category has {category.Length} characters; the limit is 64.");
        // Export writes the category into concerns.csv: the import's rule for that column (an id: one line, no / ? # % \) holds here too.
        else if (Import.CsvValues.StoredTextProblem(Import.CsvFormats.Concerns, "category", category) is { } bad)
            errors.Add("category", $"The category {bad}.");
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (request.RecordedOn is { } on && on > today) errors.Add("recorded_on", $"The date {on:yyyy-MM-dd} is in the future.");
        if (errors.Any) return errors.ToProblem("The concern was not recorded.");

        var row = new Concern
        {
            Id = EvidenceIds.New("CON", clock.GetUtcNow()),
            EmployeeId = employeeId!,
            Category = category!,
            Substantiated = request.Substantiated ?? false,
            RecordedOn = request.RecordedOn ?? today,
        };
        db.Concerns.Add(row);
        await SaveAsync(ct);
        return Outcome<ConcernResponse>.New(new ConcernResponse(row.Id, row.EmployeeId, name!, row.Category, row.Substantiated, row.RecordedOn));
    }

    public async Task<Outcome<ConcernResponse>> SetSubstantiatedAsync(string id, bool? substantiated, CancellationToken ct = default)
    {
        if (substantiated is null)
            return Problem.Invalid("substantiated", "Say whether the concern is substantiated (true or false).");
        var row = await db.Concerns.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (row is null) return Problem.NotFound($"There is no concern '{id}'.");
        row.Substantiated = substantiated.Value;
        await SaveAsync(ct);
        var name = await db.Employees.AsNoTracking().Where(e => e.Id == row.EmployeeId).Select(e => e.Name).FirstOrDefaultAsync(ct);
        return new ConcernResponse(row.Id, row.EmployeeId, name ?? row.EmployeeId, row.Category, row.Substantiated, row.RecordedOn);
    }

    /// <summary>
    /// Saves a concern with the evidence change in one transaction: a substantiated concern blocks a band, so every
    /// server over this database refits (no stored score depends on concerns).
    /// </summary>
    private async Task SaveAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await changes.RecordAsync(null, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The concern flags of a cycle's candidates for HR or a member of that cycle's committee: substantiated concerns only,
    /// category and date, never a concern about the viewer. Each candidate whose flags are read is in the audit log.
    /// </summary>
    public async Task<Outcome<List<ConcernFlag>>> FlagsForCycleAsync(string cycleName, Accounts.Viewer viewer, CancellationToken ct = default)
    {
        var cycleId = await db.Cycles.AsNoTracking().Where(c => c.Name == cycleName).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
        if (cycleId is null) return Problem.NotFound($"There is no cycle '{cycleName}'.");
        if (!viewer.IsHr && !await db.CycleCommittee.AnyAsync(m => m.CycleId == cycleId && m.EmployeeId == viewer.EmployeeId, ct))
            return Problem.Forbidden($"Only HR and the committee of cycle '{cycleName}' see its candidates' concern flags.");
        var me = viewer.EmployeeId;
        var flags = await db.Concerns.AsNoTracking()
            .Where(c => c.Substantiated && c.EmployeeId != me && db.Nominations.Any(n => n.CycleId == cycleId && n.EmployeeId == c.EmployeeId))
            .Join(db.Employees, c => c.EmployeeId, e => e.Id, (c, e) => new ConcernFlag(c.EmployeeId, e.Name, c.Category, c.RecordedOn))
            .ToListAsync(ct);
        var sorted = flags.OrderBy(f => f.EmployeeName, StringComparer.Ordinal).ThenByDescending(f => f.RecordedOn).ToList();
        await sensitiveReads.RecordManyAsync("concern_flags.read", sorted.Select(f => f.EmployeeId).Distinct().Select(s => ((string?)s, (string?)$"cycle {cycleName}")), ct);
        return sorted;
    }

    /// <summary>Concerns, newest first, optionally about one employee. The caller has checked the role; each person read is audited.</summary>
    public async Task<IReadOnlyList<ConcernResponse>> ListAsync(string? employeeId, int limit, CancellationToken ct = default)
    {
        var q = db.Concerns.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(employeeId)) q = q.Where(c => c.EmployeeId == employeeId.Trim());
        var rows = await q.OrderByDescending(c => c.RecordedOn).ThenByDescending(c => c.Id).Take(Math.Clamp(limit, 1, 200))
            .Select(c => new ConcernResponse(c.Id, c.EmployeeId,
                db.Employees.Where(e => e.Id == c.EmployeeId).Select(e => e.Name).FirstOrDefault() ?? c.EmployeeId,
                c.Category, c.Substantiated, c.RecordedOn))
            .ToListAsync(ct);
        // One audit entry per person read, all saved at once: a save per person made the page of 100 concerns cost 100 commits.
        await sensitiveReads.RecordManyAsync(ReadAction,
            rows.GroupBy(r => r.EmployeeId).Select(g => ((string?)g.Key, (string?)$"{g.Count()} concern(s)")), ct);
        if (rows.Count == 0 && !string.IsNullOrWhiteSpace(employeeId))
            await sensitiveReads.RecordAsync(ReadAction, employeeId.Trim(), "no concerns", ct);
        return rows;
    }
}
