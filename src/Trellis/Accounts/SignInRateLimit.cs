using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Trellis.Accounts;

/// <summary>
/// A limit on sign-in attempts per client address (<c>SignIn:AttemptsPerMinute</c>, default 30), on top of the lockout per
/// login and address: it slows one address guessing across many accounts, where no single account reaches its lockout.
/// Only POST /signin counts, so reading pages never does. An IPv6 address counts by its /64 (<see cref="ClientKey"/>).
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
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
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

    /// <summary>
    /// The client as sign-in limits count it: an IPv4 address, or an IPv6 address by its /64, the smallest block a
    /// subscriber usually gets (one machine alone can use all 2^64 addresses of it).
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
