using Microsoft.AspNetCore.Http.HttpResults;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Growth;

public static class GrowthApi
{
    public static IEndpointRouteBuilder MapGrowthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Growth");
        api.MapGet("/employees/{id}/evidence", GetEvidence);
        api.MapGet("/team/readiness", GetTeam).RequireAuthorization(Policies.Manager);
        return app;
    }

    /// <summary>A person's behaviour evidence as the viewer may see it (anonymity rules applied).</summary>
    public static async Task<Results<Ok<EvidenceView>, ProblemHttpResult>> GetEvidence(
        string id, string? behavior, Viewer viewer, SensitiveReads reads, TrellisDb db, FrameworkStore frameworks, CancellationToken ct)
    {
        if (await GrowthAccess.CheckAsync(viewer, reads, db, id, "read_evidence", ct) is { } refused) return refused.ToProblemResult();
        var framework = (await frameworks.GetAsync(ct))?.Framework;
        if (framework is null) return Problem.NotFound("No career framework has been imported yet.").ToProblemResult();
        if (behavior is not null && framework.FindBehavior(behavior) is null)
            return Problem.NotFound($"Unknown behaviour '{behavior}'.").ToProblemResult();
        return TypedResults.Ok(await EvidenceViews.BuildAsync(db, framework, id, viewer.EmployeeId, behavior, ct));
    }

    /// <summary>
    /// Readiness of everyone in the caller's reporting line, by name, one page at a time (<c>page</c> from 1,
    /// <c>page_size</c> 1–1000, default 100): a top executive's line is the whole organisation, tens of megabytes in one
    /// answer. The page carries the line's size (<c>total</c>) and, while there is more, a <c>Link</c> header to the next page.
    /// </summary>
    public static async Task<Results<Ok<TeamReadinessPage>, ValidationProblem, ProblemHttpResult>> GetTeam(
        Viewer viewer, SensitiveReads reads, TrellisDb db, People.OrgSnapshots orgs, ReadinessService readiness, HttpResponse response,
        int? page, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        if (!viewer.HasLineAccess)
            return TypedResults.Problem("The admin role gives no access to anyone's readiness, whoever reports to you in the org chart.", statusCode: 403, title: "Forbidden");
        var paging = new Shared.ApiPaging(page, pageSize);
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var team = await TeamReadiness.ForLineAsync(db, orgs, readiness, viewer.EmployeeId, ct);
        var number = page ?? 1;
        var size = pageSize ?? Shared.ApiPaging.DefaultPageSize;
        var shown = team.Skip((int)Math.Min(int.MaxValue, ((long)number - 1) * size)).Take(size).ToList();
        if ((long)number * size < team.Count)
            response.Headers.Link = $"</api/v1/team/readiness?page={number + 1}&page_size={size}>; rel=\"next\"";
        await TeamReadiness.RecordReadsAsync(reads, viewer.EmployeeId, shown, ct);
        return TypedResults.Ok(new TeamReadinessPage(shown, team.Count, number, size));
    }
}
