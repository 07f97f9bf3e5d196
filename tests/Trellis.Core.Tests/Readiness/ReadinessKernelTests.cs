using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

/// <summary>
/// The engine's stateless kernels (ReadinessModel.Kernels.cs and the component update), tested directly against
/// plain reference loops: the model tests only see them through a whole fit.
/// </summary>
public sealed class ReadinessKernelTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(256, 8)]
    [InlineData(257, 9)]
    [InlineData(1 << 24, 24)]
    public void PersonShift_is_the_bits_the_largest_slot_number_needs(int slots, int bits) =>
        Assert.Equal(bits, ReadinessModel.PersonShift(slots));

    [Fact]
    public void NextBehaviour_visits_the_rated_behaviours_in_order_by_mask_and_by_scan_alike()
    {
        var random = new Random(7);
        foreach (var nb in new[] { 1, 5, 63, 64 })
            for (var trial = 0; trial < 50; trial++)
            {
                var weights = new long[3 * nb];
                ulong mask = 0;
                var row = 1; // the slot's row in the pair weights
                var expected = new List<int>();
                for (var b = 0; b < nb; b++)
                    if (random.Next(3) == 0)
                    {
                        weights[row * nb + b] = random.Next(1, 1000);
                        mask |= 1UL << b;
                        expected.Add(b);
                    }
                // Neighbouring rows hold other slots' weights, which the scan must not read into.
                weights[0] = weights[^1] = 5;
                Assert.Equal(expected, Visit(useMask: true, mask, weights, row * nb, nb));
                Assert.Equal(expected, Visit(useMask: false, mask, weights, row * nb, nb));
            }
    }

    private static List<int> Visit(bool useMask, ulong mask, long[] weights, int offset, int nb)
    {
        var visited = new List<int>();
        for (var b = -1; ReadinessModel.NextBehaviour(useMask, ref mask, weights, offset, nb, ref b);) visited.Add(b);
        return visited;
    }

    [Fact]
    public void SortSlots_orders_keys_like_the_library_sort_by_rank_and_beyond_48()
    {
        var random = new Random(11);
        for (var count = 0; count <= 120; count++)
        {
            // Distinct (rater << 32 | slot) keys, as a person's slots are: raters distinct, including large ids.
            var raters = Enumerable.Range(0, count).Select(_ => random.Next(0, int.MaxValue)).Distinct().ToArray();
            var keys = raters.Select((r, slot) => ((long)r << 32) | (uint)slot).ToArray();
            var sorted = new long[Math.Max(keys.Length, 1)];
            ReadinessModel.SortSlots(keys, sorted, keys.Length);
            var expected = keys.Order().ToArray();
            Assert.Equal(expected, sorted.AsSpan(0, keys.Length).ToArray());
        }
    }

    [Fact]
    public void Widen_and_WidenWeights_convert_exactly()
    {
        var random = new Random(3);
        foreach (var count in new[] { 0, 1, 7, 8, 9, 33 })
        {
            var source = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 10)).ToArray();
            var destination = new double[count + 1];
            destination[^1] = -1;
            if (count > 0) ReadinessModel.WidenWeights(ref source[0], ref destination[0], count);
            for (var j = 0; j < count; j++)
            {
                Assert.Equal((double)source[j], destination[j]);
                Assert.Equal((double)source[j], ReadinessModel.Widen(source[j]));
            }
            Assert.Equal(-1, destination[^1]); // nothing written past the count
        }
    }

    [Fact]
    public void Widen4_Narrow4_and_Sum4_are_the_scalar_operations_lane_by_lane()
    {
        float[] source = [1.5f, -2.25f, 3.1f, 1e-7f];
        var wide = ReadinessModel.Widen4(ref source[0]);
        for (var i = 0; i < 4; i++) Assert.Equal((double)source[i], wide.GetElement(i));
        var narrow = new float[5];
        ReadinessModel.Narrow4(Vector256.Create(0.1, 0.2, 0.3, 0.4), ref narrow[0]);
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f, 0f], narrow);
        // The fixed order (a + b) + (c + d): with these values another order would round differently.
        var v = Vector256.Create(1e16, 1.0, -1e16, 1.0);
        Assert.Equal((1e16 + 1.0) + (-1e16 + 1.0), ReadinessModel.Sum4(v));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 3)]
    [InlineData(13, 5)]
    [InlineData(200, 40)]
    public void Gather_and_scatter_pair_products_match_a_plain_loop(int pairs, int slots)
    {
        const int nb = 10;
        var random = new Random(pairs * 31 + slots);
        var shift = ReadinessModel.PersonShift(slots);
        var index = new ushort[pairs];
        var weight = new double[pairs];
        for (var j = 0; j < pairs; j++)
        {
            index[j] = (ushort)((random.Next(nb) << shift) | random.Next(slots));
            weight[j] = random.NextDouble();
        }
        var slotEffect = Enumerable.Range(0, slots).Select(_ => random.NextDouble() - 0.5).ToArray();
        var theta = Enumerable.Range(0, nb).Select(_ => random.NextDouble() * 4 + 1).ToArray();

        // Gather: Σw·b[slot] per behaviour, in four banks of nb.
        var cellBanks = new double[4 * nb];
        var expectedCells = new double[nb];
        for (var j = 0; j < pairs; j++) expectedCells[index[j] >> shift] += weight[j] * slotEffect[index[j] & ((1 << shift) - 1)];
        ReadinessModel.GatherPairs(ref MemoryMarshal.GetArrayDataReference(index), ref MemoryMarshal.GetArrayDataReference(weight), pairs, shift,
            ref slotEffect[0], ref cellBanks[0], nb);
        for (var b = 0; b < nb; b++)
            Assert.Equal(expectedCells[b], cellBanks[b] + cellBanks[nb + b] + cellBanks[2 * nb + b] + cellBanks[3 * nb + b], 12);

        // Scatter: Σw·θ[behaviour] per slot, in four banks of the slot count.
        var slotBanks = new double[4 * slots];
        var expectedSlots = new double[slots];
        for (var j = 0; j < pairs; j++) expectedSlots[index[j] & ((1 << shift) - 1)] += weight[j] * theta[index[j] >> shift];
        ReadinessModel.ScatterPairs(ref MemoryMarshal.GetArrayDataReference(index), ref MemoryMarshal.GetArrayDataReference(weight), pairs, shift,
            ref theta[0], ref slotBanks[0], slots);
        for (var t = 0; t < slots; t++)
            Assert.Equal(expectedSlots[t], slotBanks[t] + slotBanks[slots + t] + slotBanks[2 * slots + t] + slotBanks[3 * slots + t], 12);
    }

    [Fact]
    public void PairProducts_puts_consecutive_pairs_in_rotating_banks()
    {
        // Five pairs all on behaviour 0 from slot 0: pairs 0 and 4 go to bank 0, pairs 1, 2, 3 to banks 1, 2, 3.
        uint[] index = [0, 0, 0, 0, 0];
        double[] weight = [1, 2, 3, 4, 5];
        double[] source = [10];
        var banks = new double[4];
        ReadinessModel.PairProducts(ref index[0], ref weight[0], 5, 0, uint.MaxValue, 0, uint.MaxValue, ref source[0], ref banks[0], 1);
        Assert.Equal([60.0, 20, 30, 40], banks);
    }

    [Fact]
    public void Component_is_the_ratio_of_squares_to_effective_count_with_a_weak_prior_and_a_floor()
    {
        // (Σ effect² + 4 · prior) / (effective count + 4).
        Assert.Equal((10.0 + 4 * 0.25) / (100 + 4), ReadinessModel.Component(10, 100, 0.25), 15);
        // No effects: the prior alone.
        Assert.Equal(0.05, ReadinessModel.Component(0, 0, 0.05), 15);
        // Thousands of effects outweigh the prior.
        Assert.Equal(0.3, ReadinessModel.Component(0.3 * 1e6, 1e6, 0.1), 5);
        // Never below the floor.
        Assert.Equal(1e-4, ReadinessModel.Component(0, 1e9, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(33)]
    public void The_inverse_from_the_Cholesky_factor_is_the_inverse_and_leaves_the_padding_zero(int n)
    {
        // Up to 16 columns the row combinations keep their sums in registers; beyond, the general loop: both checked
        // against solving P·x = e_j column by column.
        var random = new Random(n);
        var b = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j <= i; j++)
            {
                double v = i == j ? n : 0;
                for (var m = 0; m < n; m++) v += b[i * n + m] * b[j * n + m];
                a[i * n + j] = v;
            }
        Assert.True(ReadinessModel.Cholesky(a, n));
        var stride = (n + 3) & ~3;
        var lowerInverse = new double[n * stride];
        var inverse = new double[n * stride];
        // Twice: the second call must not depend on what the first left behind.
        ReadinessModel.InverseFromCholesky(a, n, lowerInverse, inverse, stride);
        ReadinessModel.InverseFromCholesky(a, n, lowerInverse, inverse, stride);
        for (var j = 0; j < n; j++)
        {
            var column = new double[n];
            column[j] = 1;
            ReadinessModel.CholeskySolve(a, n, column);
            for (var i = 0; i < n; i++) Assert.Equal(column[i], inverse[i * stride + j], 12);
            for (var i = n; i < stride; i++) Assert.Equal(0.0, inverse[j * stride + i]);
            for (var i = j + 1; i < stride; i++) Assert.Equal(0.0, lowerInverse[j * stride + i]);
        }
    }

    [Fact]
    public void Cholesky_solves_a_symmetric_positive_definite_system_and_refuses_an_indefinite_one()
    {
        var random = new Random(5);
        foreach (var n in new[] { 1, 2, 10, 33 })
        {
            // A = B·Bᵀ + n·I, only its lower triangle filled in (all the factorisation reads).
            var b = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var a = new double[n * n];
            var full = new double[n * n];
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                {
                    double v = i == j ? n : 0;
                    for (var m = 0; m < n; m++) v += b[i * n + m] * b[j * n + m];
                    full[i * n + j] = v;
                    if (j <= i) a[i * n + j] = v;
                }
            var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
            var rhs = new double[n];
            for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) rhs[i] += full[i * n + j] * x[j];
            Assert.True(ReadinessModel.Cholesky(a, n));
            ReadinessModel.CholeskySolve(a, n, rhs);
            for (var i = 0; i < n; i++) Assert.Equal(x[i], rhs[i], 10);
        }
        double[] indefinite = [1, 0, 2, 1]; // [[1, 2], [2, 1]]: eigenvalues 3 and −1
        Assert.False(ReadinessModel.Cholesky(indefinite, 2));
    }
}
