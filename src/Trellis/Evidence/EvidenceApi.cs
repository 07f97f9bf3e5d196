using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;
using Trellis.Core.Feedback;

namespace Trellis.Evidence;

public static class EvidenceApi
{
    public static IServiceCollection AddEvidence(this IServiceCollection services) => services
        .AddScoped<ObservationService>()
        .AddScoped<FeedbackRequestService>()
        .AddScoped<RecognitionService>()
        .AddScoped<ResultService>()
        .AddScoped<ConcernService>();

    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder app)
    {
        // Signed-in only (the fallback policy); HR-only and HR-or-committee routes add their policy.
        var api = app.MapGroup("/api/v1").WithTags("Evidence");

        api.MapPost("/observations", CreateObservation)
            .WithDescription("Give feedback as the signed-in person. The relationship is derived from the organisation. " +
                             "Bad input, including an unknown or departed subject, is a 400 ValidationProblem with field errors. " +
                             "Quality warnings on the comment are returned and never block saving.");
        api.MapGet("/observations/{id}", GetObservation).WithDescription("An observation, for its rater and HR.");
        api.MapPost("/feedback/check", CheckFeedback).WithDescription("Quality warnings for a comment (vague, personality, gender-coded), with the span of each.");
        api.MapGet("/evidence/colleagues", SearchColleagues).WithDescription("Active colleagues whose name or id contains q (for pickers).");

        api.MapPost("/feedback-requests", CreateFeedbackRequest).WithDescription("Ask colleagues for feedback: for yourself, or as a manager for someone in your line (403 otherwise).");
        api.MapGet("/feedback-requests/inbox", Inbox).WithDescription("Open requests addressed to the signed-in person.");
        api.MapGet("/feedback-requests/sent", Sent).WithDescription("Requests the signed-in person sent, with each rater's status.");
        api.MapPost("/feedback-requests/{id}/withdraw", Withdraw).WithDescription("The requester withdraws a request (409 if already withdrawn).");

        api.MapPost("/recognitions", CreateRecognition).WithDescription("Give kudos tied to a value (and optionally one of its behaviours). No self-kudos.");
        api.MapGet("/recognitions", RecognitionFeed).WithDescription("The public recognition feed, newest first; filter by value.");
        api.MapGet("/employees/{id}/recognitions", RecognitionsReceived).WithDescription("Recognition a person received (public).");

        api.MapPost("/results", UpsertResult).RequireAuthorization(Policies.Hr).WithDescription("HR: enter or correct one person's result for a period (upsert).");
        api.MapGet("/results", ListResults).RequireAuthorization(Policies.Hr).WithDescription("HR: recent results, optionally for one employee.");

        api.MapGet("/concerns", ListConcerns).RequireAuthorization(Policies.HrOrCommittee).WithDescription("HR and committee: concerns; every read is audited.");
        api.MapPost("/concerns", CreateConcern).RequireAuthorization(Policies.Hr).WithDescription("HR: record a concern.");
        api.MapPost("/concerns/{id}/substantiated", SetSubstantiated).RequireAuthorization(Policies.Hr).WithDescription("HR: mark a concern substantiated or not.");
        return app;
    }

    public static async Task<Results<Created<ObservationResponse>, ValidationProblem>> CreateObservation(
        CreateObservationRequest request, Viewer viewer, ObservationService observations, CancellationToken ct)
    {
        var outcome = await observations.CreateAsync(viewer.EmployeeId, request, ct);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/observations/{outcome.Value!.Id}", outcome.Value)
            : TypedResults.ValidationProblem(outcome.Errors!, title: "The observation was not saved");
    }

    public static async Task<Results<Ok<ObservationResponse>, ProblemHttpResult>> GetObservation(
        string id, Viewer viewer, ObservationService observations, SensitiveReads sensitiveReads, CancellationToken ct)
    {
        var o = await observations.FindAsync(id, ct);
        if (o is null) return Problem(404, $"There is no observation '{id}'.");
        // Subjects see feedback only through the aggregated, anonymity-protected views, never one observation.
        if (o.RaterId != viewer.EmployeeId && !viewer.IsHr) return Problem(403, "Only the rater and HR can read a single observation.");
        if (o.RaterId != viewer.EmployeeId) await sensitiveReads.RecordAsync("observation.read", o.SubjectId, o.Id, ct);
        return TypedResults.Ok(o);
    }

    public static Ok<FeedbackCheckResponse> CheckFeedback(FeedbackCheckRequest request) =>
        TypedResults.Ok(new FeedbackCheckResponse(FeedbackQualityCheck.Default.Check(request.Comment)));

    public static async Task<Ok<IReadOnlyList<Colleague>>> SearchColleagues(string? q, int? limit, ObservationService observations, CancellationToken ct) =>
        TypedResults.Ok(await observations.SearchColleaguesAsync(q, limit ?? 20, ct));

    public static async Task<Results<Created<FeedbackRequestResponse>, ValidationProblem, ProblemHttpResult>> CreateFeedbackRequest(
        CreateFeedbackRequestRequest request, Viewer viewer, FeedbackRequestService requests, CancellationToken ct)
    {
        var outcome = await requests.CreateAsync(viewer.EmployeeId, request, ct);
        return outcome.Status switch
        {
            201 => TypedResults.Created($"/api/v1/feedback-requests/{outcome.Value!.Id}", outcome.Value),
            400 => TypedResults.ValidationProblem(outcome.Errors!, title: "The feedback request was not sent"),
            _ => Problem(outcome.Status, outcome.Detail!),
        };
    }

    public static async Task<Ok<IReadOnlyList<InboxItem>>> Inbox(Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.InboxAsync(viewer.EmployeeId, ct));

    public static async Task<Ok<List<FeedbackRequestResponse>>> Sent(Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.SentAsync(viewer.EmployeeId, ct));

    public static async Task<Results<Ok<FeedbackRequestResponse>, ProblemHttpResult>> Withdraw(
        string id, Viewer viewer, FeedbackRequestService requests, CancellationToken ct)
    {
        var outcome = await requests.WithdrawAsync(viewer.EmployeeId, id, ct);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problem(outcome.Status, outcome.Detail!);
    }

    public static async Task<Results<Created<RecognitionResponse>, ValidationProblem>> CreateRecognition(
        CreateRecognitionRequest request, Viewer viewer, RecognitionService recognitions, CancellationToken ct)
    {
        var outcome = await recognitions.CreateAsync(viewer.EmployeeId, request, ct);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/employees/{outcome.Value!.ToId}/recognitions", outcome.Value)
            : TypedResults.ValidationProblem(outcome.Errors!, title: "The recognition was not saved");
    }

    public static async Task<Ok<RecognitionPage>> RecognitionFeed(string? value, int? page, [FromQuery(Name = "page_size")] int? pageSize, RecognitionService recognitions, CancellationToken ct) =>
        TypedResults.Ok(await recognitions.FeedAsync(value, page ?? 1, pageSize ?? RecognitionService.DefaultPageSize, ct));

    public static async Task<Results<Ok<RecognitionPage>, ProblemHttpResult>> RecognitionsReceived(
        string id, int? page, [FromQuery(Name = "page_size")] int? pageSize, RecognitionService recognitions, Data.TrellisDb db, CancellationToken ct)
    {
        if (!await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Employees, e => e.Id == id, ct))
            return Problem(404, $"There is no employee with id '{id}'.");
        return TypedResults.Ok(await recognitions.ReceivedAsync(id, page ?? 1, pageSize ?? RecognitionService.DefaultPageSize, ct));
    }

    public static async Task<Results<Created<ResultResponse>, Ok<ResultResponse>, ValidationProblem>> UpsertResult(
        UpsertResultRequest request, ResultService results, CancellationToken ct)
    {
        var outcome = await results.UpsertAsync(request, ct);
        return outcome.Status switch
        {
            201 => TypedResults.Created($"/api/v1/results?employee_id={Uri.EscapeDataString(outcome.Value!.EmployeeId)}", outcome.Value),
            200 => TypedResults.Ok(outcome.Value!),
            _ => TypedResults.ValidationProblem(outcome.Errors!, title: "The result was not saved"),
        };
    }

    public static async Task<Ok<IReadOnlyList<ResultResponse>>> ListResults([FromQuery(Name = "employee_id")] string? employeeId, int? limit, ResultService results, CancellationToken ct) =>
        TypedResults.Ok(await results.RecentAsync(employeeId, limit ?? 100, ct));

    public static async Task<Ok<IReadOnlyList<ConcernResponse>>> ListConcerns([FromQuery(Name = "employee_id")] string? employeeId, int? limit, ConcernService concerns, CancellationToken ct) =>
        TypedResults.Ok(await concerns.ListAsync(employeeId, limit ?? 100, ct));

    public static async Task<Results<Created<ConcernResponse>, ValidationProblem>> CreateConcern(
        CreateConcernRequest request, ConcernService concerns, CancellationToken ct)
    {
        var outcome = await concerns.CreateAsync(request, ct);
        return outcome.Succeeded
            ? TypedResults.Created($"/api/v1/concerns?employee_id={Uri.EscapeDataString(outcome.Value!.EmployeeId)}", outcome.Value)
            : TypedResults.ValidationProblem(outcome.Errors!, title: "The concern was not recorded");
    }

    public static async Task<Results<Ok<ConcernResponse>, ValidationProblem, ProblemHttpResult>> SetSubstantiated(
        string id, SetSubstantiatedRequest request, ConcernService concerns, CancellationToken ct)
    {
        var outcome = await concerns.SetSubstantiatedAsync(id, request.Substantiated, ct);
        return outcome.Status switch
        {
            200 => TypedResults.Ok(outcome.Value!),
            400 => TypedResults.ValidationProblem(outcome.Errors!),
            _ => Problem(outcome.Status, outcome.Detail!),
        };
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(new ProblemDetails
    {
        Status = status,
        Title = status switch { 403 => "Forbidden", 404 => "Not found", 409 => "Conflict", _ => "Error" },
        Detail = detail,
    });
}
