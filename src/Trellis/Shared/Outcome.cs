using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace Trellis;

/// <summary>
/// Why an operation was refused: an HTTP status (400, 403, 404, 409, 429), a message naming what and where, and for 400 the
/// messages per field (keyed by the snake_case field of the request). Services return it inside an <see cref="Outcome{T}"/>;
/// the API turns it into ProblemDetails with <see cref="OutcomeHttp"/>, pages show it with <see cref="OutcomePages"/>.
/// </summary>
public sealed record Problem(int Status, string Detail, IReadOnlyDictionary<string, string[]>? Fields = null)
{
    /// <summary>More ProblemDetails members (snake_case keys), e.g. the blockers of a cycle's publication.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>One field's message (400); the message is also the detail.</summary>
    public static Problem Invalid(string field, string message) => new(400, message, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Several fields' messages (400) under one detail saying what was not done.</summary>
    public static Problem Invalid(IReadOnlyDictionary<string, string[]> fields, string detail) => new(400, detail, fields);

    public static Problem Forbidden(string why) => new(403, why);
    public static Problem NotFound(string what) => new(404, what);
    public static Problem Conflict(string why) => new(409, why);
    public static Problem TooManyRequests(string why) => new(429, why);

    /// <summary>The ProblemDetails title of every refusal with this status, wherever it is made (400 with fields keeps the standard validation title).</summary>
    public string Title => Status switch { 403 => "Forbidden", 404 => "Not found", 409 => "Conflict", 429 => "Too many requests", _ => "Bad request" };

    /// <summary>One line for a page: the field messages, or the detail.</summary>
    public string Message => Fields is { Count: > 0 } ? string.Join(" ", Fields.SelectMany(f => f.Value)) : Detail;
}

/// <summary>What a service operation came to: its value (and whether it created something), or the <see cref="Problem"/> that refused it.</summary>
public sealed class Outcome<T>
{
    public T? Value { get; }
    public Problem? Problem { get; }
    /// <summary>The value is a new resource (201 on the API).</summary>
    public bool Created { get; }

    private Outcome(T? value, Problem? problem, bool created)
    {
        Value = value;
        Problem = problem;
        Created = created;
    }

    public bool Ok => Problem is null;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "Outcome<T>.New(value) reads as what it is at every call site; a non-generic helper would only move the type argument.")]
    public static Outcome<T> New(T value) => new(value, null, true);

    public static implicit operator Outcome<T>(T value) => new(value, null, false);
    public static implicit operator Outcome<T>(Problem problem) => new(default, problem, false);
}

/// <summary>The one way an <see cref="Outcome{T}"/> or <see cref="Problem"/> becomes an HTTP result: 400 with field errors is a ValidationProblem, every other refusal a ProblemDetails with its detail.</summary>
public static class OutcomeHttp
{
    public static ProblemHttpResult ToProblemResult(this Problem p) => TypedResults.Problem(p.Detail, statusCode: p.Status, title: p.Title,
        extensions: p.Extensions is null ? null : new Dictionary<string, object?>(p.Extensions));

    private static ValidationProblem ToValidationProblem(Problem p, IReadOnlyDictionary<string, string[]> fields) =>
        TypedResults.ValidationProblem(fields, detail: p.Detail);

    /// <summary>200 with the value, else the refusal.</summary>
    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> ToOk<T>(this Outcome<T> o) => o.Problem switch
    {
        null => TypedResults.Ok(o.Value!),
        { Fields: { } fields } p => ToValidationProblem(p, fields),
        var p => p.ToProblemResult(),
    };

    /// <summary>201 at <paramref name="location"/> for a new value, 200 for a changed one, else the refusal.</summary>
    public static Results<Created<T>, Ok<T>, ValidationProblem, ProblemHttpResult> ToCreated<T>(this Outcome<T> o, Func<T, string> location) => o.Problem switch
    {
        null when o.Created => TypedResults.Created(location(o.Value!), o.Value),
        null => TypedResults.Ok(o.Value!),
        { Fields: { } fields } p => ToValidationProblem(p, fields),
        var p => p.ToProblemResult(),
    };

    /// <summary>Any other success result, else the refusal (the calibration board's streamed JSON).</summary>
    public static Results<TResult, ValidationProblem, ProblemHttpResult> To<T, TResult>(this Outcome<T> o, Func<T, TResult> ok) where TResult : IResult => o.Problem switch
    {
        null => ok(o.Value!),
        { Fields: { } fields } p => ToValidationProblem(p, fields),
        var p => p.ToProblemResult(),
    };
}

/// <summary>
/// The one way a <see cref="Problem"/> reaches a page: its field messages go into the page's ModelState under their
/// snake_case keys (a problem without fields under the empty key), and the page answers with its status. Views read
/// them back with <see cref="FieldError"/>, <see cref="Messages"/> and <see cref="HasFieldErrors"/>.
/// </summary>
public static class OutcomePages
{
    public static void ShowOn(this Problem p, PageModel page)
    {
        // Only what the service said is shown: a value the binder could not read reaches the service as missing and is reported there.
        page.ModelState.Clear();
        if (p.Fields is { Count: > 0 } fields)
        {
            foreach (var (field, messages) in fields)
                foreach (var message in messages) page.ModelState.AddModelError(field, message);
        }
        else page.ModelState.AddModelError("", p.Detail);
        page.Response.StatusCode = p.Status;
    }

    /// <summary>Whether a problem with field messages was shown on the page.</summary>
    public static bool HasFieldErrors(this ModelStateDictionary state) => state.Any(e => e.Key.Length > 0 && e.Value is { Errors.Count: > 0 });

    /// <summary>The messages of one field (empty when the field is fine).</summary>
    public static IReadOnlyList<string> Messages(this ModelStateDictionary state, string field) =>
        state.TryGetValue(field, out var entry) ? entry.Errors.Select(e => e.ErrorMessage).ToList() : [];

    /// <summary>Messages whose key is none of the form's fields, shown above the form so that none is lost.</summary>
    public static IEnumerable<KeyValuePair<string, string[]>> MessagesExcept(this ModelStateDictionary state, IEnumerable<string> fields)
    {
        var known = fields.ToHashSet();
        return state.Where(e => e.Value is { Errors.Count: > 0 } && !known.Contains(e.Key))
            .Select(e => KeyValuePair.Create(e.Key, e.Value!.Errors.Select(x => x.ErrorMessage).ToArray()));
    }

    /// <summary>The message(s) for one field, next to its input; nothing when the field is fine.</summary>
    public static IHtmlContent FieldError(this IHtmlHelper html, string field)
    {
        var messages = html.ViewData.ModelState.Messages(field);
        if (messages.Count == 0) return HtmlString.Empty;
        var span = new TagBuilder("span");
        span.AddCssClass("field-error");
        span.Attributes["id"] = field + "-error";
        span.InnerHtml.Append(string.Join(" ", messages));
        return span;
    }
}

/// <summary>Collects a form's or request's field errors in the order they are found (keyed by snake_case field).</summary>
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

    /// <summary>The 400 refusal of these errors, with <paramref name="detail"/> saying what was not done.</summary>
    public Problem ToProblem(string detail) => Problem.Invalid(ToDictionary(), detail);
}
