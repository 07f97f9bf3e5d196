using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>
/// Promotion stories over HTTP (docs/growth.md): published stories for everyone signed in; the subject's own drafts, edits,
/// approval and declining for the subject alone; HR's counts without names or text.
/// </summary>
public static class PromotionStoriesApi
{
    public static IServiceCollection AddPromotionStories(this IServiceCollection services) => services.AddSingleton<StorySummaryCache>().AddScoped<PromotionStoryService>();

    public static IEndpointRouteBuilder MapPromotionStoriesApi(this IEndpointRouteBuilder app)
    {
        var stories = app.MapGroup("/api/v1/promotion-stories").WithTags("Growth");
        stories.MapGet("/", List);
        stories.MapPost("/", Create);
        stories.MapGet("/mine", Mine);
        stories.MapGet("/summary", Summary).RequireAuthorization(Policies.Hr);
        stories.MapGet("/{id:int}", Get);
        stories.MapPut("/{id:int}", Update);
        stories.MapPost("/{id:int}/approve", Approve);
        stories.MapPost("/{id:int}/decline", Decline);
        return app;
    }

    /// <summary>Published stories, newest first; <c>value</c> (a value key) and <c>department</c> filter them.</summary>
    public static async Task<Results<Ok<StoryPage>, ValidationProblem, ProblemHttpResult>> List(PromotionStoryService stories, CancellationToken ct,
        string? value = null, string? department = null, int? page = null, [FromQuery(Name = "page_size")] int? pageSize = null) =>
        (await stories.ListAsync(value, department, page, pageSize, ct)).ToOk();

    /// <summary>The viewer's promotions and their stories (drafts included: only their own).</summary>
    public static async Task<Ok<IReadOnlyList<MyPromotion>>> Mine(PromotionStoryService stories, CancellationToken ct) =>
        TypedResults.Ok(await stories.MineAsync(ct));

    public static async Task<Results<Created<StoryView>, Ok<StoryView>, ValidationProblem, ProblemHttpResult>> Create(CreateStoryRequest request, PromotionStoryService stories, CancellationToken ct) =>
        (await stories.CreateAsync(request, ct)).ToCreated(s => $"/api/v1/promotion-stories/{s.Id}");

    public static async Task<Results<Ok<StoryView>, ValidationProblem, ProblemHttpResult>> Get(int id, PromotionStoryService stories, CancellationToken ct) =>
        (await stories.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<StoryView>, ValidationProblem, ProblemHttpResult>> Update(int id, UpdateStoryRequest request, PromotionStoryService stories, CancellationToken ct) =>
        (await stories.UpdateAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<StoryView>, ValidationProblem, ProblemHttpResult>> Approve(int id, PromotionStoryService stories, CancellationToken ct, StoryDecisionRequest? request = null) =>
        (await stories.ApproveAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<StoryView>, ValidationProblem, ProblemHttpResult>> Decline(int id, PromotionStoryService stories, CancellationToken ct, StoryDecisionRequest? request = null) =>
        (await stories.DeclineAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<StoryCycleSummary>>, ValidationProblem, ProblemHttpResult>> Summary(PromotionStoryService stories, CancellationToken ct) =>
        (await stories.SummaryAsync(ct)).ToOk();
}
