using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Trellis.Import;

/// <summary>Turns the text of one CSV field into its typed value, or says what is wrong with it.</summary>
internal static partial class CsvValues
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDateShape();

    private static readonly object[] Ratings = [0, 1, 2, 3, 4, 5];
    private static readonly object True = true, False = false;

    /// <summary>
    /// Parses <paramref name="raw"/> (null when the column is absent from the file) for <paramref name="column"/>.
    /// Returns false with <paramref name="error"/> set when the value breaks the column's rules.
    /// </summary>
    public static bool TryParse(CsvColumn column, string? raw, out object? value, out string? error)
    {
        error = null;
        value = null;
        if (string.IsNullOrEmpty(raw))
        {
            if (column.Required)
            {
                error = "is required";
                return false;
            }
            value = column.Default;
            return true;
        }
        switch (column.Type)
        {
            case CsvColumnType.Text:
                // Export defuses spreadsheet formulas with a leading apostrophe; exactly that apostrophe goes again.
                raw = Shared.SpreadsheetCsv.Restore(raw);
                if (TextProblem(column, raw) is { } problem)
                {
                    error = raw.Contains('\0') ? problem + "; the file may be binary or in the wrong encoding" : problem;
                    return false;
                }
                if (column.Normalise is { } normalise)
                {
                    (value, error) = normalise(raw);
                    return error is null;
                }
                if (column.Allowed is { } allowed)
                {
                    foreach (var option in allowed)
                    {
                        if (string.Equals(option, raw, StringComparison.OrdinalIgnoreCase)) { value = option; return true; }
                    }
                    error = $"must be one of {string.Join(", ", allowed)} (got '{Shorten(raw)}')";
                    return false;
                }
                if (LengthProblem(column, raw) is { } tooLong)
                {
                    error = tooLong;
                    return false;
                }
                value = raw;
                return true;

            case CsvColumnType.Date:
                if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    value = date;
                    return true;
                }
                error = IsoDateShape().IsMatch(raw)
                    ? $"'{raw}' is not a date that exists"
                    : $"'{Shorten(raw)}' is not a date; use YYYY-MM-DD";
                return false;

            case CsvColumnType.Rating:
                if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var rating) && rating is >= 1 and <= 5)
                {
                    value = Ratings[rating];
                    return true;
                }
                error = $"must be a whole number from 1 to 5 (got '{Shorten(raw)}')";
                return false;

            case CsvColumnType.Score:
                if (double.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var score)
                    && score is >= 1 and <= 5)
                {
                    value = score;
                    return true;
                }
                error = $"must be a number from 1 to 5, such as 3 or 3.5 (got '{Shorten(raw)}')";
                return false;

            case CsvColumnType.Bool:
                if (string.Equals(raw, "true", StringComparison.OrdinalIgnoreCase)) { value = True; return true; }
                if (string.Equals(raw, "false", StringComparison.OrdinalIgnoreCase)) { value = False; return true; }
                error = $"must be true or false (got '{Shorten(raw)}')";
                return false;

            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type");
        }
    }

    /// <summary>The text export writes for a stored value; importing it gives the same value back.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>Characters an id may not hold: it becomes part of page addresses (/people/ID, /growth/ID).</summary>
    private const string NotInIds = "/?#%\\";

    private static string? LengthProblem(CsvColumn column, string raw) =>
        column.MaxLength > 0 && raw.Length > column.MaxLength ? $"is {raw.Length} characters long; at most {column.MaxLength} are allowed" : null;

    /// <summary>
    /// What is wrong with <paramref name="value"/> as <paramref name="column"/> of <paramref name="format"/> — its
    /// characters and length — or null. The API and SCIM check text that export writes into this column with it, so
    /// that what they store always imports again (README, "Importing an export changes nothing").
    /// </summary>
    public static string? StoredTextProblem(CsvFormat format, string column, string value)
    {
        var c = format.Columns[format.IndexOf(column)];
        return TextProblem(c, value) ?? LengthProblem(c, value);
    }

    /// <summary>
    /// What is wrong with the characters of a text value: NUL anywhere (no database stores it in text); any control
    /// character (CR, LF, tab, …) in ids and codes; in ids also the characters that break a URL path.
    /// </summary>
    private static string? TextProblem(CsvColumn column, string raw)
    {
        if (raw.Contains('\0')) return "contains a NUL character (\\x00)";
        if (column.FreeText) return null;
        foreach (var c in raw)
            if (char.IsControl(c))
                return $"contains a control character ({Shared.Printable.Escape(c.ToString())}); {(column.IsId ? "ids" : "codes")} are plain text on one line";
        if (column.IsId && raw.AsSpan().IndexOfAny(NotInIds) >= 0)
            return $"'{Shorten(raw)}' contains a character that cannot be used in an id ({string.Join(" ", NotInIds.ToCharArray())}): ids appear in page addresses";
        return null;
    }
}

/// <summary>
/// Finds duplicate keys among millions of rows with 64-bit hashes instead of the key strings, so memory stays small.
/// A hash match is only a suspect: <see cref="Suspects"/> are confirmed against the real keys by a second read.
/// </summary>
internal sealed class KeyIndex
{
    private readonly Dictionary<ulong, int> _firstLine = [];
    public List<(int Line, int FirstLine)> Suspects { get; } = [];

    public void Add(string a, string? b, int line)
    {
        var hash = Hash(a, b);
        if (!_firstLine.TryAdd(hash, line)) Suspects.Add((line, _firstLine[hash]));
    }

    public int Count => _firstLine.Count;

    public static ulong Hash(string a, string? b)
    {
        // FNV-1a over the UTF-16 code units, with a separator between key parts, then a final avalanche (splitmix64).
        var h = 14695981039346656037UL;
        foreach (var c in a) { h ^= c; h *= 1099511628211UL; }
        if (b is not null)
        {
            h ^= 0x1F; h *= 1099511628211UL;
            foreach (var c in b) { h ^= c; h *= 1099511628211UL; }
        }
        h ^= h >> 30; h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27; h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}

/// <summary>Finds the line of a JSON path (as <c>FrameworkJson</c> reports it) in a document, for <c>FILE:LINE</c> messages.</summary>
internal static class JsonLines
{
    public static int LineOf(string json, string path)
    {
        var lines = Map(json);
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (lines.TryGetValue(p, out var line)) return line;
        }
        return 1;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    /// <summary>Path → line of every property and array item; stops quietly where the document stops being valid JSON.</summary>
    private static Dictionary<string, int> Map(string json)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal) { ["$"] = 1 };
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new Stack<(string Path, bool IsArray, int Index)>();
        string? pendingProperty = null;
        var line = 1;
        long scanned = 0;
        try
        {
            while (reader.Read())
            {
                var start = reader.TokenStartIndex;
                for (; scanned < start; scanned++) if (bytes[scanned] == '\n') line++;
                string Here()
                {
                    if (pendingProperty is not null) return pendingProperty;
                    if (stack.Count == 0) return "$";
                    var top = stack.Pop();
                    var path = $"{top.Path}[{top.Index}]";
                    stack.Push(top with { Index = top.Index + 1 });
                    return path;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = $"{stack.Peek().Path}.{reader.GetString()}";
                        map.TryAdd(pendingProperty, line);
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var container = Here();
                        map.TryAdd(container, line);
                        stack.Push((container, reader.TokenType == JsonTokenType.StartArray, 0));
                        pendingProperty = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        stack.Pop();
                        break;
                    default:
                        map.TryAdd(Here(), line);
                        pendingProperty = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The parse error itself is reported by FrameworkJson; the lines found so far are still useful.
        }
        return map;
    }
}
