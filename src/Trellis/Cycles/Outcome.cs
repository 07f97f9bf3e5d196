using Microsoft.AspNetCore.Http.HttpResults;

namespace Trellis.Cycles;

/// <summary>Why a cycle action was refused: an HTTP status, a message naming what and where, and field errors for 400.</summary>
public sealed record CycleError(int Status, string Detail, IDictionary<string, string[]>? Fields = null)
{
    public static CycleError Field(string field, string message) => new(400, message, new Dictionary<string, string[]> { [field] = [message] });
    public static CycleError NotFound(string what) => new(404, what);
    public static CycleError Forbidden(string why) => new(403, why);
    public static CycleError Conflict(string why) => new(409, why);

    /// <summary>One line for a page: the field messages, or the detail.</summary>
    public string Message => Fields is { Count: > 0 } ? string.Join(" ", Fields.SelectMany(f => f.Value)) : Detail;
}

/// <summary>The value of a cycle action, or the reason it was refused. Pages and API handlers share it.</summary>
public sealed class Outcome<T>
{
    public T? Value { get; }
    public CycleError? Error { get; }
    private Outcome(T? value, CycleError? error) { Value = value; Error = error; }

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(CycleError error) => new(default, error);

    public bool Ok => Error is null;
}

internal static class OutcomeResults
{
    public static ProblemHttpResult Problem(CycleError e) => TypedResults.Problem(e.Detail, statusCode: e.Status,
        title: e.Status switch { 403 => "Forbidden", 404 => "Not found", 409 => "Conflict", _ => "Bad request" });

    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> ToOk<T>(Outcome<T> o) =>
        o.Error switch
        {
            null => TypedResults.Ok(o.Value!),
            { Status: 400, Fields: { } f } => TypedResults.ValidationProblem(f, detail: o.Error.Detail),
            var e => Problem(e),
        };
}
