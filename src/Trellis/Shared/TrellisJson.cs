using System.Text.Json;
using System.Text.Json.Serialization;

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
        return options;
    }
}
