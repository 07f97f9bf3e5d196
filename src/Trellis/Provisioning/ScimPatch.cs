using System.Text.Json.Nodes;

namespace Trellis.Provisioning;

/// <summary>One PATCH operation, its <c>op</c> lower-cased (Entra ID writes "Replace", "Add").</summary>
public sealed record ScimPatchOperation(string Op, string? Path, JsonNode? Value);

/// <summary>
/// Applies PATCH operations (RFC 7644 §3.5.2) to a resource's JSON. A removed attribute becomes JSON null, which the
/// resource's writer reads as "clear it" (an attribute that is simply absent is left as it is).
/// Dialects accepted: capitalised ops, a value object without path whose keys are paths (Entra ID:
/// <c>{"name.givenName": "…", "urn:…:User:department": "…"}</c>), a filtered path that matches nothing on add or replace
/// (the value is created from the filter's equalities, as Entra ID expects for <c>emails[type eq "work"].value</c>).
/// </summary>
public static class ScimPatch
{
    public static List<ScimPatchOperation> Operations(JsonObject body)
    {
        if (body["schemas"] is JsonArray schemas && !schemas.Any(s => string.Equals(s?.GetValue<string>(), Scim.PatchOp, StringComparison.OrdinalIgnoreCase)))
            throw new ScimException(400, "invalidSyntax", $"a PATCH body has the schema {Scim.PatchOp}");
        if (body["Operations"] is not JsonArray ops || ops.Count == 0)
            throw new ScimException(400, "invalidSyntax", "a PATCH body needs a non-empty Operations list");
        return ops.Select(node =>
        {
            if (node is not JsonObject o) throw new ScimException(400, "invalidSyntax", "each operation is an object with op, path and value");
            var op = Scim.Text(o["op"], "op")?.Trim().ToLowerInvariant();
            if (op is not ("add" or "replace" or "remove"))
                throw new ScimException(400, "invalidSyntax", $"op must be add, replace or remove (got '{op}')");
            var path = Scim.Text(o["path"], "path");
            if (op == "remove" && string.IsNullOrWhiteSpace(path)) throw new ScimException(400, "noTarget", "remove needs a path");
            if (op != "remove" && !o.ContainsKey("value")) throw new ScimException(400, "invalidSyntax", $"{op} needs a value");
            return new ScimPatchOperation(op, string.IsNullOrWhiteSpace(path) ? null : path.Trim(), o["value"]?.DeepClone());
        }).ToList();
    }

    public static void Apply(JsonObject resource, IEnumerable<ScimPatchOperation> operations)
    {
        foreach (var op in operations)
        {
            if (op.Path is null)
            {
                if (op.Value is not JsonObject values) throw new ScimException(400, "invalidValue", $"{op.Op} without a path needs an object value");
                foreach (var (key, value) in values)
                {
                    if (Extension(key) is { } schema) ApplyExtension(resource, schema, op.Op, value);
                    else if (key is "schemas" or "meta") continue;
                    else if (key is "id") ReadOnlyId(resource, value); // Okta repeats the id in the value
                    else ApplyAt(resource, ScimFilterParser.ParsePath(key), op.Op, value?.DeepClone());
                }
            }
            else if (Extension(op.Path) is { } schema)
            {
                if (op.Op == "remove") throw new ScimException(400, "mutability", $"{schema} cannot be removed as a whole; remove its attributes");
                ApplyExtension(resource, schema, op.Op, op.Value);
            }
            else
            {
                ApplyAt(resource, ScimFilterParser.ParsePath(op.Path), op.Op, op.Value);
            }
        }
    }

    private static string? Extension(string key) => Scim.ExtensionSchemas.FirstOrDefault(s => s.Equals(key, StringComparison.OrdinalIgnoreCase));

    /// <summary>An extension named whole (<c>{"urn:…:enterprise:2.0:User": {"department": "…"}}</c>): its value is an object of its attributes.</summary>
    private static void ApplyExtension(JsonObject resource, string schema, string op, JsonNode? value)
    {
        if (value is not JsonObject extension) throw new ScimException(400, "invalidValue", $"{schema} must be an object of its attributes");
        foreach (var (subKey, subValue) in extension)
            ApplyAt(resource, ScimFilterParser.ParsePath(schema + ":" + subKey), op, subValue?.DeepClone());
    }

