using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trellis.Provisioning;

/// <summary>
/// An attribute path: an optional schema URN, an attribute and an optional sub-attribute, in canonical spelling
/// (<c>userName</c>, <c>name.givenName</c>, <c>urn:…:enterprise:2.0:User:manager.value</c>).
/// </summary>
public sealed record ScimAttributePath(string? Schema, string Attribute, string? SubAttribute)
{
    /// <summary>The path without the core schema, as a dotted name: <c>emails.value</c>, <c>urn:…:User:employeeNumber</c>.</summary>
    public string Key => (Schema is null || Schema == Scim.UserSchema || Schema == Scim.GroupSchema ? "" : Schema + ":")
        + Attribute + (SubAttribute is null ? "" : "." + SubAttribute);

    public override string ToString() => Key;
}

/// <summary>A filter expression (RFC 7644 §3.4.2.2).</summary>
public abstract record ScimFilter;

/// <summary><c>attr op value</c> with op one of eq, ne, co, sw, ew, gt, ge, lt, le; or <c>attr pr</c> (Op = "pr", Value null).</summary>
public sealed record ScimComparison(ScimAttributePath Path, string Op, JsonNode? Value) : ScimFilter;

public sealed record ScimAnd(ScimFilter Left, ScimFilter Right) : ScimFilter;

public sealed record ScimOr(ScimFilter Left, ScimFilter Right) : ScimFilter;

public sealed record ScimNot(ScimFilter Inner) : ScimFilter;

/// <summary><c>emails[type eq "work"]</c>: some value of a multi-valued attribute matches the inner filter.</summary>
public sealed record ScimValuePath(ScimAttributePath Path, ScimFilter Filter) : ScimFilter;

/// <summary>A PATCH path (RFC 7644 §3.5.2): <c>attr</c>, <c>attr.sub</c> or <c>attr[filter].sub</c>.</summary>
public sealed record ScimPatchPath(ScimAttributePath Path, ScimFilter? Filter, string? SubAttribute);

/// <summary>
/// A small recursive-descent parser for SCIM filters and PATCH paths. Precedence: not, then and, then or.
/// Input is bounded (length, nesting, comparisons): the parser, the evaluator and the SQL translation all recurse per
/// level, and a path arrives in a PATCH body, so without bounds one request could overflow the stack of the whole server.
/// </summary>
public sealed class ScimFilterParser
{
    private static readonly HashSet<string> CompareOps = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

    /// <summary>Far above what identity providers send (<c>userName eq "…"</c>, <c>members[value eq "…"]</c>).</summary>
    public const int MaxLength = 2048;
    public const int MaxDepth = 32;
    public const int MaxComparisons = 64;

    private readonly string _text;
    /// <summary>What a filter too large to read is: invalidFilter in a query, invalidPath in a PATCH path.</summary>
    private readonly string _limitType;
    private int _at;
    private int _depth;
    private int _comparisons;

    private ScimFilterParser(string text, string limitType)
    {
        _text = text;
        _limitType = limitType;
        if (text.Length > MaxLength)
            throw new ScimException(400, limitType, $"the {(limitType == "invalidPath" ? "path" : "filter")} is longer than {MaxLength} characters");
    }

    public static ScimFilter Parse(string filter)
    {
        var parser = new ScimFilterParser(filter, "invalidFilter");
        var result = parser.Or();
        parser.SkipSpace();
        if (parser._at < filter.Length) throw parser.Error($"unexpected '{filter[parser._at..]}'");
        return result;
    }

    public static ScimPatchPath ParsePath(string path)
    {
        var parser = new ScimFilterParser(path, "invalidPath");
        var attribute = parser.AttributePath() ?? throw new ScimException(400, "invalidPath", $"'{path}' is not an attribute path");
        ScimFilter? filter = null;
        string? sub = null;
        if (parser.Peek('['))
        {
            parser._at++;
            filter = parser.Or();
            parser.Expect(']');
            if (parser.Peek('.'))
            {
                parser._at++;
                sub = Scim.CanonicalName(parser.Name() ?? throw new ScimException(400, "invalidPath", $"'{path}': a sub-attribute must follow '].'"));
            }
        }
        if (parser._at < path.Length) throw new ScimException(400, "invalidPath", $"'{path}' is not a valid path (unexpected '{path[parser._at..]}')");
        return new ScimPatchPath(attribute, filter, sub);
    }

