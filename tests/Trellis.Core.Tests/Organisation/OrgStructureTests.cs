using FsCheck;
using FsCheck.Xunit;
using Trellis.Core.Organisation;

namespace Trellis.Core.Tests.Organisation;

public sealed class OrgStructureTests
{
    //        0
    //      / | \
    //     1  2  3
    //    / \     \
    //   4   5     6
    //             |
    //             7          8 (alone)
    private static readonly int[] Tree = [-1, 0, 0, 0, 1, 1, 3, 6, -1];

    [Fact]
    public void Counts_direct_and_total_reports_depth_and_chain()
    {
        var org = OrgStructure.Build(Tree);
        Assert.Equal(9, org.Count);
        Assert.Equal([3, 2, 0, 1, 0, 0, 1, 0, 0], Enumerable.Range(0, 9).Select(org.DirectReports));
        Assert.Equal([7, 2, 0, 2, 0, 0, 1, 0, 0], Enumerable.Range(0, 9).Select(org.TotalReports));
        Assert.Equal([0, 1, 1, 1, 2, 2, 2, 3, 0], Enumerable.Range(0, 9).Select(org.Depth));
        Assert.Equal([6, 3, 0], org.ChainOf(7));
        Assert.Empty(org.ChainOf(0));
        Assert.Equal([0, 8], org.Roots.ToArray());
        Assert.Equal([1, 2, 3], org.DirectReportsOf(0).ToArray());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], org.ReportsOf(0).Order());
        Assert.Empty(org.ReportsOf(8));
    }

    [Fact]
    public void Is_above_follows_the_chain_only()
    {
        var org = OrgStructure.Build(Tree);
        Assert.True(org.IsAbove(0, 7));
        Assert.True(org.IsAbove(3, 7));
        Assert.False(org.IsAbove(1, 7));
        Assert.False(org.IsAbove(7, 3));
        Assert.False(org.IsAbove(7, 7));
        Assert.False(org.IsAbove(8, 7));
    }

    [Fact]
    public void Cycles_are_cut_at_their_smallest_member_and_reported()
    {
        // 1 → 2 → 3 → 1 is a cycle; 4 reports into it; 0 is a normal root; 5 manages itself; 6 points outside the array.
        var org = OrgStructure.Build([-1, 2, 3, 1, 3, 5, 99]);
        Assert.Equal([false, true, true, true, false, false, false], Enumerable.Range(0, 7).Select(org.InCycle));
        Assert.Equal(-1, org.ManagerOf(1));
        Assert.Equal(1, org.ManagerOf(3));
        Assert.Equal(3, org.TotalReports(1)); // 3, 2 and 4
        Assert.Equal([3, 1], org.ChainOf(4));
        Assert.Equal([0, 1, 5, 6], org.Roots.ToArray());
        Assert.Equal(-1, org.ManagerOf(5));
        Assert.Equal(-1, org.ManagerOf(6));
    }

    [Fact]
    public void A_hundred_thousand_people_in_one_long_chain_do_not_overflow()
    {
        const int n = 100_000;
        var managers = new int[n];
        for (var i = 0; i < n; i++) managers[i] = i - 1;
        var org = OrgStructure.Build(managers);
        Assert.Equal(n - 1, org.TotalReports(0));
        Assert.Equal(n - 1, org.Depth(n - 1));
        Assert.Equal(n - 1, org.ChainOf(n - 1).Length);
        Assert.True(org.IsAbove(0, n - 1));
    }

    [Fact]
    public void An_empty_organisation_has_no_roots()
    {
        var org = OrgStructure.Build([]);
        Assert.Equal(0, org.Count);
        Assert.Equal(0, org.Roots.Length);
    }

    [Property(MaxTest = 200)]
    public void Totals_equal_the_size_of_the_subtree_and_sum_up(int[] raw)
    {
        var n = raw.Length;
        var managers = raw.Select(m => n == 0 ? -1 : Math.Abs(m % (n + 1)) - 1).ToArray();
        var org = OrgStructure.Build(managers);
        long directSum = 0;
        for (var i = 0; i < n; i++)
        {
            directSum += org.DirectReports(i);
            Assert.Equal(org.ReportsOf(i).Length, org.TotalReports(i));
            Assert.Equal(org.Depth(i), org.ChainOf(i).Length);
            foreach (var c in org.DirectReportsOf(i)) Assert.Equal(i, org.ManagerOf(c));
            foreach (var above in org.ChainOf(i)) Assert.True(org.IsAbove(above, i));
        }
        // Every person except the roots has exactly one manager.
        Assert.Equal(n - org.Roots.Length, directSum);
        Assert.Equal(n, org.Roots.ToArray().Sum(r => org.TotalReports(r) + 1));
    }
}
