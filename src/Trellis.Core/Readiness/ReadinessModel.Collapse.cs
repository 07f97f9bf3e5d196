using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trellis.Core.Readiness;

// The collapse: one pass over the observations into cell, rater and (cell, rater) pair sufficient statistics.
public sealed partial class ReadinessModel
{
    // ---- collapse ----

    /// <summary>The one pass over the observations: cell, rater and (cell, rater) pair sufficient statistics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Collapse()
    {
        Passes++;
        var subjects = _obs.Subject;
        // Rows grouped by subject (as the app loads them) are read in place; otherwise a counting sort orders them.
        var grouped = _n == 0 || ((uint)subjects[0] < (uint)PersonCount && (uint)subjects[_n - 1] < (uint)PersonCount && _obs.IsGroupedBySubject());
        InputGroupedBySubject = grouped;
        int[]? start = null, order = null;
        if (!grouped)
        {
            start = new int[PersonCount + 1];
            for (var i = 0; i < _n; i++)
            {
                var s = subjects[i];
                if ((uint)s >= (uint)PersonCount) throw new ArgumentOutOfRangeException(nameof(_obs), s, "subject outside the person space");
                start[s + 1]++;
            }
            for (var p = 0; p < PersonCount; p++) start[p + 1] += start[p];
            // Counting sort of row indices by subject (stable; only the fit's lifetime).
            var next = (int[])start.Clone();
            order = new int[_n];
            for (var i = 0; i < _n; i++) order[next[subjects[i]]++] = i;
        }

        // Chunks of persons by index only: their partial sums are combined in chunk order, so the boundaries must not
        // depend on the thread count nor on rows that do not count (e.g. evidence after the as-of date).
        var chunks = _pairWeight.Length;
        for (var k = 0; k < chunks; k++) _chunkLo[k] = (int)((long)PersonCount * k / chunks);
        _chunkLo[chunks] = PersonCount;

        var weightTable = WeightTable();
        var chunkUsed = new long[chunks];
        var chunkY2 = new long[chunks];
        var chunkW2 = new long[chunks];
        var sharedLock = new object();
        var raterN = new long[PersonCount];
        var raterSy = new long[PersonCount];
        var raterResid = new long[PersonCount];
        var crossN = new long[_groups * _groups];
        var crossSy = new long[_groups * _groups];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
            () => new CollapseWorkspace(PersonCount, _nb, _groups),
            (k, _, ws) =>
            {
                var rows = start is null ? FirstRowOf(subjects, _chunkLo[k]) : 0;
                CollapseChunk(k, rows, start, order, weightTable, ws, out chunkUsed[k], out chunkY2[k], out chunkW2[k]);
                return ws;
            },
            ws =>
            {
                // Exact integer sums: the totals do not depend on which thread collapsed which chunk.
                lock (sharedLock)
                {
                    for (var r = 0; r < PersonCount; r++)
                    {
                        ref var totals = ref ws.RaterTotals[r];
                        _raterRatings[r] += (int)totals.Count;
                        raterN[r] += totals.N;
                        raterSy[r] += totals.Sy;
                        raterResid[r] += totals.Resid;
                    }
                    for (var g = 0; g < crossN.Length; g++)
                    {
                        crossN[g] += ws.CrossN[g];
                        crossSy[g] += ws.CrossSy[g];
                    }
                }
            });
        _raterResid = new double[PersonCount];
        for (var r = 0; r < PersonCount; r++)
        {
            _raterN[r] = raterN[r] * InvScale;
            _raterSy[r] = raterSy[r] * InvScale;
            _raterResid[r] = raterResid[r] * InvScale;
        }
        _crossN = crossN;
        _crossSy = crossSy;