    private ScimException Error(string what) => new(400, "invalidFilter", $"filter '{_text}': {what}");

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
    }

    private bool Peek(char c) => _at < _text.Length && _text[_at] == c;

    private void Expect(char c)
    {
        SkipSpace();
        if (!Peek(c)) throw Error(_at < _text.Length ? $"expected '{c}' at '{_text[_at..]}'" : $"expected '{c}' at the end");
        _at++;
    }

    /// <summary>The next word (letters, digits, '_', '-', '$', ':', '.'), or null; does not move when there is none.</summary>
    private string? Word()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is '_' or '-' or '$' or ':' or '.')) _at++;
        return _at > start ? _text[start.._at] : null;
    }

    /// <summary>An attribute name without dots (after '].').</summary>
    private string? Name()
    {
        var start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is '_' or '-' or '$')) _at++;
        return _at > start ? _text[start.._at] : null;
    }

    private bool Keyword(string keyword)
    {
        SkipSpace();
        var save = _at;
        var word = Word();
        if (word is not null && word.Equals(keyword, StringComparison.OrdinalIgnoreCase)) return true;
        _at = save;
        return false;
    }

    private ScimFilter Or()
    {
        // Every nesting ('(', 'not (', '[') comes back through here; the filter itself is level 0.
        if (_depth++ > MaxDepth)
            throw new ScimException(400, _limitType, $"{(_limitType == "invalidPath" ? "path" : "filter")}: nested more than {MaxDepth} levels deep");
        var left = And();
        while (Keyword("or")) left = new ScimOr(left, And());
        _depth--;
        return left;
    }

    private ScimFilter And()
    {
        var left = Unary();
        while (Keyword("and")) left = new ScimAnd(left, Unary());
        return left;
    }

    private ScimFilter Unary()
    {
        SkipSpace();
        var save = _at;
        if (Keyword("not"))
        {
            SkipSpace();
            if (Peek('('))
            {
                _at++;
                var inner = Or();
                Expect(')');
                return new ScimNot(inner);
            }
            _at = save; // an attribute called "not…"
        }
        if (Peek('('))
        {
            _at++;
            var inner = Or();
            Expect(')');
            return inner;
        }
        return AttributeExpression();
    }

    private ScimFilter AttributeExpression()
    {
        var path = AttributePath() ?? throw Error(_at < _text.Length ? $"expected an attribute at '{_text[_at..]}'" : "expected an attribute at the end");
        if (Peek('['))
        {
            _at++;
            var inner = Or();
            Expect(']');
            // emails[type eq "work"].value eq "x" (as validators send it) is emails[type eq "work" and value eq "x"].
            if (Peek('.'))
            {
                _at++;
                var sub = Scim.CanonicalName(Name() ?? throw Error("a sub-attribute must follow '].'"));
                var test = Comparison(new ScimAttributePath(null, sub, null));
                return new ScimValuePath(path, new ScimAnd(inner, test));
            }
            return new ScimValuePath(path, inner);
        }
        return Comparison(path);
    }

    private ScimComparison Comparison(ScimAttributePath path)
    {
        if (++_comparisons > MaxComparisons)
            throw new ScimException(400, _limitType, $"{(_limitType == "invalidPath" ? "path" : "filter")}: more than {MaxComparisons} comparisons");
        var op = Word()?.ToLowerInvariant() ?? throw Error($"expected an operator after '{path}'");
        if (op == "pr") return new ScimComparison(path, "pr", null);
        if (!CompareOps.Contains(op)) throw Error($"unknown operator '{op}' (use eq, ne, co, sw, ew, gt, ge, lt, le or pr)");
        return new ScimComparison(path, op, Value());
    }

    private ScimAttributePath? AttributePath()
    {
        SkipSpace();
        var word = Word();
        if (word is null) return null;
        string? schema = null;
        var rest = word;
        if (word.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            var colon = word.LastIndexOf(':');
            schema = CanonicalSchema(word[..colon]);
            rest = word[(colon + 1)..];
            if (rest.Length == 0) throw new ScimException(400, "invalidPath", $"'{word}' names a schema but no attribute");
        }
        var parts = rest.Split('.');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0)) throw new ScimException(400, "invalidPath", $"'{word}' is not an attribute path");
        return new ScimAttributePath(schema, Scim.CanonicalName(parts[0]), parts.Length == 2 ? Scim.CanonicalName(parts[1]) : null);
    }

    private static string CanonicalSchema(string urn) =>
        ((string[])[Scim.UserSchema, Scim.GroupSchema, Scim.EnterpriseUser, Scim.TrellisUser]).FirstOrDefault(s => s.Equals(urn, StringComparison.OrdinalIgnoreCase)) ?? urn;

    private JsonValue? Value()
    {
        SkipSpace();
        if (Peek('"'))
        {
            var start = _at++;
            var escaped = false;
            while (_at < _text.Length && (escaped || _text[_at] != '"'))
            {
                escaped = !escaped && _text[_at] == '\\';
                _at++;
            }
            if (_at >= _text.Length) throw Error("a string is not closed");
            _at++;
            try
            {
                return JsonValue.Create(JsonSerializer.Deserialize<string>(_text[start.._at]));
            }
            catch (JsonException)
            {
                throw Error($"{_text[start.._at]} is not a valid string");
            }
        }
        var word = Word() ?? throw Error("expected a value at the end");
        if (word == "true") return JsonValue.Create(true);
        if (word == "false") return JsonValue.Create(false);
        if (word == "null") return null;
        if (decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return JsonValue.Create(number);
        throw Error($"'{word}' is not a value (strings are quoted: \"{word}\")");
    }
}

