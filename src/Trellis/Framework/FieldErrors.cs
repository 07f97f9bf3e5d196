namespace Trellis.Framework;

/// <summary>Validation messages of a form keyed by field (<c>name</c>, <c>anchors.3</c>, <c>scope.direct_reports</c>…).</summary>
public sealed class FieldErrors(IReadOnlyDictionary<string, string[]> errors)
{
    public static readonly FieldErrors None = new(new Dictionary<string, string[]>());

    public bool Any => errors.Count > 0;

    public IReadOnlyList<string> For(string field) => errors.TryGetValue(field, out var messages) ? messages : [];

    /// <summary>Messages whose key is none of the form's fields, shown above the form so that none is lost.</summary>
    public IEnumerable<KeyValuePair<string, string[]>> Except(IEnumerable<string> fields)
    {
        var known = fields.ToHashSet();
        return errors.Where(e => !known.Contains(e.Key));
    }
}
