using Microsoft.Extensions.DependencyInjection.Extensions;
using Trellis.Accounts;
using Trellis.Admin;
using Trellis.Audit;
using Trellis.Cycles;
using Trellis.Data;
using Trellis.Evidence;
using Trellis.Framework;
using Trellis.Growth;
using Trellis.Import;
using Trellis.People;
using Trellis.Readiness;
using Trellis.Provisioning;
using Trellis.Webhooks;

namespace Trellis;

/// <summary>
/// Where each feature folder plugs in: its services (<c>AddXxx</c>, beside its <c>MapXxxApi</c>) and its endpoints.
/// <see cref="AddTrellisServices"/> has no HTTP parts: the web app (<see cref="TrellisWeb"/>) and every CLI verb
/// (<see cref="Cli.TrellisCommands.ServicesAsync"/>) build on it.
/// </summary>
public static class Features
{
    public static IServiceCollection AddTrellisServices(this IServiceCollection services, DatabaseSelection database)
    {
        services.AddLogging();
        // The web host brings its configuration; a CLI verb has none, so options keep their defaults.
        services.TryAddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(TimeProvider.System);
        services.AddTrellisDb(database);

        services.AddAccounts();
        services.AddFramework();
        services.AddPeople();
        services.AddAdmin();
        services.AddEvidence();
        services.AddReadiness();
        services.AddImport();
        services.AddAudit();
        services.AddCycles();
        services.AddDevelopmentPlans();
        services.AddPromotionStories();
        services.AddProvisioning();
        services.AddWebhooks();
        return services;
    }

    public static IEndpointRouteBuilder MapFeatureEndpoints(this IEndpointRouteBuilder outer)
    {
        // Rules every endpoint's request body follows, whichever feature maps it.
        var app = outer.MapGroup("").RefuseNullListItems();
        app.MapAccountsApi();
        app.MapFrameworkApi();
        app.MapPeopleApi();
        app.MapAdminApi();
        app.MapGrowthApi();
        app.MapDevelopmentPlansApi();
        app.MapPromotionStoriesApi();
        app.MapEvidenceApi();
        app.MapReadinessApi();
        app.MapAuditApi();
        app.MapCyclesApi();
        app.MapScimApi();
        app.MapWebhooksApi();
        return outer;
    }
}
