using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Core.Feedback;

namespace Trellis.Evidence;

public static class EvidenceApi
{
    public static IServiceCollection AddEvidence(this IServiceCollection services) => services
        .AddScoped<EvidenceChanges>()
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
        api.MapGet("/observations/{id}", GetObservation).WithDescription("An observation, for its rater and HR (never for its subject, HR included).");
        api.MapGet("/observations/given", Given).WithDescription("Feedback the signed-in person gave in the last 7 days, which they may still edit or withdraw.");
        api.MapPut("/observations/{id}", EditObservation)
            .WithDescription("Its rater changes the rating, comment or visibility within 7 days of giving it (403 for anyone else, 409 after): the old version is kept, the quality check runs again, readiness refits.");
        api.MapPost("/observations/{id}/withdraw", WithdrawObservation)
            .WithDescription("Its rater withdraws it within 7 days (403 for anyone else, 409 after or when already withdrawn); its versions are kept.");
        api.MapGet("/observations/{id}/versions", ObservationVersions).WithDescription("Every version of an observation, for its rater and HR (never for its subject, HR included).");
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

        api.MapGet("/concerns", ListConcerns).RequireAuthorization(Policies.Hr).WithDescription("HR only: concerns; every read is audited.");
        api.MapGet("/concerns/flags", ConcernFlags).RequireAuthorization(Policies.HrOrCommittee)
            .WithDescription("HR and the cycle's committee: a flag per substantiated concern about a candidate of the cycle (category and date only; never about the caller). Every read is audited.");
        api.MapPost("/concerns", CreateConcern).RequireAuthorization(Policies.Hr).WithDescription("HR: record a concern.");
        api.MapPost("/concerns/{id}/substantiated", SetSubstantiated).RequireAuthorization(Policies.Hr).WithDescription("HR: mark a concern substantiated or not.");
        return app;
    }

    public static async Task<Results<Created<ObservationResponse>, Ok<ObservationResponse>, ValidationProblem, ProblemHttpResult>> CreateObservation(
        CreateObservationRequest request, Viewer viewer, ObservationService observations, CancellationToken ct) =>
        (await observations.CreateAsync(viewer.EmployeeId, request, ct)).ToCreated(o => $"/api/v1/observations/{o.Id}");

    /// <summary>Why the subject of an observation (HR included) may not read it: the rule shared by the observation and its versions.</summary>
    internal const string AboutYou = "Feedback about you is shown to you only pooled and anonymous (your growth page), never as single observations, whatever your role.";

    public static async Task<Results<Ok<ObservationResponse>, ProblemHttpResult>> GetObservation(
        string id, Viewer viewer, ObservationService observations, SensitiveReads sensitiveReads, CancellationToken ct)
    {
        var o = await observations.FindAsync(id, ct);
        if (o is null) return Problem.NotFound($"There is no observation '{id}'.").ToProblemResult();
        // Subjects see feedback only through the aggregated, anonymity-protected views, never one observation. The subject
        // rule comes first, whatever other roles they hold: HR reading feedback about themselves is still its subject.
        if (o.SubjectId == viewer.EmployeeId && o.RaterId != viewer.EmployeeId) return Problem.Forbidden(AboutYou).ToProblemResult();
        if (o.RaterId != viewer.EmployeeId && !viewer.IsHr) return Problem.Forbidden("Only the rater and HR can read a single observation.").ToProblemResult();
        if (o.RaterId != viewer.EmployeeId) await sensitiveReads.RecordAsync("observation.read", o.SubjectId, o.Id, ct);
        return TypedResults.Ok(o);
    }

    public static async Task<Ok<IReadOnlyList<GivenFeedback>>> Given(Viewer viewer, ObservationService observations, CancellationToken ct) =>
        TypedResults.Ok(await observations.GivenAsync(viewer.EmployeeId, ct));

    public static async Task<Results<Ok<ObservationResponse>, ValidationProblem, ProblemHttpResult>> EditObservation(
        string id, EditObservationRequest request, Viewer viewer, ObservationService observations, CancellationToken ct) =>
        (await observations.EditAsync(viewer.EmployeeId, id, request, ct)).ToOk();

    public static async Task<Results<Ok<ObservationWithdrawn>, ValidationProblem, ProblemHttpResult>> WithdrawObservation(
        string id, Viewer viewer, ObservationService observations, CancellationToken ct) =>
        (await observations.WithdrawAsync(viewer.EmployeeId, id, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<ObservationVersionView>>, ValidationProblem, ProblemHttpResult>> ObservationVersions(
        string id, Viewer viewer, ObservationService observations, SensitiveReads sensitiveReads, CancellationToken ct)
    {
        var versions = await observations.VersionsAsync(id, viewer.EmployeeId, viewer.IsHr, ct);
        // HR reading someone else's feedback is a disclosure, as for the observation itself.
        if (versions.Ok && await observations.PartiesAsync(id, ct) is { } parties && parties.RaterId != viewer.EmployeeId)
            await sensitiveReads.RecordAsync("observation.versions", parties.SubjectId, id, ct);
        return versions.ToOk();
    }

    public static Ok<FeedbackCheckResponse> CheckFeedback(FeedbackCheckRequest request) =>
        TypedResults.Ok(new FeedbackCheckResponse(FeedbackQualityCheck.Default.Check(request.Comment)));

    public static async Task<Ok<IReadOnlyList<Colleague>>> SearchColleagues(string? q, int? limit, ObservationService observations, CancellationToken ct) =>
        TypedResults.Ok(await observations.SearchColleaguesAsync(q, limit ?? 20, ct));

    public static async Task<Results<Created<FeedbackRequestResponse>, Ok<FeedbackRequestResponse>, ValidationProblem, ProblemHttpResult>> CreateFeedbackRequest(
        CreateFeedbackRequestRequest request, Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        (await requests.CreateAsync(viewer.EmployeeId, request, ct)).ToCreated(r => $"/api/v1/feedback-requests/{r.Id}");

    public static async Task<Ok<IReadOnlyList<InboxItem>>> Inbox(Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.InboxAsync(viewer.EmployeeId, ct));

    public static async Task<Ok<List<FeedbackRequestResponse>>> Sent(Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        TypedResults.Ok(await requests.SentAsync(viewer.EmployeeId, ct));

    public static async Task<Results<Ok<FeedbackRequestResponse>, ValidationProblem, ProblemHttpResult>> Withdraw(
        string id, Viewer viewer, FeedbackRequestService requests, CancellationToken ct) =>
        (await requests.WithdrawAsync(viewer.EmployeeId, id, ct)).ToOk();

    public static async Task<Results<Created<RecognitionResponse>, Ok<RecognitionResponse>, ValidationProblem, ProblemHttpResult>> CreateRecognition(
        CreateRecognitionRequest request, Viewer viewer, RecognitionService recognitions, CancellationToken ct) =>
        (await recognitions.CreateAsync(viewer.EmployeeId, request, ct)).ToCreated(r => $"/api/v1/employees/{r.ToId}/recognitions");

    public static async Task<Ok<RecognitionPage>> RecognitionFeed(string? value, int? page, [FromQuery(Name = "page_size")] int? pageSize, RecognitionService recognitions, CancellationToken ct) =>
        TypedResults.Ok(await recognitions.FeedAsync(value, page ?? 1, pageSize ?? RecognitionService.DefaultPageSize, ct));

    public static async Task<Results<Ok<RecognitionPage>, ProblemHttpResult>> RecognitionsReceived(
        string id, int? page, [FromQuery(Name = "page_size")] int? pageSize, RecognitionService recognitions, Data.TrellisDb db, CancellationToken ct)
    {
        if (!await db.Employees.AnyAsync(e => e.Id == id, ct))
            return Problem.NotFound($"There is no employee with id '{id}'.").ToProblemResult();
        return TypedResults.Ok(await recognitions.ReceivedAsync(id, page ?? 1, pageSize ?? RecognitionService.DefaultPageSize, ct));
    }

    public static async Task<Results<Created<ResultResponse>, Ok<ResultResponse>, ValidationProblem, ProblemHttpResult>> UpsertResult(
        UpsertResultRequest request, ResultService results, CancellationToken ct) =>
        (await results.UpsertAsync(request, ct)).ToCreated(r => $"/api/v1/results?employee_id={Uri.EscapeDataString(r.EmployeeId)}");

    public static async Task<Ok<IReadOnlyList<ResultResponse>>> ListResults([FromQuery(Name = "employee_id")] string? employeeId, int? limit, ResultService results, CancellationToken ct) =>
        TypedResults.Ok(await results.RecentAsync(employeeId, limit ?? 100, ct));

    public static async Task<Ok<IReadOnlyList<ConcernResponse>>> ListConcerns([FromQuery(Name = "employee_id")] string? employeeId, int? limit, ConcernService concerns, CancellationToken ct) =>
        TypedResults.Ok(await concerns.ListAsync(employeeId, limit ?? 100, ct));

    public static async Task<Results<Ok<List<ConcernFlag>>, ValidationProblem, ProblemHttpResult>> ConcernFlags(
        string? cycle, Viewer viewer, ConcernService concerns, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(cycle)) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cycle"] = ["Name the cycle whose candidates' flags you want."] });
        return (await concerns.FlagsForCycleAsync(cycle.Trim(), viewer, ct)).ToOk();
    }

    public static async Task<Results<Created<ConcernResponse>, Ok<ConcernResponse>, ValidationProblem, ProblemHttpResult>> CreateConcern(
        CreateConcernRequest request, ConcernService concerns, CancellationToken ct) =>
        (await concerns.CreateAsync(request, ct)).ToCreated(c => $"/api/v1/concerns?employee_id={Uri.EscapeDataString(c.EmployeeId)}");

    public static async Task<Results<Ok<ConcernResponse>, ValidationProblem, ProblemHttpResult>> SetSubstantiated(
        string id, SetSubstantiatedRequest request, ConcernService concerns, CancellationToken ct) =>
        (await concerns.SetSubstantiatedAsync(id, request.Substantiated, ct)).ToOk();
}
