using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Trellis.Core.Readiness;

/// <summary>Who the rater is to the subject, as a compact code (observations.csv <c>relationship</c>).</summary>
public enum RelationshipCode : byte
{
    Self = 0,
    Manager = 1,
    Peer = 2,
    Report = 3,
    SkipLevel = 4,
    Other = 5,
}

public static class RelationshipCodes
{
    public const int Count = 6;

    public static RelationshipCode Parse(string relationship) => relationship switch
    {
        Relationships.Self => RelationshipCode.Self,
        Relationships.Manager => RelationshipCode.Manager,
        Relationships.Peer => RelationshipCode.Peer,
        Relationships.Report => RelationshipCode.Report,
        Relationships.SkipLevel => RelationshipCode.SkipLevel,
        Relationships.Other => RelationshipCode.Other,
        _ => throw new ArgumentException($"unknown relationship '{relationship}'", nameof(relationship)),
    };

    public static bool TryParse(string relationship, out RelationshipCode code)
    {
        code = RelationshipCode.Self;
        switch (relationship)
        {
            case Relationships.Self: return true;
            case Relationships.Manager: code = RelationshipCode.Manager; return true;
            case Relationships.Peer: code = RelationshipCode.Peer; return true;
            case Relationships.Report: code = RelationshipCode.Report; return true;
            case Relationships.SkipLevel: code = RelationshipCode.SkipLevel; return true;
            case Relationships.Other: code = RelationshipCode.Other; return true;
            default: return false;
        }
    }
}

/// <summary>
/// Behaviour observations as parallel arrays (struct of arrays): 15 bytes per observation and no object per row,
/// so that ten million of them fit in 150 MB and are scanned at memory speed. Subjects and raters index one
/// person space; behaviours index the framework's behaviour list; days are <see cref="DateOnly.DayNumber"/>.
/// </summary>
public sealed class ObservationTable
{
    public int[] Subject { get; private set; }
    public int[] Rater { get; private set; }
    public byte[] Behavior { get; private set; }
    public byte[] Relationship { get; private set; }
    public byte[] Rating { get; private set; }
    public int[] Day { get; private set; }
    public int Count { get; private set; }

    public ObservationTable(int capacity = 1024)
    {
        capacity = Math.Max(capacity, 1);
        Subject = new int[capacity];
        Rater = new int[capacity];
        Behavior = new byte[capacity];
        Relationship = new byte[capacity];
        Rating = new byte[capacity];
        Day = new int[capacity];
    }

    /// <summary>Bytes held by the arrays (capacity, not count).</summary>
    public long Bytes => (long)Subject.Length * 15;

    public void Add(int subject, int rater, int behavior, RelationshipCode relationship, int rating, int day)
    {
        if (rating is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(rating), rating, "rating must be 1–5");
        if (behavior is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(behavior), behavior, "at most 256 behaviours");
        if (Count == Subject.Length) Grow();
        var i = Count++;
        Subject[i] = subject;
        Rater[i] = rater;
        Behavior[i] = (byte)behavior;
        Relationship[i] = (byte)relationship;
        Rating[i] = (byte)rating;
        Day[i] = day;
    }

    /// <summary>Appends all rows of another table (bulk copies, no per-row checks: the rows were checked when added there).</summary>
    public void Append(ObservationTable other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var needed = (long)Count + other.Count;
        if (needed > Subject.Length) Resize(checked((int)Math.Max(needed, (long)Subject.Length * 2)));
        Array.Copy(other.Subject, 0, Subject, Count, other.Count);
        Array.Copy(other.Rater, 0, Rater, Count, other.Count);
        Array.Copy(other.Behavior, 0, Behavior, Count, other.Count);
        Array.Copy(other.Relationship, 0, Relationship, Count, other.Count);
        Array.Copy(other.Rating, 0, Rating, Count, other.Count);
        Array.Copy(other.Day, 0, Day, Count, other.Count);
        Count += other.Count;
    }

