using Microsoft.AspNetCore.Http.HttpResults;
using Trellis.Accounts;

namespace Trellis.Growth;

/// <summary>Development plans over HTTP (docs/growth.md): the person, their managers and HR; HR's aggregate without names.</summary>
public static class DevelopmentPlansApi
{
    public static IServiceCollection AddDevelopmentPlans(this IServiceCollection services) => services.AddScoped<DevelopmentPlanService>();

    public static IEndpointRouteBuilder MapDevelopmentPlansApi(this IEndpointRouteBuilder app)
    {
        var plans = app.MapGroup("/api/v1/development-plans").WithTags("Growth");
        plans.MapGet("/", List);
        plans.MapPost("/", Create);
        plans.MapGet("/summary", Summary).RequireAuthorization(Policies.Hr);
        plans.MapGet("/{id:int}", Get);
        plans.MapPut("/{id:int}", Update);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<PlanSummary>>, ValidationProblem, ProblemHttpResult>> List(DevelopmentPlanService plans, CancellationToken ct, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "employee_id")] string? employeeId = null) =>
        (await plans.ListAsync(employeeId, ct)).ToOk();

    public static async Task<Results<Created<PlanView>, Ok<PlanView>, ValidationProblem, ProblemHttpResult>> Create(CreatePlanRequest request, DevelopmentPlanService plans, CancellationToken ct) =>
        (await plans.CreateAsync(request, ct)).ToCreated(p => $"/api/v1/development-plans/{p.Id}");

    public static async Task<Results<Ok<PlanView>, ValidationProblem, ProblemHttpResult>> Get(int id, DevelopmentPlanService plans, CancellationToken ct) =>
        (await plans.GetAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<PlanView>, ValidationProblem, ProblemHttpResult>> Update(int id, UpdatePlanRequest request, DevelopmentPlanService plans, CancellationToken ct) =>
        (await plans.UpdateAsync(id, request, ct)).ToOk();

    public static async Task<Results<Ok<PlanAggregate>, ValidationProblem, ProblemHttpResult>> Summary(DevelopmentPlanService plans, CancellationToken ct) =>
        (await plans.AggregateAsync(ct)).ToOk();
}
