using CsvHelper;

namespace Trellis.Import;

/// <summary>
/// Streams the records of one CSV file against its <see cref="CsvFormat"/>: checks the header (unknown, duplicate and
/// missing columns), then hands out one record at a time with its line number. Nothing but the current record is kept.
/// </summary>
internal sealed class CsvRowReader : IDisposable
{
    private readonly CsvReader _csv;
    private readonly CsvFormat _format;
    private readonly long _length;
    private readonly int[] _fieldOf;     // format column → field position in the file, -1 when the column is absent
    private readonly string?[] _values;  // the current record, in format column order
    private readonly Queue<ImportProblem> _malformed = new();

    public string File { get; }
    public bool HeaderOk { get; private set; }

    public CsvRowReader(Stream stream, string file, CsvFormat format)
    {
        File = file;
        _format = format;
        _length = stream.CanSeek ? stream.Length : 0;
        _fieldOf = new int[format.Columns.Count];
        _values = new string?[format.Columns.Count];
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            DetectSeparatorHint = false,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            // Broken quoting and wrong field counts are problems of the file, reported with their line like any other.
            OnMalformedRecord = bad => _malformed.Enqueue(new(File, (int)Math.Max(1, bad.LineNumber), "row", Describe(bad))),
        };
        _csv = CsvReader.Create(stream, options, leaveOpen: false);
    }

    /// <summary>True when the column is in the file's header.</summary>
    public bool Has(int column) => _fieldOf[column] >= 0;

    /// <summary>How far into the file the reader is, in bytes (for a progress bar).</summary>
    public long Position => _csv.ByteOffset;
    public long Length => _length;

    /// <summary>Reads and checks the header row. Problems are reported; on any, <see cref="HeaderOk"/> is false and rows are not read.</summary>
    public void ReadHeader(Action<ImportProblem> report)
    {
        Array.Fill(_fieldOf, -1);
        _csv.ReadHeader();
        var names = _csv.Headers;
        if (names.Count == 0 || names.All(string.IsNullOrWhiteSpace))
        {
            report(new(File, 1, "header", $"the file is empty; expected a header row with {string.Join(", ", _format.Columns.Where(c => c.Required).Select(c => c.Name))}"));
            return;
        }
        var ok = true;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim().TrimStart('\uFEFF');
            var column = _format.IndexOf(name);
            if (column < 0)
            {
                ok = false;
                report(new(File, 1, name.Length == 0 ? $"column {i + 1}" : name,
                    $"unknown column; {_format.FileName} has the columns {string.Join(", ", _format.Columns.Select(c => c.Name))}"));
            }
            else if (_fieldOf[column] >= 0)
            {
                ok = false;
                report(new(File, 1, name, $"duplicate column (also column {_fieldOf[column] + 1})"));
            }
            else _fieldOf[column] = i;
        }
        for (var c = 0; c < _format.Columns.Count; c++)
        {
            if (_format.Columns[c].Required && _fieldOf[c] < 0)
            {
                ok = false;
                report(new(File, 1, _format.Columns[c].Name, "required column is missing"));
            }
        }
        HeaderOk = ok;
    }

    /// <summary>
    /// Moves to the next record. Returns false at the end. Records with broken quoting or the wrong number of fields
    /// are skipped and reported through <paramref name="report"/>, as are fields that are not valid UTF-8.
    /// </summary>
    public bool Read(Action<ImportProblem> report)
    {
        var more = _csv.Read();
        while (_malformed.TryDequeue(out var problem)) report(problem);
        if (!more) return false;
        Line = (int)_csv.LineNumber;
        for (var c = 0; c < _values.Length; c++)
        {
            var field = _fieldOf[c];
            if (field < 0) { _values[c] = null; continue; }
            var value = _csv.GetString(field);
            if (value.Contains('\uFFFD'))
                report(new(File, Line, _format.Columns[c].Name, "is not valid UTF-8 text; save the file as UTF-8 (a BOM is fine)"));
            _values[c] = _format.Columns[c].FreeText ? value : value.Trim();
        }
        return true;
    }

    /// <summary>The text of a column in the current record ("" when empty), or null when the file has no such column.</summary>
    public string? this[int column] => _values[column];

    /// <summary>The line the current record starts on (line 1 is the header).</summary>
    public int Line { get; private set; }

    private static string Describe(CsvMalformedRecord bad) => bad.Reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "has a different number of fields than the header",
        CsvMalformedReason.StrayQuote => "has a quote inside an unquoted field; enclose the field in quotes and double the quote (\"\")",
        CsvMalformedReason.TextAfterClosingQuote => "has text after the closing quote of a field",
        CsvMalformedReason.UnterminatedQuote => "has a quoted field that is never closed",
        _ => $"is malformed ({bad.Reason})",
    };

    public void Dispose() => _csv.Dispose();
}
