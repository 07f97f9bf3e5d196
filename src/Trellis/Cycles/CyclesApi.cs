using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Cycles;

/// <summary>Promotion cycles over HTTP: the cycle, nomination, response, decision, board and publish paths (README.md, API table).</summary>
public static class CyclesApi
{
    public static IServiceCollection AddCycles(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section);
        return services.AddSingleton<BoardCache>().AddScoped<CycleService>().AddScoped<CalibrationBoard>().AddScoped<TalentGrid>().AddScoped<Transitions>().AddScoped<Notifier>().AddScoped<Inbox>()
            .AddScoped<PulseInvites>().AddHostedService<PulseInviteSchedule>();
    }

    public static IEndpointRouteBuilder MapCyclesApi(this IEndpointRouteBuilder app)
    {
        var cycles = app.MapGroup("/api/v1/cycles").WithTags("Cycles");
        cycles.MapGet("/", List);
        cycles.MapPost("/", Create).RequireAuthorization(Policies.Hr);
        cycles.MapGet("/{name}", Get);
        cycles.MapPost("/{name}/phase", SetPhase).RequireAuthorization(Policies.Hr);
        cycles.MapPost("/{name}/nominations", Nominate);
        cycles.MapGet("/{name}/nominations", ListNominations);
        cycles.MapGet("/{name}/suggestions", ListSuggestions);
        cycles.MapGet("/{name}/nominees", ListNominees);
        cycles.MapGet("/{name}/board", Board);
        cycles.MapGet("/{name}/grid", Grid);
        cycles.MapGet("/{name}/publication", PublicationPreview).RequireAuthorization(Policies.Hr);
        cycles.MapPost("/{name}/publish", Publish).RequireAuthorization(Policies.Hr);

        var nominations = app.MapGroup("/api/v1/nominations").WithTags("Cycles");
        nominations.MapGet("/{id:int}", GetNomination);
        nominations.MapPost("/{id:int}/response", Respond);
        nominations.MapGet("/{id:int}/notes", GetNotes);
        nominations.MapPut("/{id:int}/notes", SaveNotes);
        nominations.MapPost("/{id:int}/decision", Decide);
        nominations.MapGet("/{id:int}/decisions", DecisionHistory);
        nominations.MapGet("/{id:int}/evidence", Evidence);
        nominations.MapGet("/{id:int}/conversation-partners", ConversationPartners);
        nominations.MapGet("/{id:int}/conversations", Conversations);
        nominations.MapPost("/{id:int}/conversations", AskForConversation);
        nominations.MapGet("/{id:int}/where-you-lead", WhereYouLead);

        var notifications = app.MapGroup("/api/v1/notifications").WithTags("Cycles");
        notifications.MapGet("/", Notifications);
        notifications.MapPost("/{id:long}/read", MarkRead);

        var transitions = app.MapGroup("/api/v1/transitions").WithTags("Cycles");
        transitions.MapGet("/", ListTransitions);
        transitions.MapGet("/{id:int}", GetTransition);
        transitions.MapPost("/{id:int}/check-ins/{day:int}", CheckIn);
        transitions.MapPost("/{id:int}/pulse", AnswerPulse);

        var returns = app.MapGroup("/api/v1/track-returns").WithTags("Cycles");
        returns.MapGet("/", ListReturns);
        returns.MapPost("/", RequestReturn);
        returns.MapPost("/{id:int}/approve", ApproveReturn).RequireAuthorization(Policies.Hr);
        returns.MapPost("/{id:int}/reject", RejectReturn).RequireAuthorization(Policies.Hr);
        app.MapGroup("/api/v1/employees").WithTags("Cycles").MapGet("/{employeeId}/history", PersonHistory);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<CycleResponse>>> List(CycleService cycles, CancellationToken ct) =>
        TypedResults.Ok(await cycles.ListAsync(ct));

    public static async Task<Results<Created<CycleResponse>, ValidationProblem, ProblemHttpResult>> Create(CreateCycleRequest request, CycleService cycles, CancellationToken ct)
=>
        (await cycles.CreateAsync(request, ct)).To(c => TypedResults.Created($"/api/v1/cycles/{Uri.EscapeDataString(c.Name)}", c));

    public static async Task<Results<Ok<CycleResponse>, ValidationProblem, ProblemHttpResult>> Get(string name, CycleService cycles, CancellationToken ct) =>
        (await cycles.GetAsync(name, ct)).ToOk();

    public static async Task<Results<Ok<CycleResponse>, ValidationProblem, ProblemHttpResult>> SetPhase(string name, SetPhaseRequest request, CycleService cycles, CancellationToken ct) =>
        (await cycles.SetPhaseAsync(name, request, ct)).ToOk();

    public static async Task<Results<Created<NominationResponse>, ValidationProblem, ProblemHttpResult>> Nominate(string name, NominateRequest request, CycleService cycles, CancellationToken ct)
=>
        (await cycles.NominateAsync(name, request, false, ct)).To(n => TypedResults.Created($"/api/v1/nominations/{n.Id}", n));

    public static async Task<Results<Ok<IReadOnlyList<NominationResponse>>, ValidationProblem, ProblemHttpResult>> ListNominations(string name, CycleService cycles, CancellationToken ct) =>
        (await cycles.ListNominationsAsync(name, ct)).ToOk();

    /// <summary>
    /// The suggestions, one page at a time (<c>page</c> from 1, <c>page_size</c> 1–1000, default 100): a cycle at 100,000
    /// people suggests 10,000 (5 MB in one answer). The page carries the number of suggestions (<c>total</c>) and, while
    /// there are more, a <c>Link</c> header to the next page.
    /// </summary>
    public static async Task<Results<Ok<SuggestionsPage>, ValidationProblem, ProblemHttpResult>> ListSuggestions(
        string name, CycleService cycles, SensitiveReads reads, HttpRequest request, HttpResponse response, int? page,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        if (new Shared.ApiPaging(page, pageSize).Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var number = page ?? 1;
        var size = pageSize ?? Shared.ApiPaging.DefaultPageSize;
        var suggestions = await cycles.SuggestionsAsync(name, ct);
        var items = suggestions.Value is { } found ? Shared.ApiPaging.PageOf(found, number, size) : [];
        // A band and its explanation are readiness: each person on the page is a read of their record.
        await CycleService.RecordSuggestionReadsAsync(reads, name, items, ct);
        return suggestions.To(all =>
        {
            Shared.ApiPaging.LinkNext(request, response, number, size, all.Count);
            return TypedResults.Ok(new SuggestionsPage(items, all.Count, number, size));
        });
    }

    public static async Task<Results<Ok<IReadOnlyList<NomineeView>>, ValidationProblem, ProblemHttpResult>> ListNominees(string name, CycleService cycles, CancellationToken ct, string? q = null) =>
        (await cycles.NomineesAsync(name, q, ct)).ToOk();

    public static async Task<Results<BoardJson, ValidationProblem, ProblemHttpResult>> Board(
        string name, CalibrationBoard board, CancellationToken ct,
        string? band = null, string? flag = null, string? response = null, string? decision = null, string? q = null, string? sort = null, string? dir = null)
=>
        (await board.GetAsync(name, new BoardQuery(band, flag, response, decision, q, sort, dir), ct)).To(b => new BoardJson(b));

    /// <summary>The board's rows placed on the talent grid (same filters, same numbers, same permission).</summary>
    public static async Task<Results<Ok<GridResponse>, ValidationProblem, ProblemHttpResult>> Grid(
        string name, TalentGrid grid, CancellationToken ct,
        string? band = null, string? flag = null, string? response = null, string? decision = null, string? q = null) =>
        (await grid.GetAsync(name, new BoardQuery(band, flag, response, decision, q), ct)).ToOk();

    /// <summary>The body is optional: <c>{ override_reason }</c> only when publishing before the response deadline or over budget.</summary>
    public static async Task<Results<Ok<CycleResponse>, ValidationProblem, ProblemHttpResult>> Publish(
        string name, CycleService cycles, Audit.AuditService audit, CancellationToken ct, PublishRequest? request = null)
    {
        var published = await cycles.PublishAsync(name, request, ct);
        // The decisions are now promotion history: the culture audit is recomputed in the background at once.
        if (published.Ok) _ = audit.CheckInBackground(now: true);
        return published.ToOk();
    }

    public static async Task<Results<Ok<PublicationPreview>, ValidationProblem, ProblemHttpResult>> PublicationPreview(string name, CycleService cycles, CancellationToken ct) =>
        (await cycles.PreviewPublicationAsync(name, ct)).ToOk();

    public static async Task<Results<Ok<NominationResponse>, ValidationProblem, ProblemHttpResult>> GetNomination(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.GetNominationAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<NominationResponse>, ValidationProblem, ProblemHttpResult>> Respond(int id, RespondRequest request, CycleService cycles, CancellationToken ct) =>
        (await cycles.RespondAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<ReflectionNoteView>>, ValidationProblem, ProblemHttpResult>> GetNotes(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.GetNotesAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<ReflectionNoteView>>, ValidationProblem, ProblemHttpResult>> SaveNotes(int id, SaveNotesRequest request, CycleService cycles, CancellationToken ct) =>
        (await cycles.SaveNotesAsync(id, request, ct)).ToOk();

    /// <summary>The expected version comes in the body (<c>version</c>) or in <c>If-Match</c> (<c>"3"</c>, <c>W/"3"</c> or <c>3</c>).</summary>
    public static async Task<Results<Ok<NominationResponse>, ValidationProblem, ProblemHttpResult>> Decide(
        int id, DecideRequest request, CycleService cycles, CancellationToken ct, [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        int? version = null;
        if (!string.IsNullOrWhiteSpace(ifMatch))
        {
            var text = ifMatch.Trim();
            if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
            if (!int.TryParse(text.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                return ((Outcome<NominationResponse>)Problem.Invalid("if_match", $"If-Match '{ifMatch}' is not a version number")).ToOk();
            version = parsed;
        }
        return (await cycles.DecideAsync(id, request, version, ct)).ToOk();
    }

    public static async Task<Results<Ok<IReadOnlyList<DecisionChangeView>>, ValidationProblem, ProblemHttpResult>> DecisionHistory(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.DecisionHistoryAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<EvidenceSummary>, ValidationProblem, ProblemHttpResult>> Evidence(int id, CalibrationBoard board, CancellationToken ct) =>
        (await board.EvidenceAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<ConversationPartners>, ValidationProblem, ProblemHttpResult>> ConversationPartners(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.ConversationPartnersAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<ConversationView>>, ValidationProblem, ProblemHttpResult>> Conversations(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.ConversationsAsync(id, ct)).ToOk();

    public static async Task<Results<Created<ConversationView>, ValidationProblem, ProblemHttpResult>> AskForConversation(int id, ConversationRequestBody request, CycleService cycles, CancellationToken ct)
=>
        (await cycles.AskForConversationAsync(id, request, ct)).To(c => TypedResults.Created($"/api/v1/nominations/{id}/conversations", c));

    public static async Task<Results<Ok<IReadOnlyList<LeadingBehavior>>, ValidationProblem, ProblemHttpResult>> WhereYouLead(int id, CycleService cycles, CancellationToken ct) =>
        (await cycles.WhereYouLeadAsync(id, ct)).ToOk();

    public static async Task<Ok<IReadOnlyList<NotificationView>>> Notifications(Inbox inbox, CancellationToken ct) =>
        TypedResults.Ok(await inbox.ListAsync(ct));

    public static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(long id, Inbox inbox, CancellationToken ct) =>
        await inbox.MarkReadAsync(id, ct) ? TypedResults.NoContent() : Problem.NotFound($"You have no notification {id}.").ToProblemResult();

    public static async Task<Ok<IReadOnlyList<TransitionPlanView>>> ListTransitions(Transitions transitions, CancellationToken ct) =>
        TypedResults.Ok(await transitions.ListAsync(ct));

    public static async Task<Results<Ok<TransitionPlanView>, ValidationProblem, ProblemHttpResult>> GetTransition(int id, Transitions transitions, CancellationToken ct) =>
        (await transitions.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<TransitionPlanView>, ValidationProblem, ProblemHttpResult>> CheckIn(int id, int day, CheckInRequest request, Transitions transitions, CancellationToken ct) =>
        (await transitions.CheckInAsync(id, day, request, ct)).ToOk();

    public static async Task<Results<Ok<TransitionPlanView>, ValidationProblem, ProblemHttpResult>> AnswerPulse(int id, PulseRequest request, Transitions transitions, CancellationToken ct) =>
        (await transitions.AnswerPulseAsync(id, request, ct)).ToOk();

    public static async Task<Ok<IReadOnlyList<TrackReturnView>>> ListReturns(Transitions transitions, CancellationToken ct) =>
        TypedResults.Ok(await transitions.ListReturnsAsync(ct));

    public static async Task<Results<Ok<TrackReturnView>, ValidationProblem, ProblemHttpResult>> RequestReturn(TrackReturnRequest request, Transitions transitions, CancellationToken ct) =>
        (await transitions.RequestReturnAsync(request, ct)).ToOk();

    /// <summary>The body is optional: <c>{ reports_to }</c> names who takes the person's direct reports (default: their manager).</summary>
    public static async Task<Results<Ok<TrackReturnView>, ValidationProblem, ProblemHttpResult>> ApproveReturn(int id, Transitions transitions, CancellationToken ct, ApproveReturnRequest? request = null) =>
        (await transitions.DecideReturnAsync(id, true, request?.ReportsTo, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<EmployeeEventView>>, ValidationProblem, ProblemHttpResult>> PersonHistory(string employeeId, Transitions transitions, CancellationToken ct) =>
        (await transitions.HistoryAsync(employeeId, ct)).ToOk();

    public static async Task<Results<Ok<TrackReturnView>, ValidationProblem, ProblemHttpResult>> RejectReturn(int id, Transitions transitions, CancellationToken ct) =>
        (await transitions.DecideReturnAsync(id, false, ct: ct)).ToOk();
}
