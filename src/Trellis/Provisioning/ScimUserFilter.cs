using System.Linq.Expressions;
using System.Text.Json.Nodes;

namespace Trellis.Provisioning;

/// <summary>The attributes of a SCIM User that filters can name, as one row per employee that the database can filter.</summary>
public sealed class ScimUserRow
{
    public string Id { get; init; } = "";
    /// <summary>Lower-case: userName is not case-exact (RFC 7643 §4.1.1).</summary>
    public string UserNameKey { get; init; } = "";
    public string? ExternalId { get; init; }
    public string DisplayName { get; init; } = "";
    public string EmailKey { get; init; } = "";
    public bool Active { get; init; }
    public string? Title { get; init; }
    public string? Department { get; init; }
    public string? ManagerId { get; init; }
}

/// <summary>
/// Turns a parsed filter into a LINQ predicate over <see cref="ScimUserRow"/> that EF Core translates for SQLite and
/// PostgreSQL, so that an identity provider's <c>userName eq "…"</c> is one indexed query at any size.
/// </summary>
public static class ScimUserFilter
{
    private static readonly ParameterExpression Row = Expression.Parameter(typeof(ScimUserRow), "u");

    /// <summary>The filterable attributes: the row property and whether values compare case-exactly.</summary>
    private static readonly Dictionary<string, (string Property, bool CaseExact)> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = (nameof(ScimUserRow.Id), true),
        ["userName"] = (nameof(ScimUserRow.UserNameKey), false),
        ["externalId"] = (nameof(ScimUserRow.ExternalId), true),
        ["displayName"] = (nameof(ScimUserRow.DisplayName), false),
        ["name.formatted"] = (nameof(ScimUserRow.DisplayName), false),
        ["emails"] = (nameof(ScimUserRow.EmailKey), false),
        ["emails.value"] = (nameof(ScimUserRow.EmailKey), false),
        ["active"] = (nameof(ScimUserRow.Active), true),
        ["title"] = (nameof(ScimUserRow.Title), false),
        [Scim.EnterpriseUser + ":employeeNumber"] = (nameof(ScimUserRow.Id), true),
        [Scim.EnterpriseUser + ":department"] = (nameof(ScimUserRow.Department), false),
        [Scim.EnterpriseUser + ":manager"] = (nameof(ScimUserRow.ManagerId), true),
        [Scim.EnterpriseUser + ":manager.value"] = (nameof(ScimUserRow.ManagerId), true),
    };

    public static Expression<Func<ScimUserRow, bool>> ToPredicate(ScimFilter filter) =>
        Expression.Lambda<Func<ScimUserRow, bool>>(Build(filter, null), Row);

    private static Expression Build(ScimFilter filter, string? within) => filter switch
    {
        ScimAnd a => Expression.AndAlso(Build(a.Left, within), Build(a.Right, within)),
        ScimOr o => Expression.OrElse(Build(o.Left, within), Build(o.Right, within)),
        ScimNot n => Expression.Not(Build(n.Inner, within)),
        ScimValuePath v when v.Path.Key == "emails" && within is null => Build(v.Filter, "emails"),
        ScimValuePath v => throw Unsupported(v.Path.Key + "[…]"),
        ScimComparison c => Compare(c, within),
        _ => throw new ScimException(400, "invalidFilter", "unsupported filter"),
    };

    private static ScimException Unsupported(string attribute) =>
        new(400, "invalidFilter", $"filtering on '{attribute}' is not supported; filter on {string.Join(", ", Attributes.Keys.Where(k => !k.StartsWith("urn:", StringComparison.Ordinal)))} or the enterprise extension's employeeNumber, department or manager");

    private static Expression Compare(ScimComparison c, string? within)
    {
        var key = within is null ? c.Path.Key : within + "." + c.Path.Key;
        // Trellis keeps one work email per person, marked primary: a filter on its type or primary flag is a constant.
        if (within == "emails" && c.Path.Key is "type" or "primary")
        {
            JsonNode actual = c.Path.Key == "type" ? JsonValue.Create("work") : JsonValue.Create(true);
            return Expression.Constant(ScimFilterEvaluator.Matches(c with { Path = c.Path with { Attribute = c.Path.Key } }, new JsonObject { [c.Path.Key] = actual }));
        }
        if (!Attributes.TryGetValue(key, out var attribute)) throw Unsupported(key);
        var member = Expression.Property(Row, attribute.Property);

        if (member.Type == typeof(bool))
        {
            if (c.Op == "pr") return Expression.Constant(true);
            var wanted = c.Value is JsonValue v && v.TryGetValue<bool>(out var b) ? b
                : c.Value is JsonValue s && s.TryGetValue<string>(out var str) && bool.TryParse(str, out var parsed) ? parsed
                : throw new ScimException(400, "invalidFilter", $"{key} compares with true or false");
            return c.Op switch
            {
                "eq" => Expression.Equal(member, Expression.Constant(wanted)),
                "ne" => Expression.NotEqual(member, Expression.Constant(wanted)),
                _ => throw new ScimException(400, "invalidFilter", $"{key} compares only with eq or ne"),
            };
        }

        var notNull = Expression.NotEqual(member, Expression.Constant(null, typeof(string)));
        if (c.Op == "pr") return Expression.AndAlso(notNull, Expression.NotEqual(member, Expression.Constant("")));
        if (c.Value is null)
            return c.Op switch
            {
                "eq" => Expression.Equal(member, Expression.Constant(null, typeof(string))),
                "ne" => notNull,
                _ => throw new ScimException(400, "invalidFilter", $"{c.Op} needs a value, not null"),
            };
        var text = c.Value is JsonValue jv && jv.TryGetValue<string>(out var t) ? t : c.Value.ToJsonString();
        Expression subject = member;
        // Stored keys (userName, email) are lower case already; other case-insensitive columns are lowered in SQL.
        if (!attribute.CaseExact)
        {
            text = text.ToLowerInvariant();
            if (attribute.Property is not (nameof(ScimUserRow.UserNameKey) or nameof(ScimUserRow.EmailKey)))
                subject = Expression.Call(member, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!);
        }
        var value = Expression.Constant(text);
        Expression StringCall(string method) => Expression.Call(subject, typeof(string).GetMethod(method, [typeof(string)])!, value);
        Expression Ordered(ExpressionType type) => Expression.MakeBinary(type,
            Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, subject, value), Expression.Constant(0));
        Expression test = c.Op switch
        {
            "eq" => Expression.Equal(subject, value),
            "ne" => Expression.NotEqual(subject, value),
            "co" => StringCall(nameof(string.Contains)),
            "sw" => StringCall(nameof(string.StartsWith)),
            "ew" => StringCall(nameof(string.EndsWith)),
            "gt" => Ordered(ExpressionType.GreaterThan),
            "ge" => Ordered(ExpressionType.GreaterThanOrEqual),
            "lt" => Ordered(ExpressionType.LessThan),
            "le" => Ordered(ExpressionType.LessThanOrEqual),
            _ => throw new ScimException(400, "invalidFilter", $"unknown operator '{c.Op}'"),
        };
        return c.Op == "ne" ? Expression.OrElse(Expression.Not(notNull), test) : Expression.AndAlso(notNull, test);
    }
}
