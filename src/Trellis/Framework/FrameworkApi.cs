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
    public static IServiceCollection AddFramework(this IServiceCollection services) => services.AddSingleton<FrameworkStore>().AddScoped<FrameworkHistory>();

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

    public static async Task<Results<Ok<CareerFramework>, ValidationProblem, ProblemHttpResult>> GetCurrent(FrameworkStore store, CancellationToken ct) =>
        (await store.GetAsync(ct) is { } current ? current.Framework : (Outcome<CareerFramework>)NoFramework()).ToOk();

    public static async Task<Ok<IReadOnlyList<FrameworkVersionSummary>>> ListVersions(FrameworkHistory history, CancellationToken ct) =>
        TypedResults.Ok(await history.ListAsync(ct));

    public static async Task<Results<Ok<CareerFramework>, ValidationProblem, ProblemHttpResult>> GetVersion(int id, FrameworkHistory history, CancellationToken ct) =>
        (await history.GetAsync(id, ct) is { } version ? version.Framework : (Outcome<CareerFramework>)UnknownVersion(id)).ToOk();

    /// <summary>The structural diff from one version to another; <c>to</c> defaults to the current version, <c>from</c> to the one before <c>to</c>.</summary>
    public static async Task<Results<Ok<FrameworkDiffResponse>, ValidationProblem, ProblemHttpResult>> GetDiff(
        int? from, int? to, FrameworkHistory history, CancellationToken ct) =>
        (await DiffAsync(from, to, history, ct)).ToOk();

    private static async Task<Outcome<FrameworkDiffResponse>> DiffAsync(int? from, int? to, FrameworkHistory history, CancellationToken ct)
    {
        var toId = to ?? (await history.CurrentAsync(ct))?.Version.Id;
        if (toId is null) return NoFramework();
        var fromId = from ?? await history.PreviousIdAsync(toId.Value, ct);
        if (fromId is null) return Problem.Invalid("from", $"version {toId} is the first version; give 'from' to compare it with another");
        var diff = await history.DiffAsync(fromId.Value, toId.Value, ct);
        if (diff is null) return UnknownVersion((await history.GetAsync(fromId.Value, ct)) is null ? fromId.Value : toId.Value);
        return diff;
    }

    /// <summary>Replaces the whole document (framework.json). Problems come back keyed by JSON path.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PutDocument(
        HttpRequest request, Viewer viewer, FrameworkHistory history,
        [FromQuery] string? note, [FromQuery(Name = "base_version")] int? baseVersion, CancellationToken ct)
    {
        // Read the raw text so that FrameworkJson reports malformed JSON and every other problem by path and line.
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(json))
            return ((Outcome<FrameworkSaveResponse>)Problem.Invalid("$", "the request body must be a framework.json document")).ToOk();
        return ToResult(await history.SaveDocumentAsync(json, viewer.EmployeeId, note, baseVersion, ct));
    }

    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PutBehavior(
        string key, BehaviorEditRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var change = new BehaviorChange(body.Name ?? "", body.Description ?? "",
            (body.Anchors ?? []).ToDictionary(a => a.Key, a => a.Value ?? ""));
        return ToResult(await history.EditBehaviorAsync(key, change, viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PutLevel(
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

    private static Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult> ToResult(FrameworkWrite write)
    {
        Outcome<FrameworkSaveResponse> outcome = write switch
        {
            FrameworkWrite.Saved s => s.Result,
            FrameworkWrite.Invalid i => Problem.Invalid(i.Errors, "The framework is not valid."),
            FrameworkWrite.Stale s => Problem.Conflict(
                $"You edited version {s.BaseVersion}, but version {s.CurrentVersion} has been saved since. Reload and apply your change again."),
            FrameworkWrite.NotFound n => Problem.NotFound(n.Detail),
            _ => throw new InvalidOperationException($"unexpected framework write result {write.GetType().Name}"),
        };
        return outcome.ToOk();
    }

    private static Problem NoFramework() => Problem.NotFound("No career framework has been imported yet.");

    private static Problem UnknownVersion(int id) => Problem.NotFound($"There is no framework version {id}.");
}
