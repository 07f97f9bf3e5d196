using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Trellis.Accounts;

/// <summary>
/// A limit on sign-in attempts per client address (<c>SignIn:AttemptsPerMinute</c>, default 30), on top of the lockout per
/// account and address: it slows one address guessing across many accounts, where no single account reaches its lockout.
/// Only POST /signin counts, so reading pages never does.
/// </summary>
public static class SignInRateLimit
{
    public const int DefaultAttemptsPerMinute = 30;

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((o, config) =>
        {
            var perMinute = config.GetValue("SignIn:AttemptsPerMinute", DefaultAttemptsPerMinute);
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = Math.Max(1, perMinute),
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address: wait a minute and try again.", ct);
            };
        });
        services.AddRateLimiter(_ => { });
        return services;
    }
}
