using System.Text.Json.Nodes;

namespace Trellis.Provisioning;

/// <summary>The discovery documents (RFC 7644 §4): what this service provider supports, its resource types and schemas.</summary>
public static class ScimDiscovery
{
    public static JsonObject ServiceProviderConfig(string baseUrl) => new()
    {
        ["schemas"] = new JsonArray(Scim.ServiceProviderConfigSchema),
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = Scim.MaxResults },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = false },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken", ["name"] = "Provisioning token",
            ["description"] = "Authorization: Bearer with a provisioning token from the admin console or `trellis token --scim`", ["primary"] = true,
        }),
        ["meta"] = new JsonObject { ["resourceType"] = "ServiceProviderConfig", ["location"] = $"{baseUrl}/ServiceProviderConfig" },
    };

    public static JsonObject ResourceType(string name, string baseUrl) => name switch
    {
        "User" => new JsonObject
        {
            ["schemas"] = new JsonArray(Scim.ResourceTypeSchema), ["id"] = "User", ["name"] = "User", ["endpoint"] = "/Users",
            ["description"] = "An employee", ["schema"] = Scim.UserSchema,
            ["schemaExtensions"] = new JsonArray(
                new JsonObject { ["schema"] = Scim.EnterpriseUser, ["required"] = true },
                new JsonObject { ["schema"] = Scim.TrellisUser, ["required"] = false }),
            ["meta"] = new JsonObject { ["resourceType"] = "ResourceType", ["location"] = $"{baseUrl}/ResourceTypes/User" },
        },
        "Group" => new JsonObject
        {
            ["schemas"] = new JsonArray(Scim.ResourceTypeSchema), ["id"] = "Group", ["name"] = "Group", ["endpoint"] = "/Groups",
            ["description"] = "A group; its display name may give a Trellis role", ["schema"] = Scim.GroupSchema,
            ["meta"] = new JsonObject { ["resourceType"] = "ResourceType", ["location"] = $"{baseUrl}/ResourceTypes/Group" },
        },
        _ => throw ScimException.NotFound($"ResourceType '{name}'"),
    };

    public static readonly string[] ResourceTypeNames = ["User", "Group"];
    public static readonly string[] SchemaIds = [Scim.UserSchema, Scim.EnterpriseUser, Scim.TrellisUser, Scim.GroupSchema];

    private static JsonObject Attribute(string name, string type = "string", bool required = false, bool multiValued = false, string mutability = "readWrite",
        string uniqueness = "none", bool caseExact = false, string? description = null, JsonArray? subAttributes = null, string returned = "default")
    {
        var a = new JsonObject
        {
            ["name"] = name, ["type"] = type, ["multiValued"] = multiValued, ["description"] = description ?? name, ["required"] = required,
            ["caseExact"] = caseExact, ["mutability"] = mutability, ["returned"] = returned, ["uniqueness"] = uniqueness,
        };
        if (subAttributes is not null) a["subAttributes"] = subAttributes;
        return a;
    }

    public static JsonObject Schema(string id, string baseUrl)
    {
        var (name, description, attributes) = id switch
        {
            Scim.UserSchema => ("User", "An employee", new JsonArray(
                Attribute("userName", required: true, uniqueness: "server", description: "Unique sign-in name (often the work email)"),
                Attribute("name", "complex", subAttributes: new JsonArray(Attribute("formatted"), Attribute("givenName"), Attribute("familyName"))),
                Attribute("displayName", description: "The employee's name"),
                Attribute("title"),
                Attribute("active", "boolean", description: "false sets the employee's status to left; nothing is deleted"),
                Attribute("emails", "complex", multiValued: true, required: true, description: "The work email (one kept)",
                    subAttributes: new JsonArray(Attribute("value"), Attribute("type"), Attribute("primary", "boolean"))),
                Attribute("groups", "complex", multiValued: true, mutability: "readOnly",
                    subAttributes: new JsonArray(Attribute("value", mutability: "readOnly"), Attribute("display", mutability: "readOnly"))))),
            Scim.EnterpriseUser => ("EnterpriseUser", "Enterprise User", new JsonArray(
                Attribute("employeeNumber", required: true, caseExact: true, mutability: "immutable", uniqueness: "server", description: "The employee id"),
                Attribute("department"),
                Attribute("manager", "complex", subAttributes: new JsonArray(
                    Attribute("value", caseExact: true, description: "The manager's id (employee id)"), Attribute("displayName", mutability: "readOnly"))))),
            Scim.TrellisUser => ("TrellisUser", "Trellis: place in the career framework", new JsonArray(
                Attribute("track", caseExact: true, description: "Track key of the framework; defaults to the entry level's track"),
                Attribute("level", caseExact: true, description: "Level key on the track; a new person without one gets the entry level (Scim:EntryLevel)"),
                Attribute("hireDate", description: "YYYY-MM-DD; defaults to the day of creation"),
                Attribute("location"))),
            Scim.GroupSchema => ("Group", "Group", new JsonArray(
                Attribute("displayName", required: true, uniqueness: "server"),
                Attribute("members", "complex", multiValued: true, subAttributes: new JsonArray(
                    Attribute("value", caseExact: true, mutability: "immutable"), Attribute("display", mutability: "readOnly"))))),
            _ => throw ScimException.NotFound($"Schema '{id}'"),
        };
        return new JsonObject
        {
            ["schemas"] = new JsonArray(Scim.SchemaSchema), ["id"] = id, ["name"] = name, ["description"] = description, ["attributes"] = attributes,
            ["meta"] = new JsonObject { ["resourceType"] = "Schema", ["location"] = $"{baseUrl}/Schemas/{id}" },
        };
    }
}
