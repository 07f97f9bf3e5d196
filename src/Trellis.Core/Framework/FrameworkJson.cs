using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trellis.Core.Framework;

/// <summary>Reads and writes framework.json, reporting problems by JSON path.</summary>
public static class FrameworkJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses and validates a framework document. Returns the framework, or the problems found.</summary>
    public static FrameworkParseResult Parse(string json)
    {
        // Nothing in the document may be null (every property is an object, a list, a text or a number): a null where
        // an object belongs would otherwise come back as a missing part deep inside the model.
        if (FindNulls(json) is { Count: > 0 } nulls) return new(null, nulls);
        CareerFramework? framework;
        try
        {
            framework = JsonSerializer.Deserialize<CareerFramework>(json, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.Path ?? "$";
            var position = ex.LineNumber is { } line ? $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
            return new(null, [new FrameworkProblem(where, CleanMessage(ex.Message) + position)]);
        }
        if (framework is null)
            return new(null, [new FrameworkProblem("$", "the document is empty")]);

        var duplicates = FindDuplicateJsonProperties(json);
        var problems = duplicates.Concat(FrameworkValidator.Validate(framework)).ToList();
        return new(problems.Count == 0 ? framework : null, problems);
    }

    public static string Write(CareerFramework framework) => JsonSerializer.Serialize(framework, Options);

    private static string CleanMessage(string message)
    {
        // System.Text.Json appends "Path: ... | LineNumber: ..." which we report in our own words.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Every <c>null</c> in the document, by path; empty when the document is not JSON (the deserializer reports that).</summary>
    private static List<FrameworkProblem> FindNulls(string json)
    {
        var problems = new List<FrameworkProblem>();
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            Walk(doc.RootElement, "$", problems);
        }
        catch (JsonException)
        {
            return [];
        }
        return problems;

        static void Walk(JsonElement element, string path, List<FrameworkProblem> problems)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Null:
                    problems.Add(new FrameworkProblem(path, path == "$" ? "the document is null; it must be a framework object" : "must not be null: give the object, list, text or number it stands for, or leave the property out"));
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject()) Walk(property.Value, $"{path}.{property.Name}", problems);
                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{i++}]", problems);
                    break;
            }
        }
    }

    // Duplicate property names inside one JSON object (e.g. two "3" anchors) silently overwrite each other.
    private static List<FrameworkProblem> FindDuplicateJsonProperties(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var problems = new List<FrameworkProblem>();
        Walk(doc.RootElement, "$", problems);
        return problems;

        static void Walk(JsonElement element, string path, List<FrameworkProblem> problems)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = $"{path}.{property.Name}";
                    if (!seen.Add(property.Name))
                        problems.Add(new FrameworkProblem(childPath, $"duplicate property '{property.Name}'"));
                    Walk(property.Value, childPath, problems);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, $"{path}[{i++}]", problems);
            }
        }
    }
}

public sealed record FrameworkProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

public sealed record FrameworkParseResult(CareerFramework? Framework, IReadOnlyList<FrameworkProblem> Problems)
{
    public bool IsValid => Framework is not null && Problems.Count == 0;
}
