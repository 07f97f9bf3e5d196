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

    // Duplicate property names inside one JSON object (e.g. two "3" anchors) silently overwrite each other.
    private static IEnumerable<FrameworkProblem> FindDuplicateJsonProperties(string json)
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
