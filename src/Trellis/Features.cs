using Trellis.Accounts;
using Trellis.Admin;
using Trellis.Cycles;
using Trellis.Framework;
using Trellis.People;

namespace Trellis;

/// <summary>Where each feature folder plugs in: one line per feature for services, one for endpoints.</summary>
public static class Features
{
    public static IServiceCollection AddFeatureServices(this IServiceCollection services)
    {
        services.AddCycles();
        return services;
    }

    public static IEndpointRouteBuilder MapFeatureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapAccountsApi();
        app.MapFrameworkApi();
        app.MapPeopleApi();
        app.MapAdminApi();
        app.MapCyclesApi();
        return app;
    }
}
