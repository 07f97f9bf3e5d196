using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trellis.Provisioning;

/// <summary>The schema URNs, media type and JSON helpers of SCIM 2.0 (RFC 7643/7644).</summary>
public static class Scim
{
    public const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public const string EnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    /// <summary>Trellis's own extension: track, level, hire date and location, which no identity provider knows.</summary>
    public const string TrellisUser = "urn:trellis:params:scim:schemas:extension:trellis:2.0:User";
    public const string ListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public const string PatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public const string Error = "urn:ietf:params:scim:api:messages:2.0:Error";
    public const string ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public const string ResourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public const string SchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";
    public const string MediaType = "application/scim+json";
    public const int MaxResults = 500;

    public static readonly string[] ExtensionSchemas = [EnterpriseUser, TrellisUser];

    /// <summary>
    /// Attribute names are case-insensitive in SCIM (RFC 7643 §2.1); inputs are rewritten to these spellings once, so
    /// that the rest of the code can look names up exactly.
    /// </summary>
    private static readonly Dictionary<string, string> Canonical = new[]
    {
        "schemas", "id", "externalId", "userName", "name", "formatted", "familyName", "givenName", "middleName", "honorificPrefix",
        "honorificSuffix", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone",
        "active", "password", "emails", "phoneNumbers", "addresses", "value", "display", "type", "primary", "groups", "members",
        "meta", "employeeNumber", "department", "manager", "costCenter", "organization", "division", "track", "level", "hireDate",
        "location", "$ref", "Operations", "op", "path", "roles", "entitlements", "x509Certificates", "ims", "photos",
        UserSchema, GroupSchema, EnterpriseUser, TrellisUser, PatchOp,
    }.ToDictionary(n => n, StringComparer.OrdinalIgnoreCase);

    public static string CanonicalName(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    /// <summary>An attribute name of the SCIM core or enterprise schemas, or of Trellis's extension (any spelling).</summary>
    public static bool IsKnownName(string name) => Canonical.ContainsKey(name);

    /// <summary>A copy of <paramref name="node"/> with every known attribute name in its canonical spelling.</summary>
    public static JsonNode? Canonicalize(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(CanonicalKey(kv.Key), Canonicalize(kv.Value)))
            .GroupBy(kv => kv.Key, StringComparer.Ordinal).Select(g => g.Last())),
        JsonArray a => new JsonArray(a.Select(Canonicalize).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>Keys of a PATCH value without a path may be attribute paths themselves (<c>name.givenName</c>, a URN path).</summary>
    private static string CanonicalKey(string key)
    {
        if (key.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var schema in (string[])[UserSchema, GroupSchema, EnterpriseUser, TrellisUser, PatchOp])
            {
                if (key.Equals(schema, StringComparison.OrdinalIgnoreCase)) return schema;
                if (key.StartsWith(schema + ":", StringComparison.OrdinalIgnoreCase))
                    return schema + ":" + string.Join('.', key[(schema.Length + 1)..].Split('.').Select(CanonicalName));
            }
            return key;
        }
        return string.Join('.', key.Split('.').Select(CanonicalName));
    }

    public static async Task<JsonObject> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            throw new ScimException(400, "invalidSyntax", $"the body is not valid JSON: {ex.Message}");
        }
        return Canonicalize(node) as JsonObject ?? throw new ScimException(400, "invalidSyntax", "the body must be a JSON object");
    }

    public static string? Text(JsonNode? node, string attribute)
    {
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        if (node is JsonValue n && n.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) return n.ToJsonString();
        throw new ScimException(400, "invalidValue", $"{attribute} must be a string");
    }

    /// <summary>A boolean, also as the strings "True"/"False" that Entra ID sends.</summary>
    public static bool? Boolean(JsonNode? node, string attribute)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            if (v.TryGetValue<bool>(out var b)) return b;
            if (v.TryGetValue<string>(out var s) && bool.TryParse(s.Trim(), out var parsed)) return parsed;
        }
        throw new ScimException(400, "invalidValue", $"{attribute} must be true or false (got {node.ToJsonString()})");
    }

    /// <summary>Adds a property only when it has a value: SCIM leaves unassigned attributes out.</summary>
    public static JsonObject Put(this JsonObject o, string name, JsonNode? value)
    {
        if (value is not null && !(value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0)) o[name] = value;
        return o;
    }

    public static JsonObject Put(this JsonObject o, string name, string? value) => value is null ? o : o.Put(name, (JsonNode)JsonValue.Create(value));
}

/// <summary>A SCIM error (RFC 7644 §3.12): the status, the <c>scimType</c> where one applies, and a detail in plain words.</summary>
public sealed class ScimException(int status, string? scimType, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string? ScimType { get; } = scimType;
    /// <summary>A refusal the audit log must keep: written after the request's own changes were rolled back.</summary>
    public Data.AuditLogEntry? Audit { get; init; }

    public static ScimException NotFound(string what) => new(404, null, $"{what} not found");
}

/// <summary>A SCIM resource or list in <c>application/scim+json</c>.</summary>
public sealed class ScimResult(int status, JsonNode body, string? location = null) : IResult, IStatusCodeHttpResult
{
    public int StatusCode => status;
    int? IStatusCodeHttpResult.StatusCode => status;
    public JsonNode Body => body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = Scim.MediaType;
        if (location is not null) httpContext.Response.Headers.Location = location;
        await httpContext.Response.WriteAsync(body.ToJsonString(), httpContext.RequestAborted);
    }
}

/// <summary>The SCIM error response. SCIM clients read this shape, not ProblemDetails, so <c>/scim/v2</c> answers with it.</summary>
public sealed class ScimError(ScimException error) : IResult, IStatusCodeHttpResult
{
    public int StatusCode => error.Status;
    int? IStatusCodeHttpResult.StatusCode => error.Status;

    public static JsonObject Body(int status, string? scimType, string detail)
    {
        var body = new JsonObject { ["schemas"] = new JsonArray(Scim.Error), ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (scimType is not null) body["scimType"] = scimType;
        body["detail"] = detail;
        return body;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = error.Status;
        httpContext.Response.ContentType = Scim.MediaType;
        await httpContext.Response.WriteAsync(Body(error.Status, error.ScimType, error.Message).ToJsonString(), httpContext.RequestAborted);
    }
}
