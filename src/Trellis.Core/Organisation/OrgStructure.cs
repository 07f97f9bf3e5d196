namespace Trellis.Core.Organisation;

/// <summary>
/// The reporting structure of an organisation, computed once in O(n) from a parent-index array
/// (<c>managerOf[i]</c> is the index of person i's manager, or -1). Children are kept in one compact
/// array (CSR layout) so that a 100,000-person organisation costs a few arrays of ints.
/// </summary>
/// <remarks>
/// Imports reject manager cycles, but the structure must never hang or overflow on bad data: a cycle is
/// broken by cutting the manager link of its member with the smallest index (deterministic), and every
/// member of the cycle is reported by <see cref="InCycle"/>. Links to an index outside the array or to
/// oneself count as "no manager".
/// </remarks>
public sealed class OrgStructure
{
    private readonly int[] _parent;
    private readonly int[] _childStart;
    private readonly int[] _children;
    private readonly int[] _total;
    private readonly int[] _depth;
    private readonly bool[] _inCycle;
    private readonly int[] _roots;

    private OrgStructure(int[] parent, int[] childStart, int[] children, int[] total, int[] depth, bool[] inCycle, int[] roots)
    {
        _parent = parent;
        _childStart = childStart;
        _children = children;
        _total = total;
        _depth = depth;
        _inCycle = inCycle;
        _roots = roots;
    }

    /// <summary>Number of people.</summary>
    public int Count => _parent.Length;

    /// <summary>The manager of <paramref name="person"/> after cycles are cut, or -1.</summary>
    public int ManagerOf(int person) => _parent[person];

    /// <summary>How many people report to <paramref name="person"/> directly.</summary>
    public int DirectReports(int person) => _childStart[person + 1] - _childStart[person];

    /// <summary>How many people report to <paramref name="person"/> directly or indirectly.</summary>
    public int TotalReports(int person) => _total[person];

    /// <summary>Number of managers above <paramref name="person"/> (0 at the top).</summary>
    public int Depth(int person) => _depth[person];

    /// <summary>True when the person's manager chain, as given, runs in a circle through them.</summary>
    public bool InCycle(int person) => _inCycle[person];

    /// <summary>The direct reports of <paramref name="person"/>, in index order.</summary>
    public ReadOnlySpan<int> DirectReportsOf(int person) =>
        _children.AsSpan(_childStart[person], _childStart[person + 1] - _childStart[person]);

    /// <summary>People with no manager (the tops of the tree), in index order.</summary>
    public ReadOnlySpan<int> Roots => _roots;

    /// <summary>The managers above <paramref name="person"/>, nearest first.</summary>
    public int[] ChainOf(int person)
    {
        var chain = new int[_depth[person]];
        var current = _parent[person];
        for (var k = 0; current >= 0; k++, current = _parent[current]) chain[k] = current;
        return chain;
    }

    /// <summary>True when <paramref name="manager"/> is above <paramref name="person"/> in the reporting line.</summary>
    public bool IsAbove(int manager, int person)
    {
        // Depth bounds the walk: a manager is always shallower than the people below them.
        var current = _parent[person];
        while (current >= 0 && _depth[current] >= _depth[manager])
        {
            if (current == manager) return true;
            current = _parent[current];
        }
        return false;
    }

    /// <summary>Everyone below <paramref name="person"/> (direct and indirect), breadth first.</summary>
    public int[] ReportsOf(int person)
    {
        var result = new int[_total[person]];
        var count = 0;
        foreach (var c in DirectReportsOf(person)) result[count++] = c;
        for (var head = 0; head < count; head++)
            foreach (var c in DirectReportsOf(result[head])) result[count++] = c;
        return result;
    }

    public static OrgStructure Build(ReadOnlySpan<int> managerOf)
    {
        var n = managerOf.Length;
        var parent = new int[n];
        for (var i = 0; i < n; i++)
        {
            var m = managerOf[i];
            parent[i] = m >= 0 && m < n && m != i ? m : -1;
        }

        // Cut cycles: walk up from every unvisited person, marking the path; meeting the path again is a cycle.
        var inCycle = new bool[n];
        var state = new byte[n]; // 0 unvisited, 1 on the current path, 2 done
        var path = new List<int>();
        for (var start = 0; start < n; start++)
        {
            if (state[start] != 0) continue;
            path.Clear();
            var current = start;
            while (current >= 0 && state[current] == 0)
            {
                state[current] = 1;
                path.Add(current);
                current = parent[current];
            }
            if (current >= 0 && state[current] == 1)
            {
                var from = path.LastIndexOf(current);
                var cut = current;
                for (var k = from; k < path.Count; k++)
                {
                    inCycle[path[k]] = true;
                    if (path[k] < cut) cut = path[k];
                }
                parent[cut] = -1;
            }
            foreach (var p in path) state[p] = 2;
        }

        // Children in CSR layout, by a counting sort on the parent.
        var childStart = new int[n + 1];
        for (var i = 0; i < n; i++)
            if (parent[i] >= 0) childStart[parent[i] + 1]++;
        for (var i = 0; i < n; i++) childStart[i + 1] += childStart[i];
        var children = new int[childStart[n]];
        var fill = new int[n];
        for (var i = 0; i < n; i++)
        {
            var p = parent[i];
            if (p >= 0) children[childStart[p] + fill[p]++] = i;
        }

        // Breadth-first order from the roots gives depths; totals accumulate in reverse order.
        var roots = new List<int>();
        var order = new int[n];
        var depth = new int[n];
        var count = 0;
        for (var i = 0; i < n; i++)
            if (parent[i] < 0) { roots.Add(i); order[count++] = i; }
        for (var head = 0; head < count; head++)
        {
            var p = order[head];
            for (var k = childStart[p]; k < childStart[p + 1]; k++)
            {
                var c = children[k];
                depth[c] = depth[p] + 1;
                order[count++] = c;
            }
        }
        var total = new int[n];
        for (var k = n - 1; k >= 0; k--)
        {
            var c = order[k];
            if (parent[c] >= 0) total[parent[c]] += total[c] + 1;
        }
        return new OrgStructure(parent, childStart, children, total, depth, inCycle, roots.ToArray());
    }
}
