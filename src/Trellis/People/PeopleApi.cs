using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Trellis.People;

/// <summary>
/// The directory and the organisation: every signed-in person may read the directory (non-sensitive fields), the
/// org chart and profiles; gender only reaches HR and admins; the span of control reaches HR, admins and managers
/// (their own line).
/// </summary>
public static class PeopleApi
{
    public static IServiceCollection AddPeople(this IServiceCollection services) => services.AddSingleton<OrgSnapshots>().AddScoped<PeopleDirectory>();

    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("People").RequireAuthorization();
        api.MapGet("/employees", ListEmployees);
        api.MapGet("/employees/{id}", GetEmployee);
        api.MapGet("/org/nodes", GetOrgNodes);
        api.MapGet("/org/path/{id}", GetOrgPath);
        api.MapGet("/span-of-control", GetSpanOfControl);
        return app;
    }

    /// <summary>The directory, one page at a time. <c>status</c>: active (default), left or all.</summary>
    public static async Task<Results<Ok<EmployeePage>, ValidationProblem>> ListEmployees(
        PeopleDirectory people, string? q, string? department, string? track, string? level,
        [FromQuery(Name = "manager_id")] string? managerId, string? status, int? page,
        [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var filter = new DirectoryFilter(q, department, track, level, managerId, status, page ?? 1, pageSize ?? DirectoryFilter.DefaultPageSize);
        var errors = PeopleDirectory.Validate(filter);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await people.ListAsync(filter, ct));
    }

    public static async Task<Results<Ok<EmployeeProfile>, ProblemHttpResult>> GetEmployee(string id, PeopleDirectory people, CancellationToken ct)
    {
        var profile = await people.GetProfileAsync(id, ct);
        return profile is null ? NoSuchEmployee(id) : TypedResults.Ok(profile);
    }

    /// <summary>The tops of the org chart (no <c>parent_id</c>) or someone's direct reports, largest lines first.</summary>
    public static async Task<Results<Ok<OrgNodes>, ValidationProblem, ProblemHttpResult>> GetOrgNodes(
        PeopleDirectory people, [FromQuery(Name = "parent_id")] string? parentId, int? page,
        [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var filter = new DirectoryFilter(Page: page ?? 1, PageSize: pageSize ?? DirectoryFilter.DefaultPageSize);
        var errors = PeopleDirectory.Validate(filter);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var nodes = await people.NodesAsync(parentId, filter.Page, filter.PageSize, ct);
        return nodes is null ? NoSuchEmployee(parentId!, "active ") : TypedResults.Ok(nodes);
    }

    public static async Task<Results<Ok<OrgPath>, ProblemHttpResult>> GetOrgPath(string id, PeopleDirectory people, CancellationToken ct)
    {
        var path = await people.PathAsync(id, ct);
        return path is null ? NoSuchEmployee(id, "active ") : TypedResults.Ok(path);
    }

    /// <summary>
    /// Span of control: HR and admins see everyone, managers their own line; <c>format=csv</c> downloads it (all rows).
    /// The JSON is one page of the rows (<c>page</c> from 1, <c>page_size</c> 1–1000, default 100): everyone's rows were
    /// 4.8 MB at 100,000 people. <c>total</c> and the counts by finding are over all rows; while there are more, a
    /// <c>Link</c> header gives the next page.
    /// </summary>
    public static async Task<Results<Ok<SpanOfControlReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetSpanOfControl(
        PeopleDirectory people, HttpRequest request, HttpResponse response, [FromQuery(Name = "manager_id")] string? managerId, string? sort,
        string? dir, string? format, int? page, [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var errors = new Shared.ApiPaging(page, pageSize).Validate();
        if (format is not (null or "json" or "csv")) errors["format"] = [$"format must be json or csv (got '{format}')"];
        if (sort is not null && !PeopleDirectory.SpanSortKeys.Contains(sort))
            errors["sort"] = [$"sort must be one of {string.Join(", ", PeopleDirectory.SpanSortKeys)} (got '{sort}')"];
        if (dir is not (null or "asc" or "desc")) errors["dir"] = [$"dir must be asc or desc (got '{dir}')"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var csv = format == "csv";
        var number = page ?? 1;
        var size = pageSize ?? Shared.ApiPaging.DefaultPageSize;
        var span = await people.SpanAsync(managerId, sort, dir, csv ? null : number, size, ct);
        if (span.Problem is { } refused) return refused.ToProblemResult();
        if (csv)
            return TypedResults.File(Encoding.UTF8.GetBytes(PeopleDirectory.ToCsv(span.Value!.Rows)), "text/csv; charset=utf-8", "span-of-control.csv");
        Shared.ApiPaging.LinkNext(request, response, number, size, span.Value!.Total);
        return TypedResults.Ok(span.Value!);
    }

    private static ProblemHttpResult NoSuchEmployee(string id, string kind = "") =>
        Problem.NotFound($"There is no {kind}employee with id '{id}'.").ToProblemResult();
}
