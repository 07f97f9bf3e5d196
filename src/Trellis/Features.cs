using Trellis.Accounts;
using Trellis.Admin;
using Trellis.Evidence;
using Trellis.Cycles;
using Trellis.Framework;
using Trellis.People;
using Trellis.Growth;
using Trellis.Readiness;
using Trellis.Provisioning;

namespace Trellis;

/// <summary>Where each feature folder plugs in: one line per feature for services, one for endpoints.</summary>
public static class Features
{
    public static IServiceCollection AddFeatureServices(this IServiceCollection services)
    {
        services.AddEvidence();
        services.AddScoped<FrameworkHistory>();
        services.AddScoped<Import.DataImport>();
        services.AddSingleton<OrgSnapshots>().AddScoped<PeopleDirectory>().AddScoped<AdminQueries>();
        services.AddSingleton<Audit.AuditService>();
        services.AddCycles();
        services.AddProvisioning();
        return services;
    }

    public static IEndpointRouteBuilder MapFeatureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapAccountsApi();
        app.MapFrameworkApi();
        app.MapPeopleApi();
        app.MapAdminApi();
        app.MapGrowthApi();
        app.MapEvidenceApi();
        app.MapReadinessApi();
        Audit.AuditApi.MapAuditApi(app);
        app.MapCyclesApi();
        app.MapScimApi();
        return app;
    }
}
