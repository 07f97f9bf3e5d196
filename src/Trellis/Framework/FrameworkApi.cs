using Microsoft.AspNetCore.Http.HttpResults;
using Trellis.Core.Framework;

namespace Trellis.Framework;

public static class FrameworkApi
{
    public static IEndpointRouteBuilder MapFrameworkApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/framework").WithTags("Framework");
        api.MapGet("/", GetCurrent);
        return app;
    }

    public static async Task<Results<Ok<CareerFramework>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> GetCurrent(FrameworkStore store, CancellationToken ct)
    {
        var current = await store.GetAsync(ct);
        return current is null
            ? TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = "No framework", Detail = "No career framework has been imported yet.", Status = 404 })
            : TypedResults.Ok(current.Framework);
    }
}