    /// <summary>
    /// Reorders the rows so that each subject's rows are together, subjects in ascending order (a stable counting sort;
    /// nothing is done when they already are). Evidence arrives over time in no particular order; a table that is kept
    /// and fitted again and again (the readiness service, the audit's as-of fits) is grouped once, so that every fit reads
    /// it in place instead of through a row order, which costs it random reads of every column for every row. Returns
    /// whether any row moved. Also drops spare capacity.
    /// </summary>
    public bool GroupBySubject()
    {
        var count = Count;
        var subjects = Subject;
        if (IsGroupedBySubject())
        {
            TrimExcess();
            return false;
        }
        var maxSubject = -1;
        for (var i = 0; i < count; i++)
        {
            var s = subjects[i];
            if (s < 0) throw new InvalidOperationException($"row {i} has a negative subject index");
            if (s > maxSubject) maxSubject = s;
        }
        var next = new int[maxSubject + 2];
        for (var i = 0; i < count; i++) next[subjects[i] + 1]++;
        for (var p = 0; p <= maxSubject; p++) next[p + 1] += next[p];
        var order = new int[count];
        for (var i = 0; i < count; i++) order[next[subjects[i]]++] = i;
        // Each column gathered in the new order on its own (they are independent; the two cores share them out).
        Parallel.Invoke(
            () => Subject = Gather(Subject, order),
            () => Rater = Gather(Rater, order),
            () => Behavior = Gather(Behavior, order),
            () => Relationship = Gather(Relationship, order),
            () => Rating = Gather(Rating, order),
            () => Day = Gather(Day, order));
        return true;
    }

    /// <summary>Whether the subjects never decrease from row to row (both cores, eight neighbours compared at a time).</summary>
    public bool IsGroupedBySubject()
    {
        var n = Count;
        var subjects = Subject;
        var unsorted = 0;
        const int parts = 8;
        Parallel.For(0, parts, part =>
        {
            int from = (int)((long)n * part / parts), to = (int)Math.Min(n - 1L, (long)n * (part + 1) / parts);
            if (!Sorted(subjects, from, to)) Volatile.Write(ref unsorted, 1);
        });
        return unsorted == 0;
    }

    /// <summary>Whether subjects[from..to] never decreases.</summary>
    private static bool Sorted(int[] subjects, int from, int to)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(subjects);
        var i = from;
        for (; i + Vector256<int>.Count < to; i += Vector256<int>.Count)
        {
            var here = Vector256.LoadUnsafe(ref first, (nuint)i);
            var next = Vector256.LoadUnsafe(ref first, (nuint)(i + 1));
            if (Vector256.GreaterThanAny(here, next)) return false;
        }
        for (; i < to; i++)
            if (subjects[i + 1] < subjects[i]) return false;
        return true;
    }

    private static T[] Gather<T>(T[] column, int[] order)
    {
        var result = GC.AllocateUninitializedArray<T>(Math.Max(order.Length, 1));
        for (var k = 0; k < order.Length; k++) result[k] = column[order[k]];
        return result;
    }

    /// <summary>Drops spare capacity, so that the table holds exactly <see cref="Count"/> rows.</summary>
    public void TrimExcess()
    {
        if (Count == Subject.Length) return;
        Resize(Math.Max(Count, 1));
    }

    private void Grow() => Resize(checked(Subject.Length * 2));

    private void Resize(int size)
    {
        var subject = Subject; Array.Resize(ref subject, size); Subject = subject;
        var rater = Rater; Array.Resize(ref rater, size); Rater = rater;
        var behavior = Behavior; Array.Resize(ref behavior, size); Behavior = behavior;
        var relationship = Relationship; Array.Resize(ref relationship, size); Relationship = relationship;
        var rating = Rating; Array.Resize(ref rating, size); Rating = rating;
        var day = Day; Array.Resize(ref day, size); Day = day;
    }
}
