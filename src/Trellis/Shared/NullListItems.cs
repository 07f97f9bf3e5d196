using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Trellis;

/// <summary>
/// A list in a request body whose items are not declared nullable (ids, roles, behaviour keys, a plan's actions) holds
/// no null: <c>[null]</c> is refused with a 400 naming the item (<c>actions[0]</c>, <c>scope.responsibilities[1]</c>)
/// before the handler runs, instead of reaching a service as a null it never expects. System.Text.Json does not see the
/// nullability of a list's items, so the rule is read once per request type from its annotations, for every endpoint.
/// </summary>
public static class NullListItems
{
    public static TBuilder RefuseNullListItems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var services = context.ApplicationServices.GetService<IServiceProviderIsService>();
            // The names the API's own JSON contract gives the properties, so an error names the field as it was sent.
            var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var bodies = context.MethodInfo.GetParameters()
                .Select((p, i) => (Index: i, Shape: services?.IsService(p.ParameterType) == true ? null : ShapeOf(p.ParameterType, json)))
                .Where(b => b.Shape is { Count: > 0 })
                .ToList();
            if (bodies.Count == 0) return next;
            return invocation =>
            {
                var errors = new FieldErrors();
                foreach (var (index, shape) in bodies)
                    if (invocation.Arguments[index] is { } body) Check(body, shape!, "", errors);
                return errors.Any
                    ? ValueTask.FromResult<object?>(TypedResults.ValidationProblem(errors.ToDictionary(), detail: "A list in the request holds a null where an item belongs; nothing was changed."))
                    : next(invocation);
            };
        });

    /// <summary>A property of a request type that can hold a forbidden null: a list (its items checked, and those of its
    /// items' type in turn) or an object of the app's own types (checked inside).</summary>
    private sealed record Member(PropertyInfo Property, string JsonName, bool IsList, bool ItemsNotNull, IReadOnlyList<Member> Inner);

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Member>> Shapes = new();

    private static IReadOnlyList<Member> ShapeOf(Type type, JsonSerializerOptions json) =>
        Shapes.GetOrAdd(type, t => Build(t, json, new NullabilityInfoContext(), []));

    private static List<Member> Build(Type type, JsonSerializerOptions json, NullabilityInfoContext nullability, HashSet<Type> open)
    {
        // Only the app's own request types are walked: framework types (HttpContext, strings, dates) hold no request lists.
        if (type.Assembly != typeof(NullListItems).Assembly || type.IsValueType || !open.Add(type)) return [];
        var members = new List<Member>();
        // The properties JSON binds, under the names it binds them by (naming policy, attributes), from the same contract
        // that read the body.
        foreach (var bound in json.GetTypeInfo(type).Properties)
        {
            if (bound.AttributeProvider is not PropertyInfo property || property.GetMethod is null) continue;
            var info = nullability.Create(property);
            if (ItemOf(property.PropertyType, info) is { } item)
            {
                var notNull = !item.Type.IsValueType && item.ReadState == NullabilityState.NotNull;
                var inner = Build(item.Type, json, nullability, open);
                if (notNull || inner.Count > 0) members.Add(new Member(property, bound.Name, true, notNull, inner));
            }
            else if (Build(property.PropertyType, json, nullability, open) is { Count: > 0 } inner)
            {
                members.Add(new Member(property, bound.Name, false, false, inner));
            }
        }
        open.Remove(type);
        return members;
    }

    /// <summary>The item type and its nullability of an array or a list (not a dictionary: its values are named by key, not index).</summary>
    private static NullabilityInfo? ItemOf(Type type, NullabilityInfo info)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return info.ElementType;
        if (!type.IsGenericType || type.GetGenericArguments().Length != 1) return null;
        var item = type.GetGenericArguments()[0];
        return typeof(IEnumerable<>).MakeGenericType(item).IsAssignableFrom(type) ? info.GenericTypeArguments[0] : null;
    }

    private static void Check(object value, IReadOnlyList<Member> shape, string prefix, FieldErrors errors)
    {
        foreach (var member in shape)
        {
            if (member.Property.GetValue(value) is not { } held) continue;
            var field = prefix + member.JsonName;
            if (!member.IsList)
            {
                Check(held, member.Inner, field + ".", errors);
                continue;
            }
            var i = 0;
            foreach (var item in (IEnumerable)held)
            {
                if (item is null)
                {
                    if (member.ItemsNotNull) errors.Add($"{field}[{i}]", "must not be null: give an item or leave it out of the list");
                }
                else if (member.Inner.Count > 0)
                {
                    Check(item, member.Inner, $"{field}[{i}].", errors);
                }
                i++;
            }
        }
    }
}
