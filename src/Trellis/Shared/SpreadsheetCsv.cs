using System.Globalization;
using System.Text;

namespace Trellis.Shared;

/// <summary>
/// The one CSV writer for every file a person may open in a spreadsheet (exports, audit and span downloads,
/// <c>trellis readiness --format csv</c>): RFC 4180 quoting, and text cells defused against formula injection.
/// </summary>
/// <remarks>
/// A spreadsheet runs a cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return as a
/// formula (<c>=HYPERLINK(…)</c>, <c>=cmd|…</c>). Such a text cell is written with a leading apostrophe, which the
/// spreadsheet shows as text. So that <c>trellis import</c> can undo exactly that and an export round-trips byte for
/// byte, a cell that already starts with apostrophes followed by one of those characters gets one more apostrophe;
/// <see cref="Restore"/> removes one apostrophe from exactly those cells. Numbers in numeric columns are written as
/// numbers (<c>-0.5</c>, not <c>'-0.5</c>): they cannot run as anything.
/// </remarks>
public static class SpreadsheetCsv
{
    /// <summary>Whether a spreadsheet would treat a cell starting with <paramref name="c"/> as a formula.</summary>
    public static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>Apostrophes at the start of <paramref name="text"/>, when a formula character follows them; else −1.</summary>
    private static int ApostrophesBeforeFormula(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && text[i] == '\'') i++;
        return i < text.Length && IsFormulaStart(text[i]) ? i : -1;
    }

    /// <summary>A text value as it is stored in a spreadsheet cell: prefixed with an apostrophe when it could run as a formula.</summary>
    public static string Defuse(string text) => ApostrophesBeforeFormula(text) >= 0 ? "'" + text : text;

    /// <summary>The value <see cref="Defuse"/> was given: removes exactly the apostrophe it adds, and nothing else.</summary>
    public static string Restore(string cell) => ApostrophesBeforeFormula(cell) > 0 ? cell[1..] : cell;

    /// <summary>RFC 4180: quoted when the value holds a comma, quote or line break, with quotes doubled.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    /// <summary>A text cell: defused, then quoted as needed.</summary>
    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "" : Quote(Defuse(value));

    /// <summary>A number cell (invariant culture, never prefixed).</summary>
    public static string Number(double? value, string format = "0.##") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    /// <summary>A number cell (invariant culture, never prefixed).</summary>
    public static string Number(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// A cell of a table whose cells are all text already formatted (the audit tables): a plain decimal number (like
    /// <c>-0.5</c> or <c>1e-3</c>) is written as a number, anything else as text.
    /// </summary>
    public static string Cell(string? value) => value is not null && IsPlainNumber(value) ? value : Text(value);

    /// <summary>Appends a text cell to a line being built (the readiness report's hot loop).</summary>
    public static StringBuilder AppendText(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value)) return line;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0 && !IsFormulaStart(value[0]) && value[0] != '\'') return line.Append(value);
        return line.Append(Text(value));
    }

    /// <summary>One line of cells and the CRLF that ends it.</summary>
    public static string Line(IEnumerable<string> cells) => string.Join(',', cells) + "\r\n";

    private static bool IsPlainNumber(string value) =>
        value.Length > 0 && (char.IsAsciiDigit(value[0]) || value[0] is '-' or '+' or '.')
        && double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
        && double.IsFinite(d);
}
