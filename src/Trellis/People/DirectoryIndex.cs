using System.Buffers;
using System.Text;
using Trellis.Data;

namespace Trellis.People;

/// <summary>
/// Every employee (active and left) as the directory searches them, in memory: kept with the <see cref="OrgSnapshot"/>
/// and rebuilt with it. It behaves the same on SQLite and PostgreSQL: case and accents are ignored ("jose" finds
/// "José", "MULLER" finds "Müller"). A search looks its rarest word up in a sorted index of every word (and, for a word
/// with a digit, of every tail of every id), so its cost follows the number of matches, not the organisation's size;
/// only those candidates are checked against the other words.
/// </summary>
/// <remarks>
/// Search matches words by their beginning: the query is cut into words (letters and digits) and every one of them must
/// begin a word of the person's id, name, email or title ("ann sm" finds "Anna Smith", "smith@" finds her by email,
/// "engineer" finds "Senior Engineer"). A query word with a digit may also sit anywhere in the id ("0042" finds
/// "E000042"). A query without letters or digits (e.g. "%") matches nobody. Results are in name order (accents and case
/// folded, then the name as written, then the id), as before.
/// </remarks>
public sealed class DirectoryIndex
{
    private readonly string[] _ids;
    private readonly string[] _foldedIds;
    private readonly string[] _words;
    private readonly string?[] _departments;
    private readonly string[] _tracks;
    private readonly string[] _levels;
    private readonly string?[] _managers;
    private readonly bool[] _active;
    /// <summary>Positions in name order: a search walks them in this order, so its matches come out sorted.</summary>
    private readonly int[] _byName;
    /// <summary>Each position's rank in name order (the inverse of <see cref="_byName"/>).</summary>
    private readonly int[] _rank;
    /// <summary>Every word of <see cref="_words"/> as (position, offset), in ordinal order of the word.</summary>
    private readonly long[] _wordIndex;
    /// <summary>Every tail of every folded id as (position, offset), in ordinal order: a digit word may sit anywhere in an id.</summary>
    private readonly long[] _idTails;

    public DirectoryIndex(IReadOnlyList<Entry> people)
    {
        var n = people.Count;
        _ids = new string[n];
        _foldedIds = new string[n];
        _words = new string[n];
        _departments = new string?[n];
        _tracks = new string[n];
        _levels = new string[n];
        _managers = new string?[n];
        _active = new bool[n];
        var sortNames = new string[n];
        for (var i = 0; i < n; i++)
        {
            var p = people[i];
            _ids[i] = p.Id;
            _foldedIds[i] = Fold(p.Id);
            _words[i] = " " + string.Join(' ', Words(p.Id).Concat(Words(p.Name)).Concat(Words(p.Email)).Concat(Words(p.Title))) + " ";
            _departments[i] = p.Department;
            _tracks[i] = p.Track;
            _levels[i] = p.Level;
            _managers[i] = p.ManagerId;
            _active[i] = p.Status == EmployeeStatus.Active;
            sortNames[i] = Fold(p.Name);
        }
        _byName = Enumerable.Range(0, n).ToArray();
        Array.Sort(_byName, (a, b) =>
        {
            var c = string.CompareOrdinal(sortNames[a], sortNames[b]);
            if (c == 0) c = string.CompareOrdinal(people[a].Name, people[b].Name);
            return c != 0 ? c : string.CompareOrdinal(_ids[a], _ids[b]);
        });
        _rank = new int[n];
        for (var r = 0; r < n; r++) _rank[_byName[r]] = r;

        var words = new List<long>(n * 6);
        var tails = new List<long>(n * 8);
        for (var i = 0; i < n; i++)
        {
            var w = _words[i];
            for (var o = 1; o < w.Length; o++)
                if (w[o - 1] == ' ' && w[o] != ' ') words.Add(Pack(i, o));
            for (var o = 0; o < _foldedIds[i].Length; o++) tails.Add(Pack(i, o));
        }
        _wordIndex = [.. words];
        _idTails = [.. tails];
        Array.Sort(_wordIndex, (a, b) => WordAt(a).SequenceCompareTo(WordAt(b)));
        Array.Sort(_idTails, (a, b) => TailAt(a).SequenceCompareTo(TailAt(b)));
    }

    private static long Pack(int position, int offset) => (long)position << 32 | (uint)offset;
    private static int PositionOf(long entry) => (int)(entry >> 32);

    private ReadOnlySpan<char> WordAt(long entry)
    {
        var w = _words[PositionOf(entry)].AsSpan((int)entry);
        return w[..w.IndexOf(' ')];
    }

