using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Trellis.Provisioning;

/// <summary>
/// SCIM 2.0 at <c>/scim/v2</c> for identity providers (Entra ID, Okta, Keycloak…), authenticated by a provisioning token.
/// Answers are <c>application/scim+json</c> and errors SCIM error responses with <c>scimType</c> (RFC 7644 §3.12), which
/// is what SCIM clients read, instead of the ProblemDetails of <c>/api/v1</c>. The protocol describes itself
/// (ServiceProviderConfig, ResourceTypes, Schemas), so it stays out of the OpenAPI document.
/// </summary>
public static class ScimApi
{
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.AddOptions<ScimOptions>().BindConfiguration(ScimOptions.Section);
        return services.AddScoped<ScimUsers>().AddScoped<ScimGroups>().AddScoped<ScimRoles>().AddScoped<ProvisioningTokens>();
    }

    /// <summary>The HTTP side: provisioning tokens authenticate on /scim/v2 only (added by the web app, after its own sign-in).</summary>
    public static IServiceCollection AddScimAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ScimAuthenticationHandler>(ScimAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ScimAuthenticationHandler.Policy, p => p
            .AddAuthenticationSchemes(ScimAuthenticationHandler.SchemeName)
            .RequireClaim(ScimAuthenticationHandler.TokenIdClaim));
        return services;
    }

    public static IEndpointRouteBuilder MapScimApi(this IEndpointRouteBuilder app)
    {
        var scim = app.MapGroup("/scim/v2").RequireAuthorization(ScimAuthenticationHandler.Policy).ExcludeFromDescription()
            .DisableAntiforgery().AddEndpointFilter(Errors);
        scim.MapGet("/ServiceProviderConfig", GetServiceProviderConfig);
        scim.MapGet("/ResourceTypes", ListResourceTypes);
        scim.MapGet("/ResourceTypes/{name}", GetResourceType);
        scim.MapGet("/Schemas", ListSchemas);
        scim.MapGet("/Schemas/{id}", GetSchema);
        scim.MapGet("/Users", ListUsers);
        scim.MapPost("/Users", CreateUser);
        scim.MapGet("/Users/{id}", GetUser);
        scim.MapPut("/Users/{id}", ReplaceUser);
        scim.MapPatch("/Users/{id}", PatchUser);
        scim.MapDelete("/Users/{id}", DeleteUser);
        scim.MapGet("/Groups", ListGroups);
        scim.MapPost("/Groups", CreateGroup);
        scim.MapGet("/Groups/{id}", GetGroup);
        scim.MapPut("/Groups/{id}", ReplaceGroup);
        scim.MapPatch("/Groups/{id}", PatchGroup);
        scim.MapDelete("/Groups/{id}", DeleteGroup);
        return app;
    }

    /// <summary>Every <see cref="ScimException"/> becomes a SCIM error response; anything else stays a 500 for the exception handler.</summary>
    private static async ValueTask<object?> Errors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ScimException ex)
        {
            if (ex.Audit is { } entry)
            {
                // The request's transaction is gone by now; what it left tracked must not be saved with the entry.
                var db = context.HttpContext.RequestServices.GetRequiredService<Data.TrellisDb>();
                db.ChangeTracker.Clear();
                db.AuditLog.Add(entry);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            return new ScimError(ex);
        }
    }

    private static string BaseUrl(HttpRequest r) => $"{r.Scheme}://{r.Host}{r.PathBase}/scim/v2";

    private static ScimResult Ok(JsonNode body) => new(200, body);

    public static ScimResult GetServiceProviderConfig(HttpRequest request) => Ok(ScimDiscovery.ServiceProviderConfig(BaseUrl(request)));

    public static ScimResult ListResourceTypes(HttpRequest request) =>
        Ok(ScimLists.Response(2, 1, ScimDiscovery.ResourceTypeNames.Select(n => ScimDiscovery.ResourceType(n, BaseUrl(request))).ToList()));

    public static ScimResult GetResourceType(string name, HttpRequest request) => Ok(ScimDiscovery.ResourceType(name, BaseUrl(request)));

    public static ScimResult ListSchemas(HttpRequest request) =>
        Ok(ScimLists.Response(ScimDiscovery.SchemaIds.Length, 1, ScimDiscovery.SchemaIds.Select(id => ScimDiscovery.Schema(id, BaseUrl(request))).ToList()));

    public static ScimResult GetSchema(string id, HttpRequest request) => Ok(ScimDiscovery.Schema(id, BaseUrl(request)));

    // startIndex and count bind as text: an int parameter would have model binding answer "abc" with ProblemDetails
    // before the SCIM error handling ever ran.
    public static async Task<ScimResult> ListUsers(ScimUsers users, HttpRequest request, string? filter, string? startIndex, string? count,
        string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var list = await users.ListAsync(filter, Number(startIndex, "startIndex"), Number(count, "count"), BaseUrl(request), ct);
        foreach (var resource in ((JsonArray)list["Resources"]!).OfType<JsonObject>()) Project(resource, attributes, excludedAttributes);
        return Ok(list);
    }

    public static async Task<ScimResult> GetUser(string id, ScimUsers users, HttpRequest request, string? attributes, string? excludedAttributes, CancellationToken ct) =>
        Ok(Project(await users.GetAsync(id, BaseUrl(request), ct), attributes, excludedAttributes));

    public static async Task<ScimResult> CreateUser(ScimUsers users, HttpRequest request, CancellationToken ct)
    {
        var (user, _) = await users.CreateAsync(await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct);
        return new ScimResult(201, user, user["meta"]?["location"]?.GetValue<string>());
    }

    public static async Task<ScimResult> ReplaceUser(string id, ScimUsers users, HttpRequest request, CancellationToken ct) =>
        Ok(await users.ReplaceAsync(id, await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct));

    public static async Task<ScimResult> PatchUser(string id, ScimUsers users, HttpRequest request, CancellationToken ct) =>
        Ok(await users.PatchAsync(id, await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct));

    public static async Task<NoContent> DeleteUser(string id, ScimUsers users, HttpRequest request, CancellationToken ct)
    {
        await users.DeleteAsync(id, ScimCaller.Of(request.HttpContext.User), ct);
        return TypedResults.NoContent();
    }

    public static async Task<ScimResult> ListGroups(ScimGroups groups, HttpRequest request, string? filter, string? startIndex, string? count,
        string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var list = await groups.ListAsync(filter, Number(startIndex, "startIndex"), Number(count, "count"),
            WantsMembers(attributes, excludedAttributes), BaseUrl(request), ct);
        foreach (var resource in ((JsonArray)list["Resources"]!).OfType<JsonObject>()) Project(resource, attributes, excludedAttributes);
        return Ok(list);
    }

    public static async Task<ScimResult> GetGroup(string id, ScimGroups groups, HttpRequest request, string? attributes, string? excludedAttributes, CancellationToken ct) =>
        Ok(Project(await groups.GetAsync(id, WantsMembers(attributes, excludedAttributes), BaseUrl(request), ct), attributes, excludedAttributes));

    public static async Task<ScimResult> CreateGroup(ScimGroups groups, HttpRequest request, CancellationToken ct)
    {
        var group = await groups.CreateAsync(await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct);
        return new ScimResult(201, group, group["meta"]?["location"]?.GetValue<string>());
    }

    public static async Task<ScimResult> ReplaceGroup(string id, ScimGroups groups, HttpRequest request, CancellationToken ct) =>
        Ok(await groups.ReplaceAsync(id, await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct));

    public static async Task<Results<ScimResult, NoContent>> PatchGroup(string id, ScimGroups groups, HttpRequest request,
        [FromQuery] string? attributes, CancellationToken ct)
    {
        var group = await groups.PatchAsync(id, await Scim.ReadBodyAsync(request, ct), ScimCaller.Of(request.HttpContext.User), BaseUrl(request), ct);
        // RFC 7644 §3.5.2: 204 unless attributes were asked for; Entra ID and Okta accept either.
        return string.IsNullOrEmpty(attributes) ? TypedResults.NoContent() : Ok(Project(group, attributes, null));
    }

    public static async Task<NoContent> DeleteGroup(string id, ScimGroups groups, HttpRequest request, CancellationToken ct)
    {
        await groups.DeleteAsync(id, ScimCaller.Of(request.HttpContext.User), ct);
        return TypedResults.NoContent();
    }

    /// <summary>A paging parameter: absent, or a whole number that fits an int (RFC 7644 §3.4.2.4), else a SCIM invalidValue error.</summary>
    private static int? Number(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ScimException(400, "invalidValue", $"{name} must be a whole number no larger than {int.MaxValue} (got '{(text.Length > 20 ? text[..20] + "…" : text)}')");
    }

    private static bool WantsMembers(string? attributes, string? excluded) =>
        !Names(excluded).Contains("members") && (string.IsNullOrWhiteSpace(attributes) || Names(attributes).Contains("members"));

    private static HashSet<string> Names(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Scim.CanonicalName).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>attributes</c> / <c>excludedAttributes</c> on top-level attributes; id and schemas are always returned.</summary>
    private static JsonObject Project(JsonObject resource, string? attributes, string? excluded)
    {
        var keep = Names(attributes);
        var drop = Names(excluded);
        foreach (var key in resource.Select(kv => kv.Key).ToList())
        {
            if (key is "id" or "schemas") continue;
            if (drop.Contains(key) || (keep.Count > 0 && !keep.Contains(key) && !keep.Any(k => k.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase) || k.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))))
                resource.Remove(key);
        }
        return resource;
    }
}