        // Global pair indices: chunk k's pairs follow chunk k − 1's.
        for (var k = 0; k < chunks; k++)
        {
            _chunkBase[k + 1] = _chunkBase[k] + _pairWeight[k].Length;
            _slotBase[k + 1] = _slotBase[k] + _slotRater[k].Length;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, k =>
        {
            for (var p = _chunkLo[k]; p < _chunkLo[k + 1]; p++)
            {
                _personPairStart[p] += _chunkBase[k];
                _personSlotStart[p] += _slotBase[k];
            }
        });
        _personPairStart[PersonCount] = _chunkBase[chunks];
        _personSlotStart[PersonCount] = _slotBase[chunks];
        PairCount = _chunkBase[chunks];
        ObservationsUsed = chunkUsed.Sum();
        long y2 = 0;
        foreach (var v in chunkY2) y2 += v;
        _sumWy2 = y2 * InvScale;
        long w2 = 0;
        foreach (var v in chunkW2) w2 += v;
        double totalWeight = 0;
        for (var r = 0; r < PersonCount; r++) totalWeight += _raterN[r];
        // Σw² is kept in units of 2⁻³² (weights' top 16 bits squared): exact integer sums, 16 significant bits, ample for a factor.
        _weightDispersion = totalWeight > 0 ? ObservationsUsed * (w2 * InvScale) / (totalWeight * totalWeight) : 1;
    }

    /// <summary>The first row whose subject is at least <paramref name="person"/> in rows grouped by subject.</summary>
    private int FirstRowOf(int[] subjects, int person)
    {
        int lo = 0, hi = _n;
        while (lo < hi)
        {
            var mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (subjects[mid] < person) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>A rater's exact fixed-point totals in one collapse thread, in one cache line.</summary>
    private struct RaterTotal
    {
        public long N, Sy, Count, Resid;
    }

    private struct CellTotal
    {
        public long N, Sy;
        public int Count;
    }

    private struct SlotTotal
    {
        public long N, Sy;
        /// <summary>Behaviours rated (bit b; used when there are at most 64 behaviours).</summary>
        public ulong Mask;
        public int Count, Rater;
    }

    private sealed class CollapseWorkspace(int persons, int behaviors, int groups)
    {
        /// <summary>Σw and Σw·y by (subject's group × rater's group), for the starting values of the group effects.</summary>
        public readonly long[] CrossN = new long[groups * groups];
        public readonly long[] CrossSy = new long[groups * groups];
        /// <summary>
        /// Per rater, the serial number its slot got when it last appeared: serials only grow, so a serial at least the
        /// current subject's first one names this subject's slot (serial − first), in one 4-byte load.
        /// </summary>
        public readonly int[] Seen = new int[persons];
        public int NextSerial = 1;
        public readonly RaterTotal[] RaterTotals = new RaterTotal[persons];
        /// <summary>Per behaviour of the current subject: Σw, Σw·y and the count.</summary>
        public readonly CellTotal[] Cells = new CellTotal[behaviors];
        /// <summary>Per rater of the current subject (slot): the rater, Σw, Σw·y, count and behaviours rated; and Σw per behaviour.</summary>
        public SlotTotal[] Slots = new SlotTotal[64];
        public long[] PairW = new long[64 * behaviors];
        /// <summary>Pairs of the chunk being collapsed, before they are copied out at their exact size (reused across chunks).</summary>
        /// <summary>Per pair, behaviour &lt;&lt; shift | slot: in 2 bytes until a person of the chunk needs more.</summary>
        public ushort[] ChunkPairIndex = [];
        public uint[] ChunkPairIndexWide = [];
        public float[] ChunkWeight = [];
        public int[] ChunkSlotRater = [];
        /// <summary>Per slot of the chunk (in order): Σw, Σw·y and the count, for the rater totals at the chunk's end.</summary>
        public long[] ChunkSlotN = [], ChunkSlotSy = [], ChunkSlotResid = [];
        public int[] ChunkSlotRatings = [];
        /// <summary>Per slot, rater &lt;&lt; 32 | slot; then the same sorted (by rater).</summary>
        public long[] SlotKeys = new long[64], SortedKeys = new long[64];

        public void Grow(int behaviors)
        {
            var size = Slots.Length * 2;
            Array.Resize(ref Slots, size);
            Array.Resize(ref SlotKeys, size);
            Array.Resize(ref SortedKeys, size);
            Array.Resize(ref PairW, size * behaviors);
        }
    }

    /// <summary>Fixed-point weight by relationship and age in days (index relationship × 16384 + age): a load per row instead of arithmetic.</summary>
    private long[] WeightTable()
    {
        var table = new long[RelationshipCodes.Count * _recency.Length];
        for (var rel = 0; rel < RelationshipCodes.Count; rel++)
            for (var age = 0; age < _recency.Length; age++)
                table[rel * _recency.Length + age] = FixedWeight((byte)rel, _asOf - age);
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long FixedWeight(byte relationship, int day)
    {
        var age = _asOf - day;
        if (age < 0) return 0;
        if (age >= _recency.Length) age = _recency.Length - 1;
        return (long)(_relationWeight[relationship] * _recency[age] * Scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CollapseChunk(int k, int firstRow, int[]? start, int[]? order, long[] weightTable, CollapseWorkspace ws, out long used, out long y2, out long w2)
    {
        var nb = _nb;
        int lo = _chunkLo[k], hi = _chunkLo[k + 1];
        var subjects = _obs.Subject;
        var rowEnd = firstRow;
        if (start is null) rowEnd = FirstRowOf(subjects, hi);
        // Scratch for every row as its own pair (and slot), the most a chunk can need.
        var capacity = Math.Max(start is null ? rowEnd - firstRow : start[hi] - start[lo], 1);
        if (ws.ChunkPairIndex.Length < capacity)
        {
            // Scratch sized for the worst case (every row its own pair); never zeroed, as every entry used is written first.
            ws.ChunkPairIndex = GC.AllocateUninitializedArray<ushort>(capacity);
            ws.ChunkPairIndexWide = [];
            ws.ChunkWeight = GC.AllocateUninitializedArray<float>(capacity);
            ws.ChunkSlotRater = GC.AllocateUninitializedArray<int>(capacity);
            ws.ChunkSlotN = GC.AllocateUninitializedArray<long>(capacity);
            ws.ChunkSlotSy = GC.AllocateUninitializedArray<long>(capacity);
            ws.ChunkSlotRatings = GC.AllocateUninitializedArray<int>(capacity);
            ws.ChunkSlotResid = GC.AllocateUninitializedArray<long>(capacity);
        }
        var slotN = ws.ChunkSlotN;
        var slotSy = ws.ChunkSlotSy;
        var slotRatings = ws.ChunkSlotRatings;
        var slotResid = ws.ChunkSlotResid;
        var pairIndex = ws.ChunkPairIndex;
        var wideIndex = ws.ChunkPairIndexWide;
        var wide = false;
        var pairWeight = ws.ChunkWeight;
        var slotRater = ws.ChunkSlotRater;
        var count = 0;
        var slotCount = 0;
        used = 0;
        y2 = 0;
        w2 = 0;
        var row = firstRow;
        for (var s = lo; s < hi; s++)
        {
            var cellBase = s * nb;
            int from, to;
            if (start is null)
            {
                from = row;
                while (row < rowEnd && subjects[row] == s) row++;
                to = row;
            }
            else
            {
                from = start[s];
                to = start[s + 1];
            }
            var firstSerial = ws.NextSerial;
            var slots = order is null
                ? AccumulateRows<InPlace>(from, to, order, weightTable, ws, firstSerial, ref y2, ref w2, out var selfCount, out var selfSum)
                : AccumulateRows<Ordered>(from, to, order, weightTable, ws, firstSerial, ref y2, ref w2, out selfCount, out selfSum);
            ws.NextSerial = checked(firstSerial + slots);
            _selfCount[s] = selfCount;
            _selfSum[s] = selfSum;
            _raterCount[s] = slots;
            var evidence = 0;
            if (slots > MaxSlots)
                throw new NotSupportedException($"person {s} has {slots:N0} distinct raters; the engine supports at most {MaxSlots:N0} per person");
            var shift = PersonShift(slots);
            if (!wide && (Options.WidePairIndex || ((long)(nb - 1) << shift) > ushort.MaxValue))
            {
                // This person's pairs need 4 bytes, so the whole chunk's do (rare: thousands of raters for one person).
                if (wideIndex.Length < capacity) wideIndex = ws.ChunkPairIndexWide = GC.AllocateUninitializedArray<uint>(capacity);
                for (var j = 0; j < count; j++) wideIndex[j] = pairIndex[j];
                wide = true;
            }
            // The subject's raters sorted by rater id (the slots' order of first appearance depends on the input order).
            var slotTotals = ws.Slots;
            var pairW = ws.PairW;
            for (var t = 0; t < slots; t++) ws.SlotKeys[t] = ((long)slotTotals[t].Rater << 32) | (uint)t;
            SortSlots(ws.SlotKeys, ws.SortedKeys, slots);
            _personSlotStart[s] = slotCount;
            var cells = ws.Cells;
            for (var b = 0; b < nb; b++)
            {
                ref var cell = ref cells[b];
                if (cell.Count == 0) continue;
                _cellCount[cellBase + b] = cell.Count;
                _cellWeight[cellBase + b] = (float)(cell.N * InvScale);
                _cellMean[cellBase + b] = (float)((double)cell.Sy / cell.N);
                cell = default;
            }
            // The pairs go out rater by rater in sorted order, behaviours in order within a rater: one order whatever
            // order the rows came in, so every sum over them is taken in one order. Each rater's behaviours are the set
            // bits of its mask, so only the pairs that exist are visited.
            _personPairStart[s] = count;
            for (var t = 0; t < slots; t++)
            {
                var key = ws.SortedKeys[t];
                var slot = (int)(uint)key;
                var j = slotCount + t;
                slotRater[j] = (int)(key >> 32);
                ref var total = ref slotTotals[slot];
                slotN[j] = total.N;
                slotSy[j] = total.Sy;
                slotRatings[j] = total.Count;
                evidence += total.Count;
                var weights = slot * nb;
                var useMask = nb <= 64 && !Options.ScanBehaviours;
                var mask = total.Mask;
                double fitted = 0;
                for (var b = -1; NextBehaviour(useMask, ref mask, pairW, weights, nb, ref b);)
                {
                    var w = pairW[weights + b];
                    var packed = ((uint)b << shift) | (uint)t;
                    if (wide) wideIndex[count] = packed; else pairIndex[count] = (ushort)packed;
                    fitted += w * Widen(_cellMean[cellBase + b]);
                    pairWeight[count] = (float)(w * InvScale);
                    pairW[weights + b] = 0;
                    count++;
                }
                slotResid[j] = total.Sy - (long)fitted;
            }
            slotCount += slots;
            slotTotals.AsSpan(0, slots).Clear();
            _evidence[s] = evidence;
            used += evidence;
        }
        // Rater totals once per (subject, rater) instead of once per row, in a loop of their own: its random
        // accesses are independent and overlap, and they stay out of the cache the loop over the rows works in.
        var totals = ws.RaterTotals;
        for (var p = lo; p < hi; p++)
        {
            var from = _personSlotStart[p];
            var to = p + 1 < hi ? _personSlotStart[p + 1] : slotCount;
            var crossRow = _groups > 0 ? _raterGroup![p] * _groups : 0;
            for (var j = from; j < to; j++)
            {
                var r = slotRater[j];
                ref var total = ref totals[r];
                total.N += slotN[j];
                total.Sy += slotSy[j];
                total.Count += slotRatings[j];
                total.Resid += slotResid[j];
                if (_groups == 0) continue;
                var cross = crossRow + _raterGroup![r];
                ws.CrossN[cross] += slotN[j];
                ws.CrossSy[cross] += slotSy[j];
            }
        }
        if (wide) _pairIndex32[k] = wideIndex.AsSpan(0, count).ToArray();
        else _pairIndex16[k] = pairIndex.AsSpan(0, count).ToArray();
        _pairWeight[k] = GC.AllocateUninitializedArray<float>(count);
        _slotRater[k] = GC.AllocateUninitializedArray<int>(slotCount);
        Array.Copy(pairWeight, _pairWeight[k], count);
        Array.Copy(slotRater, _slotRater[k], slotCount);
    }

    /// <summary>The observations are the model's own state, not an argument: a code out of range in them is bad data. Kept out of line so the hot loop stays small.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void BadObservation(string what, int value) =>
        throw new InvalidDataException($"{what} {value} in the observations is outside the model's range");

    /// <summary>
    /// One subject's rows into its per-behaviour and per-rater totals and the rater × behaviour weights; returns the
    /// number of distinct raters (slots). A method of its own, so that the loop keeps its few values in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AccumulateRows<TRows>(int from, int to, int[]? order, long[] weightTable, CollapseWorkspace ws, int firstSerial, ref long y2, ref long w2,
        out int selfCount, out int selfSum) where TRows : struct, IRowOrder
    {
        // Plain references and explicit range checks: the loop's values stay in registers.
        ref var raterRef = ref MemoryMarshal.GetArrayDataReference(_obs.Rater);
        ref var behaviorRef = ref MemoryMarshal.GetArrayDataReference(_obs.Behavior);
        ref var relationshipRef = ref MemoryMarshal.GetArrayDataReference(_obs.Relationship);
        ref var ratingRef = ref MemoryMarshal.GetArrayDataReference(_obs.Rating);
        ref var dayRef = ref MemoryMarshal.GetArrayDataReference(_obs.Day);
        ref var weightRef = ref MemoryMarshal.GetArrayDataReference(weightTable);
        ref var seenRef = ref MemoryMarshal.GetArrayDataReference(ws.Seen);
        ref var cellsRef = ref MemoryMarshal.GetArrayDataReference(ws.Cells);
        var nb = _nb;
        var persons = PersonCount;
        var asOf = _asOf;
        var maxAge = _recency.Length - 1;
        var slotTotals = ws.Slots;
        var pairW = ws.PairW;
        var slots = 0;
        long squares = 0, weightSquares = 0;
        int selves = 0, selfRatings = 0;
        for (var j = from; j < to; j++)
        {
            var i = TRows.Row(order, j);
            var age = asOf - Unsafe.Add(ref dayRef, i);
            if (age < 0) continue;
            var rel = Unsafe.Add(ref relationshipRef, i);
            int y = Unsafe.Add(ref ratingRef, i);
            if (rel == (byte)RelationshipCode.Self)
            {
                selves++;
                selfRatings += y;
                continue;
            }
            if (rel >= RelationshipCodes.Count) BadObservation("relationship code", rel);
            var wf = Unsafe.Add(ref weightRef, (rel << RecencyBits) + Math.Min(age, maxAge));
            if (wf <= 0) continue;
            var r = Unsafe.Add(ref raterRef, i);
            if ((uint)r >= (uint)persons) BadObservation("rater", r);
            int b = Unsafe.Add(ref behaviorRef, i);
            if (b >= nb) BadObservation("behaviour", b);
            // The rater's slot in this subject, or the next free one — without a branch: about one row in five brings
            // a new rater, too often and too irregularly for a branch to be predicted. Slot totals start at zero
            // (cleared after each subject), so a new slot needs no set-up beyond its rater.
            ref var mark = ref Unsafe.Add(ref seenRef, r);
            var existing = mark - firstSerial;
            var isNew = existing >> 31; // −1 when the rater is new to this subject
            var slot = existing + (isNew & (slots - existing));
            slots -= isNew;
            mark = firstSerial + slot;
            if (slots > slotTotals.Length)
            {
                ws.Grow(nb);
                slotTotals = ws.Slots;
                pairW = ws.PairW;
            }
            var wy = wf * y;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pairW), slot * nb + b) += wf;
            ref var total = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(slotTotals), slot);
            total.Rater = r;
            total.Mask |= 1UL << b;
            total.N += wf;
            total.Sy += wy;
            total.Count++;
            ref var cell = ref Unsafe.Add(ref cellsRef, b);
            cell.N += wf;
            cell.Sy += wy;
            cell.Count++;
            squares += wy * y;
            weightSquares += (wf >> 16) * (wf >> 16);
        }
        y2 += squares;
        w2 += weightSquares;
        selfCount = selves;
        selfSum = selfRatings;
        return slots;
    }

    /// <summary>Rows in place (grouped by subject) or through an order: a type argument, so each loop is compiled without the test.</summary>
    private interface IRowOrder
    {
        static abstract int Row(int[]? order, int j);
    }

    private struct InPlace : IRowOrder
    {
        public static int Row(int[]? order, int j) => j;
    }

    private struct Ordered : IRowOrder
    {
        public static int Row(int[]? order, int j) => order![j];
    }
}
