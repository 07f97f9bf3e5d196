using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Trellis.Shared;

/// <summary>
/// A request the API cannot bind (malformed JSON, a value of the wrong type, a number out of range, a missing body, a
/// query value that does not parse) becomes a 400 ValidationProblem whose field errors name the field, as every other
/// refusal does, instead of a bare 400. Minimal APIs throw <see cref="BadHttpRequestException"/> for these once
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on (set in <see cref="TrellisWeb"/>).
/// </summary>
public sealed partial class RequestBodyProblems(IProblemDetailsService problems, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted) return false;
        httpContext.Response.StatusCode = bad.StatusCode;
        Microsoft.AspNetCore.Mvc.ProblemDetails details = bad.StatusCode == StatusCodes.Status400BadRequest
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]>(StringComparer.Ordinal) { [Field(bad)] = [Describe(bad, BodyType(httpContext))] })
            {
                Detail = "The request could not be read: see the field errors.",
            }
            : new Microsoft.AspNetCore.Mvc.ProblemDetails { Detail = bad.Message };
        details.Status = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    /// <summary>The snake_case field the error is about: the JSON path in the body, the parameter's name, or "body".</summary>
    internal static string Field(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json) return FieldOfPath(json.Path);
        return BindFailure().Match(bad.Message) is { Success: true } m ? JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Groups["name"].Value) : "body";
    }

    internal static string FieldOfPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return BracketName().Replace(field, m => (m.Index == 0 ? "" : ".") + m.Groups[1].Value);
    }

    /// <summary>The type the endpoint reads its body as, from its metadata (the handler middleware has cleared the endpoint by now; its feature keeps it).</summary>
    private static Type? BodyType(HttpContext context) =>
        context.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;

    private string Describe(BadHttpRequestException bad, Type? body)
    {
        if (bad.InnerException is JsonException error)
        {
            var text = error.Message;
            var cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut >= 0) text = text[..cut];
            // The serializer names the type it was reading, often the enclosing record rather than the field's: the
            // field's own type is looked up along the path in the body type's contract.
            if (Conversion().IsMatch(text)) return $"must be {Expected(TypeAt(body, error.Path, json.Value.SerializerOptions))}";
            // The reader's own errors (truncated or malformed JSON) carry a position; a rule of ours carries its own words.
            if (cut >= 0 && error.LineNumber is { } line)
                return $"is not valid JSON (line {line + 1}, byte {error.BytePositionInLine + 1}): {text.TrimEnd('.')}";
            return text;
        }
        if (BindFailure().Match(bad.Message) is { Success: true } bind) return $"'{bind.Groups["value"].Value}' is not {Expected(bind.Groups["type"].Value)}";
        if (bad.Message.Contains("no body was provided", StringComparison.Ordinal) || bad.Message.Contains("was not provided from body", StringComparison.Ordinal))
            return "a JSON body is required";
        return bad.Message;
    }

    /// <summary>The declared type at a JSON path (<c>$.actions[0].due_on</c>) of a body type, or null when the path leaves the contract.</summary>
    internal static Type? TypeAt(Type? type, string? path, JsonSerializerOptions options)
    {
        if (type is null || string.IsNullOrEmpty(path)) return null;
        foreach (Match step in PathStep().Matches(path))
        {
            if (step.Groups["index"].Success)
            {
                type = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value;
                type = options.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == name)?.PropertyType;
            }
            if (type is null) return null;
        }
        return type;
    }

    private static string Expected(Type? type)
    {
        if (type is null) return "a value of the expected kind";
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return "one of the allowed values";
        return Expected(type == typeof(string) || !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? type.FullName ?? type.Name : "List`");
    }

    /// <summary>What a .NET type name means to someone writing JSON or a query string.</summary>
    private static string Expected(string type)
    {
        if (NullableOf().Match(type) is { Success: true } inner) type = inner.Groups[1].Value;
        if (type.StartsWith("Nullable<", StringComparison.Ordinal)) type = type["Nullable<".Length..].TrimEnd('>');
        type = type.TrimEnd('?');
        var name = type[(type.LastIndexOf('.') + 1)..];
        return name switch
        {
            "Int16" or "Int32" or "Int64" or "UInt16" or "UInt32" or "UInt64" or "Byte" or "int" or "long" => "a whole number in range",
            "Single" or "Double" or "Decimal" or "double" or "decimal" => "a number in range",
            "Boolean" or "bool" => "true or false",
            "DateOnly" => "a date (YYYY-MM-DD)",
            "DateTime" or "DateTimeOffset" => "a date and time (ISO 8601)",
            "String" or "string" => "text",
            "Guid" => "an id",
            _ when type.Contains("List`", StringComparison.Ordinal) || type.Contains("Enumerable`", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "a list",
            _ => "a value of the expected kind",
        };
    }

    [GeneratedRegex("could not be converted to ")]
    private static partial Regex Conversion();

    [GeneratedRegex("Failed to bind parameter \"(?<type>\\S+) (?<name>[^\"]+)\" from \"(?<value>.*)\"")]
    private static partial Regex BindFailure();

    [GeneratedRegex("^System\\.Nullable`1\\[(.+)\\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex("\\['([^']*)'\\]")]
    private static partial Regex BracketName();

    [GeneratedRegex("\\.(?<name>[^.\\[]+)|\\['(?<quoted>[^']*)'\\]|\\[(?<index>\\d+)\\]")]
    private static partial Regex PathStep();
}
