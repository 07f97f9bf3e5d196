namespace Trellis.Import;

/// <summary>One problem in an input file: <c>FILE:LINE: COLUMN: message</c> (line 1 is the header; for framework.json the column is a JSON path).</summary>
/// <remarks>Every part is escaped (<see cref="Shared.Printable"/>): a value quoted from the file cannot break the line or carry binary.</remarks>
public sealed record ImportProblem(string File, int Line, string Column, string Message)
{
    public override string ToString() =>
        $"{Shared.Printable.Escape(File)}:{Line}: {Shared.Printable.Escape(Column)}: {Shared.Printable.Escape(Message)}";
}

/// <summary>What one file changed: rows added, updated, and those that already matched.</summary>
public sealed record ImportFileOutcome(ImportFileKind Kind, string File, long Added, long Updated, long Unchanged)
{
    public long Rows => Added + Updated + Unchanged;
    public bool Changed => Added + Updated > 0;
    public override string ToString() => $"{File}: {Added:N0} added, {Updated:N0} updated, {Unchanged:N0} unchanged";
}

/// <summary>The framework part of a run: the version now current, and whether this run stored it.</summary>
public sealed record FrameworkImportOutcome(string File, int VersionId, string Label, bool Created)
{
    public override string ToString() => Created
        ? $"{File}: stored as framework version {VersionId} ({Label})"
        : $"{File}: unchanged (same as current framework version {VersionId})";
}

/// <summary>The result of an import run: either problems (nothing written) or what each file changed.</summary>
public sealed record ImportReport(
    IReadOnlyList<ImportProblem> Problems,
    int TotalProblems,
    FrameworkImportOutcome? Framework,
    IReadOnlyList<ImportFileOutcome> Files)
{
    /// <summary>At most this many problems are reported; the rest are counted.</summary>
    public const int MaxProblems = 100;

    public bool Succeeded => TotalProblems == 0;
    public int SuppressedProblems => TotalProblems - Problems.Count;
    public bool Changed => Framework?.Created == true || Files.Any(f => f.Changed);

    public static ImportReport Failed(IReadOnlyList<ImportProblem> problems, int total) => new(problems, total, null, []);

    /// <summary>The summary printed on success, one line per file, then whether anything changed.</summary>
    public IEnumerable<string> SummaryLines()
    {
        if (Framework is not null) yield return Framework.ToString();
        foreach (var file in Files) yield return file.ToString();
        yield return Changed ? "Import complete." : "Nothing changed: every row already matched the database.";
    }

    /// <summary>The problem lines printed on failure, with a last line counting those left out.</summary>
    public IEnumerable<string> ProblemLines()
    {
        foreach (var problem in Problems) yield return problem.ToString();
        if (SuppressedProblems > 0)
            yield return $"… and {SuppressedProblems:N0} more problems ({TotalProblems:N0} in all); nothing was imported.";
    }
}

/// <summary>
/// Collects problems of one run in file order and line order, keeping only the first <see cref="ImportReport.MaxProblems"/>
/// (a million bad rows must not become a million strings) and counting the rest.
/// </summary>
internal sealed class ProblemList
{
    private readonly List<(int File, int Line, long Seq, ImportProblem Problem)> _kept = [];
    private long _seq;

    public int Total { get; private set; }

    public void Add(int fileOrder, ImportProblem problem)
    {
        Total++;
        _kept.Add((fileOrder, problem.Line, _seq++, problem));
        if (_kept.Count >= ImportReport.MaxProblems * 8) Trim();
    }

    public IReadOnlyList<ImportProblem> Sorted()
    {
        Trim();
        return _kept.Select(k => k.Problem).ToList();
    }

    private void Trim()
    {
        _kept.Sort((a, b) => a.File != b.File ? a.File.CompareTo(b.File) : a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Seq.CompareTo(b.Seq));
        if (_kept.Count > ImportReport.MaxProblems) _kept.RemoveRange(ImportReport.MaxProblems, _kept.Count - ImportReport.MaxProblems);
    }
}