/// <summary>Evaluates a filter against one JSON value of a multi-valued attribute (an email, a member).</summary>
public static class ScimFilterEvaluator
{
    public static bool Matches(ScimFilter filter, JsonObject item, bool caseExactValue = false) => filter switch
    {
        ScimAnd a => Matches(a.Left, item, caseExactValue) && Matches(a.Right, item, caseExactValue),
        ScimOr o => Matches(o.Left, item, caseExactValue) || Matches(o.Right, item, caseExactValue),
        ScimNot n => !Matches(n.Inner, item, caseExactValue),
        ScimComparison c => Compare(c, Lookup(item, c.Path), caseExactValue && c.Path.Attribute == "value"),
        ScimValuePath v => Lookup(item, v.Path) is JsonArray values && values.OfType<JsonObject>().Any(x => Matches(v.Filter, x, caseExactValue)),
        _ => false,
    };

    private static JsonNode? Lookup(JsonObject item, ScimAttributePath path)
    {
        var node = item[path.Attribute];
        return path.SubAttribute is null ? node : (node as JsonObject)?[path.SubAttribute];
    }

    private static bool Compare(ScimComparison c, JsonNode? actual, bool caseExact)
    {
        if (c.Op == "pr") return actual is not null && !(actual is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0) && !(actual is JsonArray { Count: 0 });
        if (c.Value is null) return c.Op switch { "eq" => actual is null, "ne" => actual is not null, _ => false };
        if (actual is null) return c.Op == "ne";
        if (c.Value is JsonValue expected && expected.TryGetValue<bool>(out var wantBool))
        {
            var got = actual is JsonValue av && av.TryGetValue<bool>(out var b) ? b : actual is JsonValue sv && sv.TryGetValue<string>(out var str) && bool.TryParse(str, out var pb) ? pb : (bool?)null;
            return c.Op switch { "eq" => got == wantBool, "ne" => got != wantBool, _ => false };
        }
        var left = actual is JsonValue lv && lv.TryGetValue<string>(out var ls) ? ls : actual.ToJsonString();
        var right = c.Value is JsonValue rv && rv.TryGetValue<string>(out var rs) ? rs : c.Value.ToJsonString();
        var comparison = caseExact ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return c.Op switch
        {
            "eq" => string.Equals(left, right, comparison),
            "ne" => !string.Equals(left, right, comparison),
            "co" => left.Contains(right, comparison),
            "sw" => left.StartsWith(right, comparison),
            "ew" => left.EndsWith(right, comparison),
            "gt" => string.Compare(left, right, comparison) > 0,
            "ge" => string.Compare(left, right, comparison) >= 0,
            "lt" => string.Compare(left, right, comparison) < 0,
            "le" => string.Compare(left, right, comparison) <= 0,
            _ => false,
        };
    }
}
