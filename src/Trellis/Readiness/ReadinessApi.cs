using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Readiness;
using Trellis.Data;

namespace Trellis.Readiness;

public static class ReadinessApi
{
    public static IServiceCollection AddReadiness(this IServiceCollection services) => services.AddSingleton<ReadinessService>();

    public static IEndpointRouteBuilder MapReadinessApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/employees").WithTags("Readiness");
        api.MapGet("/{id}/readiness", GetReadiness)
            .WithSummary("Readiness of one employee for a target level (self, their managers, HR and committee)");
        return app;
    }

    /// <summary>GET /api/v1/employees/{id}/readiness[?target=next|LEVEL&amp;as_of=YYYY-MM-DD]</summary>
    public static async Task<Results<Ok<ReadinessReport>, ValidationProblem, ProblemHttpResult>> GetReadiness(
        string id,
        [FromQuery] string? target,
        [FromQuery(Name = "as_of")] string? asOf,
        Viewer viewer,
        TrellisDb db,
        ReadinessService readiness,
        SensitiveReads reads,
        CancellationToken ct)
    {
        if (!await db.Employees.AnyAsync(e => e.Id == id, ct))
            return Problem.NotFound($"No employee with id '{id}'.").ToProblemResult();
        if (!await viewer.CanSeeDevelopmentOfAsync(id, ct))
            return Problem.Forbidden($"Readiness of '{id}' is visible to them, their managers, HR and the committee.").ToProblemResult();

        var errors = new Dictionary<string, string[]>();
        DateOnly? day = null;
        if (!string.IsNullOrEmpty(asOf))
        {
            if (DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) day = parsed;
            else errors["as_of"] = [$"as_of must be a date YYYY-MM-DD, not '{asOf}'."];
        }
        if (await readiness.ValidateTargetAsync(target, ct) is { } problem) errors["target"] = [problem];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // The person themselves gets their own view (held-back anonymous feedback left out); everyone else the full estimate.
        var report = await readiness.GetForViewerAsync(id, viewer.EmployeeId, target, day, ct);
        if (report is null)
            return Problem.NotFound($"'{id}' is not an active employee, or no career framework has been imported yet.").ToProblemResult();
        await reads.RecordAsync("readiness.read", id, $"target={report.TargetLevel}; as_of={report.AsOf:yyyy-MM-dd}", ct);
        return TypedResults.Ok(report);
    }
}
