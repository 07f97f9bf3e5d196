using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>
/// /api/v1/framework: every signed-in person reads the framework and its history; HR replaces the document
/// or edits one behaviour or level, each write storing a new version.
/// </summary>
public static class FrameworkApi
{
    public static IEndpointRouteBuilder MapFrameworkApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/framework").WithTags("Framework");
        api.MapGet("/", GetCurrent);
        api.MapGet("/versions", ListVersions);
        api.MapGet("/versions/{id:int}", GetVersion);
        api.MapGet("/diff", GetDiff);
        api.MapPut("/", PutDocument).RequireAuthorization(Policies.Hr).Accepts<CareerFramework>("application/json");
        api.MapPut("/behaviors/{key}", PutBehavior).RequireAuthorization(Policies.Hr);
        api.MapPut("/levels/{key}", PutLevel).RequireAuthorization(Policies.Hr);
        return app;
    }

    public static async Task<Results<Ok<CareerFramework>, NotFound<ProblemDetails>>> GetCurrent(FrameworkStore store, CancellationToken ct)
    {
        var current = await store.GetAsync(ct);
        return current is null ? TypedResults.NotFound(NoFramework()) : TypedResults.Ok(current.Framework);
    }

    public static async Task<Ok<IReadOnlyList<FrameworkVersionSummary>>> ListVersions(FrameworkHistory history, CancellationToken ct) =>
        TypedResults.Ok(await history.ListAsync(ct));

    public static async Task<Results<Ok<CareerFramework>, NotFound<ProblemDetails>>> GetVersion(int id, FrameworkHistory history, CancellationToken ct)
    {
        var version = await history.GetAsync(id, ct);
        return version is null ? TypedResults.NotFound(UnknownVersion(id)) : TypedResults.Ok(version.Framework);
    }

    /// <summary>The structural diff from one version to another; <c>to</c> defaults to the current version, <c>from</c> to the one before <c>to</c>.</summary>
    public static async Task<Results<Ok<FrameworkDiffResponse>, ValidationProblem, NotFound<ProblemDetails>>> GetDiff(
        int? from, int? to, FrameworkHistory history, CancellationToken ct)
    {
        var toId = to ?? (await history.CurrentAsync(ct))?.Version.Id;
        if (toId is null) return TypedResults.NotFound(NoFramework());
        var fromId = from ?? await history.PreviousIdAsync(toId.Value, ct);
        if (fromId is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = [$"version {toId} is the first version; give 'from' to compare it with another"],
            });
        var diff = await history.DiffAsync(fromId.Value, toId.Value, ct);
        if (diff is null)
            return TypedResults.NotFound(UnknownVersion((await history.GetAsync(fromId.Value, ct)) is null ? fromId.Value : toId.Value));
        return TypedResults.Ok(diff);
    }

    /// <summary>Replaces the whole document (framework.json). Problems come back keyed by JSON path.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, Conflict<ProblemDetails>, NotFound<ProblemDetails>>> PutDocument(
        HttpRequest request, Viewer viewer, FrameworkHistory history,
        [FromQuery] string? note, [FromQuery(Name = "base_version")] int? baseVersion, CancellationToken ct)
    {
        // Read the raw text so that FrameworkJson reports malformed JSON and every other problem by path and line.
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(json))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["the request body must be a framework.json document"] });
        return ToResult(await history.SaveDocumentAsync(json, viewer.EmployeeId, note, baseVersion, ct));
    }

    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, Conflict<ProblemDetails>, NotFound<ProblemDetails>>> PutBehavior(
        string key, BehaviorEditRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var change = new BehaviorChange(body.Name ?? "", body.Description ?? "",
            (body.Anchors ?? []).ToDictionary(a => a.Key, a => a.Value ?? ""));
        return ToResult(await history.EditBehaviorAsync(key, change, viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, Conflict<ProblemDetails>, NotFound<ProblemDetails>>> PutLevel(
        string key, LevelEditRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var scope = new LevelScope
        {
            DirectReports = body.Scope?.DirectReports ?? [],
            Responsibilities = body.Scope?.Responsibilities ?? [],
            TimeSplit = body.Scope?.TimeSplit ?? "",
        };
        var change = new LevelChange(body.Name ?? "", scope, body.Expectations ?? []);
        return ToResult(await history.EditLevelAsync(key, change, viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    private static Results<Ok<FrameworkSaveResponse>, ValidationProblem, Conflict<ProblemDetails>, NotFound<ProblemDetails>> ToResult(FrameworkWrite write) =>
        write switch
        {
            FrameworkWrite.Saved s => TypedResults.Ok(s.Result),
            FrameworkWrite.Invalid i => TypedResults.ValidationProblem(i.Errors, title: "The framework is not valid"),
            FrameworkWrite.Stale s => TypedResults.Conflict(new ProblemDetails
            {
                Status = 409, Title = "The framework changed",
                Detail = $"You edited version {s.BaseVersion}, but version {s.CurrentVersion} has been saved since. Reload and apply your change again.",
            }),
            FrameworkWrite.NotFound n => TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = n.Detail }),
            _ => throw new InvalidOperationException($"unexpected framework write result {write.GetType().Name}"),
        };

    private static ProblemDetails NoFramework() =>
        new() { Status = 404, Title = "No framework", Detail = "No career framework has been imported yet." };

    private static ProblemDetails UnknownVersion(int id) =>
        new() { Status = 404, Title = "Unknown framework version", Detail = $"There is no framework version {id}." };
}
