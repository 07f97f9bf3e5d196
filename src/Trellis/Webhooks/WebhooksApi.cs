using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Trellis.Accounts;

namespace Trellis.Webhooks;

/// <summary>Webhook endpoints over HTTP (admins only): add, change (pause, resume), list, remove, rotate the secret, test, deliveries and replay.</summary>
public static class WebhooksApi
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        services.AddScoped<WebhookService>();
        services.AddHostedService<WebhookWorker>();
        services.AddHttpClient(WebhookWorker.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler
                {
                    // A redirect could lead anywhere, inside the network too: it counts as a failed attempt.
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, ct) => UrlPolicy.ConnectAsync(context, options, ct),
                };
            })
            .AddResilienceHandler("webhooks", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                if (options.QuickRetries > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.QuickRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        Delay = TimeSpan.FromSeconds(options.QuickRetryDelaySeconds),
                        UseJitter = true,
                        // Bounds the attempt (WebhookOptions.LongestAttempt), which must end within the endpoint's lease.
                        MaxDelay = options.QuickRetryMaxDelay,
                        // A receiver asking for an hour must not hold the worker: the stored retry schedule takes over.
                        ShouldRetryAfterHeader = false,
                    });
                pipeline.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds));
            });
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List);
        api.MapPost("/", Create);
        api.MapGet("/events", Events);
        api.MapGet("/{id:int}", Get);
        api.MapPatch("/{id:int}", Update);
        api.MapDelete("/{id:int}", Delete);
        api.MapPost("/{id:int}/rotate-secret", RotateSecret);
        api.MapPost("/{id:int}/test", SendTest);
        api.MapGet("/{id:int}/deliveries", Deliveries);
        api.MapPost("/{id:int}/deliveries/{deliveryId:long}/replay", Replay);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<WebhookView>>> List(WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.ListAsync(ct));

    public static Ok<EventTypesView> Events() => TypedResults.Ok(new EventTypesView(EventTypes.All));

    /// <summary>Adds an endpoint; the answer holds its signing secret, which is never shown again.</summary>
    public static async Task<Results<Created<CreatedWebhook>, Ok<CreatedWebhook>, ValidationProblem, ProblemHttpResult>> Create(CreateWebhookRequest request, WebhookService webhooks, CancellationToken ct) =>
        (await webhooks.CreateAsync(request, ct)).ToCreated(w => $"/api/v1/webhooks/{w.Id}");

    public static async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> Get(int id, WebhookService webhooks, CancellationToken ct) =>
        (await webhooks.GetAsync(id, ct)).ToOk();

    /// <summary>Changes an endpoint's url, events or description, or pauses (<c>enabled: false</c>) and resumes it.</summary>
    public static async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> Update(int id, UpdateWebhookRequest request, WebhookService webhooks, CancellationToken ct) =>
        (await webhooks.UpdateAsync(id, request, ct)).ToOk();

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(int id, WebhookService webhooks, CancellationToken ct)
    {
        var o = await webhooks.DeleteAsync(id, ct);
        return o.Ok ? TypedResults.NoContent() : o.Problem!.ToProblemResult();
    }

    public static async Task<Results<Ok<RotatedSecret>, ValidationProblem, ProblemHttpResult>> RotateSecret(int id, WebhookService webhooks, CancellationToken ct) =>
        (await webhooks.RotateSecretAsync(id, ct)).ToOk();

    public static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> SendTest(int id, WebhookService webhooks, CancellationToken ct)
    {
        var o = await webhooks.SendTestAsync(id, ct);
        return o.Ok ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", o.Value) : o.Problem!.ToProblemResult();
    }

    /// <summary>The latest deliveries (200 at most), newest first; <c>status</c>: pending, delivered or failed.</summary>
    public static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, ValidationProblem, ProblemHttpResult>> Deliveries(int id, string? status, WebhookService webhooks, CancellationToken ct) =>
        (await webhooks.DeliveriesAsync(id, status, ct)).ToOk();

    public static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> Replay(int id, long deliveryId, WebhookService webhooks, CancellationToken ct)
    {
        var o = await webhooks.ReplayAsync(id, deliveryId, ct);
        return o.Ok ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", o.Value) : o.Problem!.ToProblemResult();
    }
}
