using Trellis.Accounts;
using Trellis.Admin;
using Trellis.Data;
using Trellis.Framework;
using Trellis.People;
using Scalar.AspNetCore;

namespace Trellis;

/// <summary>Builds the web application: services in <see cref="AddTrellis"/>, endpoints in <see cref="MapTrellis"/>.</summary>
public static class TrellisWeb
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <param name="configure">Last word on the services before the app is built (the pages benchmark adds its timing middleware).</param>
    public static WebApplication Build(string[] args, ServeOptions? serve = null, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name finds the Razor pages in this assembly even when a test process hosts the app.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(TrellisWeb).Assembly.GetName().Name });
        serve ??= new ServeOptions(Demo: builder.Configuration.GetValue("demo", false));
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.AddTrellis(serve);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapTrellis();
        return app;
    }

    public static void AddTrellis(this WebApplicationBuilder builder, ServeOptions serve)
    {
        var db = DatabaseSelection.Resolve(builder.Configuration["db"]);
        // A day's log is about requests, not queries: EF Core's SQL statements only when something is wrong. A
        // Logging:LogLevel setting for the category in configuration still wins (it is more specific than this default).
        if (builder.Configuration["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] is null)
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        builder.Services.AddSingleton(serve);
        builder.Services.AddTrellisDb(db);
        builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddProblemDetails();
        builder.Services.AddValidation();
        builder.Services.AddOpenApi();
        builder.Services.AddRazorPages(o =>
        {
            // Pages live in their feature folders (Framework/, People/, …) next to their endpoints.
            o.RootDirectory = "/";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Accounts/SignIn");
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTrellisAuth();
        builder.Services.AddScoped<Viewer>();
        builder.Services.AddScoped<SensitiveReads>();
        builder.Services.AddSingleton<FrameworkStore>();
        builder.Services.AddSingleton<Readiness.ReadinessService>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
        });
        builder.Services.AddFeatureServices();
    }

    public static void MapTrellis(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Trellis API")).AllowAnonymous();
        app.MapRazorPages();
        app.MapFeatureEndpoints();
    }
}

/// <summary>
/// Options of <c>trellis serve</c> that are not plain configuration. <paramref name="WarmUp"/>: load readiness and the
/// organisation in the background once listening (the server does; tests, which seed after start, do not).
/// </summary>
public sealed record ServeOptions(bool Demo = false, int DemoEmployees = 300, int DemoSeed = 42, bool WarmUp = false);
