using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Trellis;

/// <summary>
/// The JSON of Trellis: snake_case names and enum values, as the API, the CLI and stored JSON details all write it.
/// The API's options are configured from <see cref="Configure"/>, so every copy below agrees with it.
/// </summary>
public static class TrellisJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The same, indented, for reports a person reads (<c>trellis audit</c>).</summary>
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>The same with text left unescaped (<c>trellis readiness</c> writes explanations as they are).</summary>
    public static readonly JsonSerializerOptions Unescaped = new(Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RefuseNullsInTextLists);
        return options;
    }

    /// <summary>
    /// Lists of text in a request (ids, levels, roles, behaviour keys) hold text only: <c>[null]</c> is refused as
    /// malformed JSON (400 on the API) instead of reaching a service as a null it never expects. The serializer does
    /// not see the nullability of a list's elements, so the rule is added here once, for every type read.
    /// </summary>
    private static void RefuseNullsInTextLists(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        var lists = info.Properties
            .Where(p => p.PropertyType != typeof(string) && typeof(IEnumerable<string>).IsAssignableFrom(p.PropertyType) && p.Get is not null)
            .ToList();
        if (lists.Count == 0) return;
        var previous = info.OnDeserialized;
        info.OnDeserialized = value =>
        {
            previous?.Invoke(value);
            foreach (var list in lists)
                if (list.Get!(value) is IEnumerable<string> items && items.Any(item => item is null))
                    throw new JsonException($"{list.Name} holds text only, not null");
        };
    }
}
