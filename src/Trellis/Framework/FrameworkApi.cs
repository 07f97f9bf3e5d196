using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>
/// /api/v1/framework: every signed-in person reads the framework and its history; HR replaces the document,
/// or adds, renames, moves, retires or removes one value, behaviour or level, each write storing a new version
/// (409 when it was made on an older version than the current one).
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
        api.MapPost("/values", PostValue).RequireAuthorization(Policies.Hr);
        api.MapPut("/values/{key}", PutValue).RequireAuthorization(Policies.Hr);
        api.MapDelete("/values/{key}", DeleteValue).RequireAuthorization(Policies.Hr);
        api.MapPost("/values/{key}/move", MoveValue).RequireAuthorization(Policies.Hr);
        api.MapPost("/values/{key}/retire", RetireValue).RequireAuthorization(Policies.Hr);
        api.MapPost("/values/{key}/behaviors", PostBehavior).RequireAuthorization(Policies.Hr);
        api.MapPost("/behaviors/{key}/move", MoveBehavior).RequireAuthorization(Policies.Hr);
        api.MapPost("/behaviors/{key}/retire", RetireBehavior).RequireAuthorization(Policies.Hr);
        api.MapPost("/behaviors/{key}/restore", RestoreBehavior).RequireAuthorization(Policies.Hr);
        api.MapDelete("/behaviors/{key}", DeleteBehavior).RequireAuthorization(Policies.Hr);
        api.MapPost("/tracks/{track}/levels", PostLevel).RequireAuthorization(Policies.Hr);
        api.MapDelete("/levels/{key}", DeleteLevel).RequireAuthorization(Policies.Hr);
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
        return ToResult(await history.EditBehaviorAsync(key, ToChange(body), viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PutLevel(
        string key, LevelEditRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        return ToResult(await history.EditLevelAsync(key, ToChange(body), viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    private static LevelChange ToChange(LevelEditRequest body) => new(body.Name ?? "", new LevelScope
    {
        DirectReports = body.Scope?.DirectReports ?? [],
        Responsibilities = body.Scope?.Responsibilities ?? [],
        TimeSplit = body.Scope?.TimeSplit ?? "",
    }, body.Expectations ?? [], body.Band);

    private static BehaviorChange ToChange(BehaviorEditRequest body) =>
        new(body.Name ?? "", body.Description ?? "", (body.Anchors ?? []).ToDictionary(a => a.Key, a => a.Value ?? ""));

    /// <summary>Adds a value with its first behaviour (a value needs at least one) at the end of the list.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PostValue(
        ValueAddRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var behavior = body.Behavior ?? new BehaviorAddRequest(null, null, null, null, null, null);
        var change = new BehaviorChange(behavior.Name ?? "", behavior.Description ?? "", (behavior.Anchors ?? []).ToDictionary(a => a.Key, a => a.Value ?? ""));
        return ToResult(await history.ApplyAsync(f => FrameworkEdits.AddValue(f, body.Key ?? "", new ValueChange(body.Name ?? "", body.Description ?? ""), behavior.Key ?? "", change),
            "", "framework.value_added", body.Key ?? "", viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    /// <summary>Renames a value or changes its description; its key stays (recognitions refer to it).</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PutValue(
        string key, ValueEditRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.EditValue(f, key, new ValueChange(body.Name ?? "", body.Description ?? "")),
            $"There is no value '{key}'", "framework.value_edited", key, viewer.EmployeeId, body.Note, body.BaseVersion, ct));

    /// <summary>Removes a value and its behaviours; refused (400) while feedback or recognitions refer to them: retire it instead.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> DeleteValue(
        string key, Viewer viewer, FrameworkHistory history, [FromQuery] string? note, [FromQuery(Name = "base_version")] int? baseVersion, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RemoveValue(f, key), $"There is no value '{key}'", "framework.value_removed", key,
            viewer.EmployeeId, note, baseVersion, ct));

    /// <summary>Moves a value to a position in the saved order (1 = first).</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> MoveValue(
        string key, FrameworkMoveRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.MoveValue(f, key, body.Position), $"There is no value '{key}'", "framework.value_moved", key,
            viewer.EmployeeId, body.Note, body.BaseVersion, ct));

    /// <summary>Retires every behaviour of a value (today's date): its history stays, nothing new is given on it.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> RetireValue(
        string key, FrameworkActionRequest? body, Viewer viewer, FrameworkHistory history, TimeProvider clock, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RetireValue(f, key, Today(clock)), $"There is no value '{key}'", "framework.value_retired", key,
            viewer.EmployeeId, body?.Note, body?.BaseVersion, ct));

    /// <summary>Adds a behaviour with its five anchors at the end of a value.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PostBehavior(
        string key, BehaviorAddRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var change = new BehaviorChange(body.Name ?? "", body.Description ?? "", (body.Anchors ?? []).ToDictionary(a => a.Key, a => a.Value ?? ""));
        return ToResult(await history.ApplyAsync(f => FrameworkEdits.AddBehavior(f, key, body.Key ?? "", change), $"There is no value '{key}'",
            "framework.behavior_added", body.Key ?? "", viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    /// <summary>Moves a behaviour within its value (1 = first).</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> MoveBehavior(
        string key, FrameworkMoveRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.MoveBehavior(f, key, body.Position), $"There is no behaviour '{key}'", "framework.behavior_moved", key,
            viewer.EmployeeId, body.Note, body.BaseVersion, ct));

    /// <summary>Retires a behaviour (today's date): no level expects it any more; its evidence stays readable.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> RetireBehavior(
        string key, FrameworkActionRequest? body, Viewer viewer, FrameworkHistory history, TimeProvider clock, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RetireBehavior(f, key, Today(clock)), $"There is no behaviour '{key}'", "framework.behavior_retired", key,
            viewer.EmployeeId, body?.Note, body?.BaseVersion, ct));

    /// <summary>Puts a retired behaviour back in use (levels expect it again only once HR sets their expectations).</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> RestoreBehavior(
        string key, FrameworkActionRequest? body, Viewer viewer, FrameworkHistory history, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RestoreBehavior(f, key), $"There is no behaviour '{key}'", "framework.behavior_restored", key,
            viewer.EmployeeId, body?.Note, body?.BaseVersion, ct));

    /// <summary>Removes a behaviour no evidence refers to (one added by mistake); otherwise 400: retire it instead.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> DeleteBehavior(
        string key, Viewer viewer, FrameworkHistory history, [FromQuery] string? note, [FromQuery(Name = "base_version")] int? baseVersion, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RemoveBehavior(f, key), $"There is no behaviour '{key}'", "framework.behavior_removed", key,
            viewer.EmployeeId, note, baseVersion, ct));

    /// <summary>Adds a level to a track at its band.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> PostLevel(
        string track, LevelAddRequest body, Viewer viewer, FrameworkHistory history, CancellationToken ct)
    {
        var change = ToChange(new LevelEditRequest(body.Name, body.Scope, body.Expectations, body.Note, body.BaseVersion, body.Band ?? 0));
        return ToResult(await history.ApplyAsync(f => FrameworkEdits.AddLevel(f, track, body.Key ?? "", change), $"There is no track '{track}'",
            "framework.level_added", body.Key ?? "", viewer.EmployeeId, body.Note, body.BaseVersion, ct));
    }

    /// <summary>Removes a level; refused (400) while anyone holds it.</summary>
    public static async Task<Results<Ok<FrameworkSaveResponse>, ValidationProblem, ProblemHttpResult>> DeleteLevel(
        string key, Viewer viewer, FrameworkHistory history, [FromQuery] string? note, [FromQuery(Name = "base_version")] int? baseVersion, CancellationToken ct) =>
        ToResult(await history.ApplyAsync(f => FrameworkEdits.RemoveLevel(f, key), $"There is no level '{key}'", "framework.level_removed", key,
            viewer.EmployeeId, note, baseVersion, ct));

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

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
