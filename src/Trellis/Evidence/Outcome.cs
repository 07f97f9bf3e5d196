namespace Trellis.Evidence;

/// <summary>
/// What an evidence operation came to: a value, field errors (400, keyed by snake_case field), or a refusal
/// (403/404/409 with a message). The API turns it into TypedResults, the pages into form messages.
/// </summary>
public sealed class Outcome<T>
{
    public T? Value { get; private init; }
    public Dictionary<string, string[]>? Errors { get; private init; }
    public int Status { get; private init; }
    public string? Detail { get; private init; }

    public bool Succeeded => Status is 200 or 201;

    public static Outcome<T> Ok(T value, bool created = false) => new() { Value = value, Status = created ? 201 : 200 };
    public static Outcome<T> Invalid(Dictionary<string, string[]> errors) => new() { Errors = errors, Status = 400 };
    public static Outcome<T> Forbidden(string detail) => new() { Status = 403, Detail = detail };
    public static Outcome<T> NotFound(string detail) => new() { Status = 404, Detail = detail };
    public static Outcome<T> Conflict(string detail) => new() { Status = 409, Detail = detail };
}

/// <summary>Collects field errors in the order they are found.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;
    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}
