using Trellis.Accounts;
using Trellis.Data;
using Trellis.Provisioning;
using Trellis.Operations;
using Trellis.Shared;
using Microsoft.AspNetCore.DataProtection;
using Scalar.AspNetCore;

namespace Trellis;

/// <summary>Builds the web application: services in <see cref="AddTrellis"/>, endpoints in <see cref="MapTrellis"/>.</summary>
public static class TrellisWeb
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <param name="serve">What <c>trellis serve</c> asks for; configuration (<c>demo</c>, <c>warmup</c>) overrides it.</param>
    /// <param name="configure">Last word on the services before the app is built (the pages benchmark adds its timing middleware).</param>
    public static WebApplication Build(string[] args, ServeOptions? serve = null, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name finds the Razor pages in this assembly even when a test process hosts the app. A published
        // folder (it has wwwroot/ beside the executable) is its own content root, so `out/trellis serve` serves styled
        // pages from any working directory.
        var published = Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ApplicationName = typeof(TrellisWeb).Assembly.GetName().Name, ContentRootPath = published ? AppContext.BaseDirectory : null,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.AddTrellis(serve);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapTrellis();
        return app;
    }

    /// <summary>The app's services (<see cref="Features.AddTrellisServices"/>) and the HTTP parts: pages, sign-in, ProblemDetails, OpenAPI, JSON.</summary>
    public static void AddTrellis(this WebApplicationBuilder builder, ServeOptions? serve)
    {
        builder.AddOperations();
        // A day's log is about requests, not queries: EF Core's SQL statements only when something is wrong. A
        // Logging:LogLevel setting for the category in configuration still wins (it is more specific than this default).
        if (builder.Configuration["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] is null)
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // EF Core logs each connection failure it then throws; whoever catches the exception reports it (the request log,
        // or `serve`'s one "error:" line at start), so the console does not get it twice.
        if (builder.Configuration["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Connection"] is null)
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.Critical);
        builder.Services.AddTrellisServices(DatabaseSelection.Resolve(builder.Configuration["db"]));
        builder.Services.AddOptions<ServeOptions>()
            .Configure(o => { if (serve is not null) o.CopyFrom(serve); })
            .BindConfiguration("");
        builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddProblemDetails();
        // Unreadable request bodies and query values are thrown, so that they become field errors (RequestBodyProblems).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<RequestBodyProblems>();
        builder.Services.AddExceptionHandler<ApiExceptionProblems>();
        builder.Services.AddOpenApi();
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.ConfigureFilter(new UnknownHandlerFilter());
            // Pages live in their feature folders (Framework/, People/, …) next to their endpoints.
            o.RootDirectory = "/";
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Accounts/SignIn");
            o.Conventions.AllowAnonymousToPage("/Accounts/SignInRefused");
        });
        // Keys in the database: sign-in cookies and antiforgery tokens survive restarts and are valid on every node.
        builder.Services.AddDataProtection().SetApplicationName("trellis").PersistKeysToDbContext<TrellisDb>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTrellisAuth();
        builder.Services.AddScimAuthentication();
        builder.Services.AddTrellisSingleSignOn(builder.Configuration);
        builder.Services.AddRequestProtection(builder.Configuration);
        builder.Services.ConfigureHttpJsonOptions(o => TrellisJson.Configure(o.SerializerOptions));
        // With warmup on, a few anonymous requests go through the pipeline in process before the server listens.
        WarmStart.Decorate(builder.Services);
    }

    public static void MapTrellis(this WebApplication app)
    {
        // Forwarded headers first (scheme and address), then the request log.
        app.UseRequestProtection();
        app.UseOperations();
        app.UseErrorPages();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.UseAuthentication();
        // After authentication: an antiforgery token is bound to the signed-in user.
        app.UseSameOriginWrites();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapHealth();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Trellis API")).AllowAnonymous().AddEndpointFilter(InEnglish);
        app.MapRazorPages();
        app.MapFeatureEndpoints();
        app.MapSingleSignOn();
    }

    /// <summary>
    /// Scalar's page has a bare <c>&lt;html&gt;</c> and no option to name its language; like every other page it is in
    /// English, which screen readers need to be told to pronounce it right.
    /// </summary>
    private static async ValueTask<object?> InEnglish(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        const string Bare = "<html>";
        if (result is Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult { ResponseContent: { } html } page
            && html.IndexOf(Bare, StringComparison.Ordinal) is var at and >= 0)
        {
            return TypedResults.Content(string.Concat(html.AsSpan(0, at), "<html lang=\"en\">", html.AsSpan(at + Bare.Length)), page.ContentType, statusCode: page.StatusCode);
        }
        return result;
    }
}

/// <summary>
/// Options of <c>trellis serve</c>, bound once from the configuration root (<c>demo</c>, <c>warmup</c>, …) over what the
/// command line asked for. <paramref name="Demo"/>: seed a demo organisation into an empty database.
/// <paramref name="WarmUp"/>: load readiness and the organisation in the background once listening (the server does;
/// tests, which write evidence after start, turn it off with <c>warmup=false</c>).
/// </summary>
public sealed record ServeOptions(bool Demo = false, int DemoEmployees = 300, int DemoSeed = 42, bool WarmUp = false)
{
    public ServeOptions() : this(Demo: false) { }

    public bool Demo { get; set; } = Demo;
    public int DemoEmployees { get; set; } = DemoEmployees;
    public int DemoSeed { get; set; } = DemoSeed;
    public bool WarmUp { get; set; } = WarmUp;

    internal void CopyFrom(ServeOptions other) => (Demo, DemoEmployees, DemoSeed, WarmUp) = (other.Demo, other.DemoEmployees, other.DemoSeed, other.WarmUp);
}