    private ReadOnlySpan<char> TailAt(long entry) => _foldedIds[PositionOf(entry)].AsSpan((int)entry);

    /// <summary>The entries of a sorted index that begin with <paramref name="prefix"/>: two binary searches.</summary>
    private static (int From, int To) PrefixRange(long[] index, Func<long, ReadOnlySpan<char>> text, string prefix)
    {
        int lo = 0, hi = index.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (text(index[mid]).SequenceCompareTo(prefix) < 0) lo = mid + 1; else hi = mid;
        }
        var from = lo;
        hi = index.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (text(index[mid]).StartsWith(prefix, StringComparison.Ordinal)) lo = mid + 1; else hi = mid;
        }
        return (from, lo);
    }

    /// <summary>What the directory knows of one employee.</summary>
    public sealed record Entry(string Id, string Name, string Email, string? Title, string? Department, string Track, string Level, string? ManagerId, string Status);

    public int Count => _ids.Length;

    /// <summary>
    /// The ids of one page of the people matching the filter (status, search, department, track, level, manager), in
    /// name order, and how many match in all.
    /// </summary>
    public (int Total, IReadOnlyList<string> Ids) Find(DirectoryFilter f)
    {
        var (total, ids, _) = Search(f);
        return (total, ids);
    }

    /// <summary>As <see cref="Find"/>, plus how many people it examined (tests hold the cost to the matches).</summary>
    internal (int Total, IReadOnlyList<string> Ids, int Examined) Search(DirectoryFilter f)
    {
        var terms = string.IsNullOrWhiteSpace(f.Q) ? null : Words(f.Q).Distinct(StringComparer.Ordinal).ToArray();
        if (terms is { Length: 0 }) return (0, [], 0);
        if (terms is null) return Collect(_byName, f, null);
        var prefixes = terms.Select(t => " " + t).ToArray();
        var digits = terms.Select(t => t.Any(char.IsAsciiDigit)).ToArray();

        // The rarest word picks the candidates from the indexes; the others are checked on those candidates only.
        var ranges = terms.Select((t, k) => (Words: PrefixRange(_wordIndex, WordAt, t), Tails: digits[k] ? PrefixRange(_idTails, TailAt, t) : default)).ToArray();
        var driver = Enumerable.Range(0, terms.Length).MinBy(k => ranges[k].Words.To - ranges[k].Words.From + ranges[k].Tails.To - ranges[k].Tails.From);
        var marks = ArrayPool<bool>.Shared.Rent(_ids.Length);
        Array.Clear(marks, 0, _ids.Length);
        var ranks = new List<int>();
        int[] inNameOrder;
        try
        {
            void Mark(int position)
            {
                if (marks[position]) return;
                marks[position] = true;
                ranks.Add(_rank[position]);
            }
            for (var e = ranges[driver].Words.From; e < ranges[driver].Words.To; e++) Mark(PositionOf(_wordIndex[e]));
            for (var e = ranges[driver].Tails.From; e < ranges[driver].Tails.To; e++) Mark(PositionOf(_idTails[e]));
            if (ranks.Count * 16 < _ids.Length)
            {
                // Few candidates: sort their ranks.
                var sorted = ranks.ToArray();
                Array.Sort(sorted);
                inNameOrder = Array.ConvertAll(sorted, r => _byName[r]);
            }
            else inNameOrder = Array.FindAll(_byName, i => marks[i]);
        }
        finally { ArrayPool<bool>.Shared.Return(marks); }
        // The candidates already match the driving word: only the others are checked.
        var others = Enumerable.Range(0, terms.Length).Where(k => k != driver).ToArray();
        if (others.Length == 0) return Collect(inNameOrder, f, null);
        string[] otherTerms = [.. others.Select(k => terms[k])], otherPrefixes = [.. others.Select(k => prefixes[k])];
        bool[] otherDigits = [.. others.Select(k => digits[k])];
        return Collect(inNameOrder, f, i => Matches(i, otherTerms, otherPrefixes, otherDigits));
    }

    /// <summary>The filter applied to positions already in name order: how many pass, and the requested page of them.</summary>
    private (int Total, IReadOnlyList<string> Ids, int Examined) Collect(int[] positions, DirectoryFilter f, Func<int, bool>? matches)
    {
        var status = string.IsNullOrEmpty(f.Status) ? EmployeeStatus.Active : f.Status;
        var skip = (long)(f.Page - 1) * f.PageSize;
        var page = new List<string>(Math.Min(f.PageSize, positions.Length));
        var total = 0;
        foreach (var i in positions)
        {
            if (status == "active" ? !_active[i] : status == "left" && _active[i]) continue;
            if (!string.IsNullOrWhiteSpace(f.Department) && _departments[i] != f.Department) continue;
            if (!string.IsNullOrWhiteSpace(f.Track) && _tracks[i] != f.Track) continue;
            if (!string.IsNullOrWhiteSpace(f.Level) && _levels[i] != f.Level) continue;
            if (!string.IsNullOrWhiteSpace(f.ManagerId) && _managers[i] != f.ManagerId) continue;
            if (matches is not null && !matches(i)) continue;
            if (total >= skip && page.Count < f.PageSize) page.Add(_ids[i]);
            total++;
        }
        return (total, page, positions.Length);
    }

    private bool Matches(int i, string[] terms, string[] prefixes, bool[] digits)
    {
        var words = _words[i];
        for (var t = 0; t < terms.Length; t++)
        {
            if (words.Contains(prefixes[t], StringComparison.Ordinal)) continue;
            if (digits[t] && _foldedIds[i].Contains(terms[t], StringComparison.Ordinal)) continue;
            return false;
        }
        return true;
    }

    /// <summary>The words of a text, folded: lower case, accents removed ("Zoë O'Brien-Núñez" → zoe, o, brien, nunez).</summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var folded = Fold(text);
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            var wordChar = i < folded.Length && char.IsLetterOrDigit(folded[i]);
            if (wordChar && start < 0) start = i;
            else if (!wordChar && start >= 0)
            {
                yield return folded[start..i];
                start = -1;
            }
        }
    }

    /// <summary>
    /// Lower case without accents. By table rather than by Unicode decomposition: the app runs with invariant
    /// globalization (no ICU), where <see cref="string.Normalize()"/> leaves accented letters as they are. The table covers
    /// the Latin letters of European names (Latin-1, Latin Extended-A, and ș/ț); combining marks are dropped.
    /// </summary>
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= '\u0300' and <= '\u036F') continue; // combining marks, from text typed decomposed
            if (c is >= '\u00C0' and <= '\u017F' && Latin[c - 0xC0] is { } plain) sb.Append(plain);
            else if (c is '\u0218' or '\u0219') sb.Append('s');
            else if (c is '\u021A' or '\u021B') sb.Append('t');
            else sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static readonly string?[] Latin = BuildLatin();

    private static string?[] BuildLatin()
    {
        var map = new string?[0x180 - 0xC0];
        void Set(int from, int to, string plain)
        {
            for (var c = from; c <= to; c++) map[c - 0xC0] = plain;
        }
        // Latin-1: À–ß, à–ÿ (× and ÷ are not letters and stay).
        foreach (var lower in new[] { 0, 0x20 })
        {
            Set(0xC0 + lower, 0xC5 + lower, "a");
            Set(0xC6 + lower, 0xC6 + lower, "ae");
            Set(0xC7 + lower, 0xC7 + lower, "c");
            Set(0xC8 + lower, 0xCB + lower, "e");
            Set(0xCC + lower, 0xCF + lower, "i");
            Set(0xD0 + lower, 0xD0 + lower, "d");
            Set(0xD1 + lower, 0xD1 + lower, "n");
            Set(0xD2 + lower, 0xD6 + lower, "o");
            Set(0xD8 + lower, 0xD8 + lower, "o");
            Set(0xD9 + lower, 0xDC + lower, "u");
            Set(0xDD + lower, 0xDD + lower, "y");
            Set(0xDE + lower, 0xDE + lower, "th");
        }
        Set(0xDF, 0xDF, "ss");
        Set(0xFF, 0xFF, "y");
        // Latin Extended-A: mostly capital and small letter in pairs.
        Set(0x100, 0x105, "a");
        Set(0x106, 0x10D, "c");
        Set(0x10E, 0x111, "d");
        Set(0x112, 0x11B, "e");
        Set(0x11C, 0x123, "g");
        Set(0x124, 0x127, "h");
        Set(0x128, 0x131, "i");
        Set(0x132, 0x133, "ij");
        Set(0x134, 0x135, "j");
        Set(0x136, 0x138, "k");
        Set(0x139, 0x142, "l");
        Set(0x143, 0x14B, "n");
        Set(0x14C, 0x151, "o");
        Set(0x152, 0x153, "oe");
        Set(0x154, 0x159, "r");
        Set(0x15A, 0x161, "s");
        Set(0x162, 0x167, "t");
        Set(0x168, 0x173, "u");
        Set(0x174, 0x175, "w");
        Set(0x176, 0x178, "y");
        Set(0x179, 0x17E, "z");
        Set(0x17F, 0x17F, "s");
        return map;
    }
}
