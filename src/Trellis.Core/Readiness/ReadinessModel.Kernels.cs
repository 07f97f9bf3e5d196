using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Trellis.Core.Readiness;

// Stateless kernels of the collapse and the sweeps: pure functions of their arguments, tested directly in ReadinessKernelTests.
public sealed partial class ReadinessModel
{
    // ---- kernels ----

    /// <summary>
    /// The next behaviour a slot rated after <paramref name="b"/>: the next set bit of its mask (up to 64 behaviours:
    /// only the pairs that exist are visited), else the next non-zero weight in its row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool NextBehaviour(bool useMask, ref ulong mask, long[] pairW, int weights, int nb, ref int b)
    {
        if (useMask)
        {
            if (mask == 0) return false;
            b = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            return true;
        }
        do b++; while (b < nb && pairW[weights + b] == 0);
        return b < nb;
    }

    /// <summary>Bits a person's slot numbers take in its packed pair indices (the behaviour sits above them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PersonShift(int slots) => slots <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(slots - 1));

    /// <summary>
    /// Sorts a person's (rater, slot) keys into <paramref name="sorted"/>. The usual few dozen are placed by rank — each
    /// key's rank is the number of smaller keys, counted four at a time — without the unpredictable branches of a
    /// comparison sort; more than that take the library sort.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SortSlots(long[] keys, long[] sorted, int count)
    {
        if (count > 48)
        {
            keys.AsSpan(0, count).CopyTo(sorted);
            sorted.AsSpan(0, count).Sort();
            return;
        }
        ref var first = ref MemoryMarshal.GetArrayDataReference(keys);
        for (var i = 0; i < count; i++)
        {
            var key = Unsafe.Add(ref first, i);
            var key4 = Vector256.Create(key);
            var rank = 0;
            var j = 0;
            for (; j + 4 <= count; j += 4)
                rank += BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref first, (nuint)j), key4).ExtractMostSignificantBits());
            for (; j < count; j++) rank += Unsafe.Add(ref first, j) < key ? 1 : 0;
            sorted[rank] = key;
        }
    }

    /// <summary>Four floats widened to doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Widen4(ref float source)
    {
        var v = Vector128.LoadUnsafe(ref source);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
    }

    /// <summary>Four doubles narrowed to floats and stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Narrow4(Vector256<double> value, ref float destination) =>
        Vector128.Narrow(value.GetLower(), value.GetUpper()).StoreUnsafe(ref destination);

    /// <summary>The sum of the four lanes, in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Sum4(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));

    /// <summary>
    /// Σw·b per behaviour over one person's pairs, in one flat loop (no loop per cell, whose short and uneven trip counts
    /// cost a mispredicted branch each). Four banks take turns, so the adds do not queue behind one another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void GatherPairs<T>(ref T index, ref double weight, int hi, int shift, ref double local, ref double bank0, int nb)
        where T : unmanaged, IBinaryInteger<T> =>
        PairProducts(ref index, ref weight, hi, shift, uint.MaxValue, 0, (1u << shift) - 1, ref local, ref bank0, nb);

    /// <summary>Σw·θ̂ per slot over one person's pairs (see <see cref="GatherPairs{T}"/>): four banks of <paramref name="stride"/> slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ScatterPairs<T>(ref T index, ref double weight, int hi, int shift, ref double theta, ref double bank0, int stride)
        where T : unmanaged, IBinaryInteger<T> =>
        PairProducts(ref index, ref weight, hi, 0, (1u << shift) - 1, shift, uint.MaxValue, ref theta, ref bank0, stride);

    /// <summary>
    /// For each pair j: bank[j mod 4][target] += w[j] · source[from], where target and from are the two halves of the
    /// packed index (behaviour above the slot): (index &gt;&gt; shift) &amp; mask for each. The four banks are
    /// <paramref name="stride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PairProducts<T>(ref T index, ref double weight, int count, int targetShift, uint targetMask, int sourceShift, uint sourceMask,
        ref double source, ref double bank0, int stride)
        where T : unmanaged, IBinaryInteger<T>
    {
        nint s1 = stride, s2 = 2 * (nint)stride, s3 = 3 * (nint)stride;
        ref var end = ref Unsafe.Add(ref index, count & ~3);
        while (Unsafe.IsAddressLessThan(ref index, ref end))
        {
            var i0 = uint.CreateTruncating(index);
            var i1 = uint.CreateTruncating(Unsafe.Add(ref index, 1));
            var i2 = uint.CreateTruncating(Unsafe.Add(ref index, 2));
            var i3 = uint.CreateTruncating(Unsafe.Add(ref index, 3));
            Unsafe.Add(ref bank0, (nint)((i0 >> targetShift) & targetMask)) += weight * Unsafe.Add(ref source, (nint)((i0 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i1 >> targetShift) & targetMask) + s1) += Unsafe.Add(ref weight, 1) * Unsafe.Add(ref source, (nint)((i1 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i2 >> targetShift) & targetMask) + s2) += Unsafe.Add(ref weight, 2) * Unsafe.Add(ref source, (nint)((i2 >> sourceShift) & sourceMask));
            Unsafe.Add(ref bank0, (nint)((i3 >> targetShift) & targetMask) + s3) += Unsafe.Add(ref weight, 3) * Unsafe.Add(ref source, (nint)((i3 >> sourceShift) & sourceMask));
            index = ref Unsafe.Add(ref index, 4);
            weight = ref Unsafe.Add(ref weight, 4);
        }
        for (var j = 0; j < (count & 3); j++)
        {
            var i0 = uint.CreateTruncating(Unsafe.Add(ref index, j));
            Unsafe.Add(ref bank0, (nint)((i0 >> targetShift) & targetMask)) += Unsafe.Add(ref weight, j) * Unsafe.Add(ref source, (nint)((i0 >> sourceShift) & sourceMask));
        }
    }

    /// <summary>
    /// float → double without a dependency on the register's previous contents: the plain conversion the JIT emits
    /// (<c>vcvtss2sd x, x, m</c>) merges into its destination and so waits for whatever last wrote it, which chains one
    /// cell's division to the next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Widen(float value) =>
        Sse2.IsSupported ? Sse2.ConvertScalarToVector128Double(Vector128<double>.Zero, Vector128.CreateScalarUnsafe(value)).ToScalar() : value;

    /// <summary>
    /// Pair weights are kept as float (4 bytes) but summed in double. A scalar float-to-double conversion in the loops
    /// would merge into its destination register and chain every pair to the one before; widening the person's weights
    /// in vectors first leaves the loops free of that chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WidenWeights(ref float source, ref double destination, int count)
    {
        var j = 0;
        for (; j + Vector256<float>.Count <= count; j += Vector256<float>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
            lower.StoreUnsafe(ref destination, (nuint)j);
            upper.StoreUnsafe(ref destination, (nuint)(j + Vector256<double>.Count));
        }
        for (; j < count; j++) Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, j);
    }
}