    /// <summary><c>id</c> is read-only (RFC 7643 §3.1): sending the same id again is harmless, another one is refused.</summary>
    private static void ReadOnlyId(JsonObject resource, JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var id) && id == resource["id"]?.GetValue<string>()) return;
        throw new ScimException(400, "mutability", $"id is read-only (it is the employee id '{resource["id"]}')");
    }

    private static void ApplyAt(JsonObject resource, ScimPatchPath path, string op, JsonNode? value)
    {
        var attribute = path.Path;
        // A path names an attribute of the User or its extensions, or the request is refused (RFC 7644 §3.5.2:
        // invalidPath), rather than written beside the resource and silently dropped. Standard attributes that Trellis
        // does not keep (phoneNumbers, addresses, …) stay accepted: identity providers send them in every update.
        if ((attribute.Schema is { } named && named != Scim.UserSchema && !Scim.ExtensionSchemas.Contains(named)) || !Scim.IsKnownName(attribute.Attribute))
            throw new ScimException(400, "invalidPath", $"'{attribute}' is not an attribute of a User");
        if (attribute.Schema is null or Scim.UserSchema)
        {
            if (attribute.Attribute is "id" && op != "remove" && path.Filter is null && attribute.SubAttribute is null) { ReadOnlyId(resource, value); return; }
            if (attribute.Attribute is "id" or "meta" or "schemas" or "groups")
                throw new ScimException(400, "mutability", $"{attribute.Attribute} is read-only");
            // Removing active would read as "no status": never a reactivation (nor any change) of a leaver.
            if (attribute.Attribute is "active" && op == "remove")
                throw new ScimException(400, "mutability", "active cannot be removed: send active false to make the person a leaver, true to bring them back");
        }
        JsonObject container = resource;
        if (attribute.Schema is { } schema && schema != Scim.UserSchema && schema != Scim.GroupSchema)
        {
            if (resource[schema] is not JsonObject ext)
            {
                if (op == "remove") return;
                resource[schema] = ext = new JsonObject();
            }
            container = ext;
        }
        var name = attribute.Attribute;
        var sub = attribute.SubAttribute ?? path.SubAttribute;

        if (path.Filter is { } filter)
        {
            var items = container[name] as JsonArray;
            var matches = items?.OfType<JsonObject>().Where(i => ScimFilterEvaluator.Matches(filter, i)).ToList() ?? [];
            if (op == "remove")
            {
                foreach (var m in matches)
                {
                    if (sub is null) items!.Remove(m);
                    else m[sub] = null;
                }
                return;
            }
            if (matches.Count == 0)
            {
                // Entra ID adds emails[type eq "work"].value to a user without a work email: create the entry.
                var created = Equalities(filter) ?? throw new ScimException(400, "noTarget", $"no value of {name} matches the filter");
                if (items is null) container[name] = items = [];
                items.Add(created);
                matches = [created];
            }
            foreach (var m in matches)
            {
                if (sub is not null) m[sub] = value?.DeepClone();
                else if (value is JsonObject o) foreach (var (k, v) in o) m[k] = v?.DeepClone();
                else throw new ScimException(400, "invalidValue", $"a value of {name} is an object");
            }
            return;
        }

        if (sub is not null)
        {
            switch (container[name])
            {
                case JsonArray array:
                    // emails.value without a filter: every value (Trellis keeps one), or a new one.
                    if (op == "remove") { foreach (var o in array.OfType<JsonObject>()) o[sub] = null; return; }
                    if (array.Count == 0) array.Add(new JsonObject { ["primary"] = true });
                    foreach (var o in array.OfType<JsonObject>()) o[sub] = value?.DeepClone();
                    return;
                case JsonObject complex:
                    complex[sub] = op == "remove" ? null : value?.DeepClone();
                    return;
                default:
                    if (op == "remove") return;
                    container[name] = new JsonObject { [sub] = value?.DeepClone() };
                    return;
            }
        }

        var current = container[name];
        switch (op)
        {
            case "remove" when value is JsonArray removed && current is JsonArray existing:
                // Entra ID removes members as {"path": "members", "value": [{"value": "id"}]}.
                var ids = removed.Select(r => (r as JsonObject)?["value"]?.ToString() ?? r?.ToString()).ToHashSet(StringComparer.Ordinal);
                foreach (var item in existing.OfType<JsonObject>().Where(i => ids.Contains(i["value"]?.ToString() ?? "")).ToList()) existing.Remove(item);
                return;
            case "remove":
                container[name] = null;
                return;
            case "add" when current is JsonArray list:
                foreach (var item in value is JsonArray many ? many.ToList() : [value])
                {
                    if (item is null || list.Any(x => JsonNode.DeepEquals(x, item))) continue;
                    // A new primary value takes the flag from the others (RFC 7643 §2.4).
                    if (item is JsonObject { } io && io["primary"] is JsonValue p && p.TryGetValue<bool>(out var primary) && primary)
                        foreach (var other in list.OfType<JsonObject>()) other["primary"] = false;
                    list.Add(item.DeepClone());
                }
                return;
            case "add" or "replace" when current is JsonObject complex && value is JsonObject merge:
                foreach (var (k, v) in merge) complex[k] = v?.DeepClone();
                return;
            default:
                container[name] = value?.DeepClone();
                return;
        }
    }

    /// <summary>The value a filter of equalities describes (<c>type eq "work"</c> → <c>{"type": "work"}</c>), or null.</summary>
    private static JsonObject? Equalities(ScimFilter filter)
    {
        var result = new JsonObject();
        bool Collect(ScimFilter f) => f switch
        {
            ScimAnd a => Collect(a.Left) && Collect(a.Right),
            ScimComparison { Op: "eq", Path.SubAttribute: null } c => (result[c.Path.Attribute] = c.Value?.DeepClone()) is var _,
            _ => false,
        };
        return Collect(filter) ? result : null;
    }
}
