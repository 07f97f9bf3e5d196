using Trellis.Core.Framework;
using Trellis.Data;

namespace Trellis.Demo;

/// <summary>What to generate. <see cref="Today"/> anchors every date; it defaults to the current date for real runs.</summary>
public sealed record DemoOptions(int Employees = DemoOptions.DefaultEmployees, int Seed = DemoOptions.DefaultSeed, DateOnly? Today = null)
{
    public const int DefaultEmployees = 300;
    public const int DefaultSeed = 42;
    public const int MinEmployees = 60;
    public const int MaxEmployees = 100_000;
}

/// <summary>One demo person: the organisation's structure plus the hidden traits their history is drawn from.</summary>
internal sealed class DemoPerson
{
    public int Index;
    public string Id = "";
    public string First = "";
    public string Name = "";
    public string Email = "";
    public string Gender = "";
    public int Manager = -1;
    public readonly List<int> Reports = [];
    /// <summary>0 for individual contributors, 1 for a lead of a team of individuals, and so on up.</summary>
    public int Height;
    public bool IsChief;
    public bool IsDepartmentHead;
    public int Department;
    public string Location = "";
    public string Track = "";
    public string Level = "";
    public string Title = "";
    public DateOnly Hired;
    public DateOnly LevelSince;
    public DateOnly? LeftOn;
    /// <summary>Planted: how far above (or below) their level's expectations this person behaves, on the 1–5 scale.</summary>
    public double ValuesEffect;
    /// <summary>Planted: standardised performance, driving results (correlated weakly with values).</summary>
    public double Performance;
    /// <summary>How generous this person is as a rater (their department's habit included).</summary>
    public double Leniency;
    /// <summary>How much this person inflates their self-ratings.</summary>
    public double SelfInflation;
    /// <summary>Expected observations about this person over the whole history window.</summary>
    public double EvidenceRate;
    public double RecognitionRate;

    public bool Active => LeftOn is null;
    public DateOnly LastDay(DateOnly today) => LeftOn ?? today;
    public string Possessive => Gender switch { "f" => "her", "m" => "his", _ => "their" };
}

/// <summary>A past promotion cycle: one half-year, decided some weeks after it ended.</summary>
internal sealed record DemoCycle(string Name, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DecidedOn);

/// <summary>One printed demo sign-in.</summary>
public sealed record DemoSignIn(string Role, string EmployeeId, string Password, string Name, string Title);

/// <summary>
/// Generates a realistic organisation, deterministically for a seed: structure and people up front, the history
/// (observations, results, recognitions) as streams so that 100,000 people never sit in memory as rows.
/// </summary>
internal sealed class DemoOrganisation
{
    public const string DemoPassword = "trellis-demo";

    /// <summary>The memorable password of each printed sign-in, by role.</summary>
    public static readonly IReadOnlyDictionary<string, string> RolePasswords = new Dictionary<string, string>
    {
        ["admin"] = "trellis-admin",
        ["hr"] = "trellis-people",
        ["committee"] = "trellis-committee",
        ["manager"] = "trellis-manager",
        ["employee"] = "trellis-employee",
    };

    // Kinds of random stream, so that each kind of record draws from its own sequence per person.
    private const int StructureStream = 1, ObservationStream = 2, ResultStream = 3, RecognitionStream = 4, HistoryStream = 5;

    public CareerFramework Framework { get; }
    public DemoOptions Options { get; }
    public DateOnly Today { get; }
    public DateOnly HistoryStart { get; }
    public IReadOnlyList<DemoPerson> People => _people;
    public IReadOnlyList<DemoCycle> Cycles { get; }
    public IReadOnlyList<(string Period, DateOnly Start, DateOnly End)> Periods { get; }
    public IReadOnlyList<PromotionRecord> Promotions => _promotions;
    public IReadOnlyList<Concern> Concerns => _concerns;
    public IReadOnlyList<DemoSignIn> SignIns => _signIns;
    public IReadOnlyDictionary<int, string> SpecialPasswords => _specialPasswords;
    public long ExpectedObservations { get; private set; }
    public long ExpectedRecognitions { get; private set; }

    private readonly List<DemoPerson> _people = [];
    private readonly List<PromotionRecord> _promotions = [];
    private readonly List<Concern> _concerns = [];
    private readonly List<DemoSignIn> _signIns = [];
    private readonly Dictionary<int, string[]> _extraRoles = [];
    private readonly Dictionary<int, string> _specialPasswords = [];
    private readonly string[] _behaviors;
    private readonly Dictionary<string, List<Level>> _trackLevels;
    private readonly string _expertTrack;
    private readonly string _leaderTrack;

    private DemoOrganisation(CareerFramework framework, DemoOptions options)
    {
        if (options.Employees is < DemoOptions.MinEmployees or > DemoOptions.MaxEmployees)
            throw new ArgumentOutOfRangeException(nameof(options), $"--employees must be between {DemoOptions.MinEmployees} and {DemoOptions.MaxEmployees:N0}");
        Framework = framework;
        Options = options;
        Today = options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        _behaviors = framework.Behaviors.Select(b => b.Key).ToArray();
        _trackLevels = framework.Tracks.ToDictionary(t => t.Key, t => t.Levels.OrderBy(l => l.Band).ToList());
        _expertTrack = framework.Tracks.FirstOrDefault(t => !t.IsPeopleLeader)?.Key
            ?? throw new ArgumentException("the framework needs an individual (expert) track for the demo");
        _leaderTrack = framework.Tracks.FirstOrDefault(t => t.IsPeopleLeader)?.Key
            ?? throw new ArgumentException("the framework needs a people-leader track for the demo");
        if (_behaviors.Length == 0) throw new ArgumentException("the framework needs behaviours for the demo");

        // The last four half-years whose promotion decisions are already made; history starts with the first of them.
        var cycles = new List<DemoCycle>();
        for (var (year, half) = (Today.Year, Today.Month <= 6 ? 1 : 2); cycles.Count < 4; (year, half) = half == 1 ? (year - 1, 2) : (year, 1))
        {
            var start = new DateOnly(year, half == 1 ? 1 : 7, 1);
            var end = half == 1 ? new DateOnly(year, 6, 30) : new DateOnly(year, 12, 31);
            var decided = end.AddDays(35);
            if (decided <= Today) cycles.Insert(0, new DemoCycle($"{year}-H{half}", start, end, decided));
        }
        Cycles = cycles;
        HistoryStart = cycles[0].PeriodStart;
        var periods = new List<(string, DateOnly, DateOnly)>();
        for (var (year, half) = (HistoryStart.Year, HistoryStart.Month <= 6 ? 1 : 2); ; (year, half) = half == 2 ? (year + 1, 1) : (year, 2))
        {
            var end = half == 1 ? new DateOnly(year, 6, 30) : new DateOnly(year, 12, 31);
            if (end > Today) break;
            periods.Add(($"{year}-H{half}", new DateOnly(year, half == 1 ? 1 : 7, 1), end));
        }
        Periods = periods;
    }

    public static DemoOrganisation Generate(CareerFramework framework, DemoOptions options)
    {
        var org = new DemoOrganisation(framework, options);
        var rng = DemoRandom.For(options.Seed, StructureStream, 0);
        org.BuildTree(rng);
        org.AssignLevels(rng);
        org.DescribePeople(rng);
        org.PlantPromotionHistory(DemoRandom.For(options.Seed, HistoryStream, 0));
        org.PlantConcerns(DemoRandom.For(options.Seed, HistoryStream, 1));
        org.ChooseSignIns();
        return org;
    }

    // ---------------------------------------------------------------- structure

    private sealed class Node
    {
        public int Parent = -1;
        public readonly List<int> Children = [];
        public int Department = -1;
        public bool Chief, Head, Planted;
        public int Height;
    }

    private List<Node> _nodes = [];

    private int Add(int parent)
    {
        var node = new Node { Parent = parent };
        _nodes.Add(node);
        if (parent >= 0) _nodes[parent].Children.Add(_nodes.Count - 1);
        return _nodes.Count - 1;
    }

    private void BuildTree(DemoRandom rng)
    {
        var n = Options.Employees;
        var departmentCount = Math.Clamp((n - 1) / 15, 3, DemoText.Departments.Length);
        var shares = DemoText.Departments.Take(departmentCount).Select(d => d.Share).ToArray();
        var total = shares.Sum();
        var sizes = shares.Select(s => (int)Math.Floor(s / total * (n - 1))).ToArray();
        for (var i = 0; sizes.Sum() < n - 1; i = (i + 1) % sizes.Length) sizes[i]++;

        var chief = Add(-1);
        _nodes[chief].Chief = true;
        for (var d = 0; d < departmentCount; d++)
        {
            var head = Add(chief);
            _nodes[head].Head = true;
            BuildSubtree(head, sizes[d] - 1, 0, rng);
        }
        ComputeHeights();
        PlantOversizedTeams(rng);
        ComputeHeights();

        // Employee ids follow the reporting lines from the top (E0001 is the chief executive).
        var order = new List<int>(_nodes.Count) { chief };
        for (var i = 0; i < order.Count; i++) order.AddRange(_nodes[order[i]].Children);
        var width = Math.Max(4, n.ToString().Length);
        var position = new int[_nodes.Count];
        for (var i = 0; i < order.Count; i++) position[order[i]] = i;
        foreach (var nodeIndex in order)
        {
            var node = _nodes[nodeIndex];
            var person = new DemoPerson
            {
                Index = position[nodeIndex],
                Id = "E" + (position[nodeIndex] + 1).ToString().PadLeft(width, '0'),
                Manager = node.Parent < 0 ? -1 : position[node.Parent],
                Height = node.Height,
                IsChief = node.Chief,
                IsDepartmentHead = node.Head,
            };
            person.Reports.AddRange(node.Children.Select(c => position[c]));
            _people.Add(person);
        }
        // Departments: everyone belongs to their department head's; the chief executive is counted in Operations when it exists.
        var operations = Array.FindIndex(DemoText.Departments, d => d.Name == "Operations");
        for (var i = 0; i < _people.Count; i++)
        {
            var p = _people[i];
            if (p.IsChief) p.Department = operations < departmentCount ? operations : 0;
            else if (p.IsDepartmentHead) p.Department = _people[0].Reports.IndexOf(i);
            else p.Department = _people[p.Manager].Department;
        }
        _nodes = [];
    }

    private void BuildSubtree(int root, int n, int depth, DemoRandom rng)
    {
        if (n <= 9)
        {
            for (var i = 0; i < n; i++) Add(root);
            return;
        }
        // Senior experts report straight to managers of managers: advancement that needs no team.
        var direct = depth == 0 ? rng.Between(0, 1) : rng.Between(0, 2);
        var m = n - direct;
        var k = Math.Min(rng.Between(3, 7), m / 4);
        if (k + direct < 3) { direct = 3 - k; m = n - direct; k = Math.Min(k, m / 4); }
        var sizes = Enumerable.Repeat(4, k).ToArray();
        var weights = Enumerable.Range(0, k).Select(_ => 0.4 + rng.NextDouble()).ToArray();
        var remainder = m - 4 * k;
        var weightSum = weights.Sum();
        for (var i = 0; i < k; i++) sizes[i] += (int)Math.Floor(remainder * weights[i] / weightSum);
        for (var i = 0; sizes.Sum() < m; i = (i + 1) % k) sizes[i]++;
        for (var i = 0; i < k; i++) BuildSubtree(Add(root), sizes[i] - 1, depth + 1, rng);
        for (var i = 0; i < direct; i++) Add(root);
    }

    private void ComputeHeights()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--) _nodes[i].Height = 0;
        // Children are always added after their parent, so a reverse pass sees every child first.
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (node.Parent >= 0 && _nodes[node.Parent].Height < node.Height + 1) _nodes[node.Parent].Height = node.Height + 1;
        }
    }

    /// <summary>
    /// A couple of teams far too large (31 and 18 people for a default organisation, more in a large one):
    /// the span-of-control view and the culture audit must have something to find.
    /// </summary>
    private void PlantOversizedTeams(DemoRandom rng)
    {
        var n = Options.Employees;
        var planted = new List<int>(n >= 150 ? [31, 18] : n >= 60 ? [18] : [13]);
        for (var i = 0; i < n / 5000; i++) planted.Add(rng.Between(13, 40));
        var leads = Enumerable.Range(0, _nodes.Count).Where(i => _nodes[i].Height == 1 && !_nodes[i].Head && !_nodes[i].Chief).ToList();
        if (leads.Count < 2) return;
        var departmentOf = new int[_nodes.Count];
        var chiefChildren = _nodes[0].Children;
        for (var i = 1; i < _nodes.Count; i++)
            departmentOf[i] = _nodes[i].Head ? chiefChildren.IndexOf(i) : departmentOf[_nodes[i].Parent];
        // Customer Success and Sales first: where oversized teams usually grow.
        var preference = new[] { 2, 1, 0, 4, 7, 3, 5, 6, 8, 9 };
        for (var p = 0; p < planted.Count; p++)
        {
            var wanted = preference[p % preference.Length];
            var candidates = leads.Where(l => !_nodes[l].Planted && departmentOf[l] == wanted).ToList();
            if (candidates.Count == 0) candidates = leads.Where(l => !_nodes[l].Planted).ToList();
            if (candidates.Count == 0) break;
            var target = rng.Pick(candidates);
            _nodes[target].Planted = true;
            // Individual contributors move over from other teams that keep at least three (the same department first);
            // a small organisation also takes from teams that then keep two.
            var pools = new[]
            {
                (Keep: 3, Leads: leads.Where(l => !_nodes[l].Planted && departmentOf[l] == departmentOf[target] && LeafCount(l) > 3).ToList()),
                (Keep: 3, Leads: leads.Where(l => !_nodes[l].Planted && departmentOf[l] != departmentOf[target] && LeafCount(l) > 3).ToList()),
                (Keep: 2, Leads: leads.Where(l => !_nodes[l].Planted && l != target && LeafCount(l) > 2).ToList()),
            };
            while (_nodes[target].Children.Count < planted[p])
            {
                var pool = pools.FirstOrDefault(x => x.Leads.Count > 0);
                if (pool.Leads is null) break;
                var at = rng.Next(pool.Leads.Count);
                var donor = pool.Leads[at];
                var moved = _nodes[donor].Children.Last(c => _nodes[c].Children.Count == 0);
                _nodes[donor].Children.Remove(moved);
                _nodes[moved].Parent = target;
                _nodes[target].Children.Add(moved);
                departmentOf[moved] = departmentOf[target];
                if (LeafCount(donor) <= pool.Keep) pool.Leads.RemoveAt(at);
            }
        }
    }

    private int LeafCount(int node)
    {
        var count = 0;
        foreach (var c in _nodes[node].Children) if (_nodes[c].Children.Count == 0) count++;
        return count;
    }

    // ---------------------------------------------------------------- levels, titles, people

    private Level LeaderLevel(int band) =>
        _trackLevels[_leaderTrack].FirstOrDefault(l => l.Band == band)
        ?? (band < _trackLevels[_leaderTrack][0].Band ? _trackLevels[_leaderTrack][0] : _trackLevels[_leaderTrack][^1]);

    private Level ExpertLevelAtMost(int band, Level wanted) =>
        wanted.Band <= band ? wanted : _trackLevels[_expertTrack].Last(l => l.Band <= Math.Max(band, _trackLevels[_expertTrack][0].Band));

    private void AssignLevels(DemoRandom rng)
    {
        var leaderBands = _trackLevels[_leaderTrack].Select(l => l.Band).ToArray();
        int minLeader = leaderBands.Min(), maxLeader = leaderBands.Max();
        var expert = _trackLevels[_expertTrack];
        // Share of individual contributors per expert level, lowest first (senior experts are plentiful on purpose).
        double[] teamMix = [0.13, 0.30, 0.30, 0.17, 0.08, 0.02];
        double[] seniorMix = [0, 0, 0, 0.45, 0.38, 0.17];

        foreach (var p in _people) // top-down: every manager is placed before their reports
        {
            var managerBand = p.Manager < 0 ? maxLeader : Framework.FindLevel(_people[p.Manager].Level)!.Band;
            if (p.Reports.Count > 0)
            {
                var band = p.IsChief ? maxLeader
                    : p.IsDepartmentHead ? Math.Clamp(minLeader + p.Height, minLeader + 1, maxLeader)
                    : p.Height switch
                    {
                        1 => p.Reports.Count >= 7 || rng.Chance(0.25) ? minLeader + 1 : minLeader,
                        2 => rng.Chance(0.5) ? minLeader + 1 : minLeader + 2,
                        3 => rng.Chance(0.8) ? minLeader + 2 : minLeader + 3,
                        _ => minLeader + 3,
                    };
                var level = LeaderLevel(Math.Min(band, managerBand));
                p.Track = _leaderTrack;
                p.Level = level.Key;
            }
            else
            {
                var senior = p.Manager >= 0 && _people[p.Manager].Height >= 2;
                var mix = senior ? seniorMix : teamMix;
                var index = Math.Min(rng.Weighted(mix), expert.Count - 1);
                var cap = senior ? managerBand : managerBand + 1;
                p.Track = _expertTrack;
                p.Level = ExpertLevelAtMost(cap, expert[index]).Key;
            }
        }
    }

    private void DescribePeople(DemoRandom rng)
    {
        var emails = new HashSet<string>(StringComparer.Ordinal);
        var locations = DemoText.Locations.Select(l => l.Weight).ToArray();
        var teamLocation = new Dictionary<int, string>();
        foreach (var p in _people)
        {
            var g = rng.NextDouble();
            p.Gender = g < 0.46 ? "f" : g < 0.97 ? "m" : "x";
            p.First = rng.Pick(p.Gender switch { "f" => DemoText.FemaleFirst, "m" => DemoText.MaleFirst, _ => DemoText.NeutralFirst });
            var last = rng.Pick(DemoText.Last);
            p.Name = $"{p.First} {last}";
            var local = $"{p.First}.{last}".ToLowerInvariant();
            var email = $"{local}@{DemoText.EmailDomain}";
            for (var k = 2; !emails.Add(email); k++) email = $"{local}{k}@{DemoText.EmailDomain}";
            p.Email = email;

            // Teams mostly sit together; managers of managers anywhere.
            if (p.Reports.Count > 0 && p.Height == 1) teamLocation[p.Index] = DemoText.Locations[rng.Weighted(locations)].Name;
            p.Location = p.Manager >= 0 && teamLocation.TryGetValue(p.Manager, out var home) && rng.Chance(0.85)
                ? home
                : teamLocation.TryGetValue(p.Index, out var own) ? own : DemoText.Locations[rng.Weighted(locations)].Name;

            var department = DemoText.Departments[p.Department].Name;
            p.Title = DemoText.Title(department, p.Level, p.IsChief, p.IsDepartmentHead);

            var tenureDays = p.IsChief ? 3500 : 45 + (int)Math.Min(4300, -Math.Log(1 - rng.NextDouble()) * (1000 + 320 * p.Height));
            p.Hired = Today.AddDays(-tenureDays);

            // About one in eight already works the way the next level asks (a cohort the engine should find ready),
            // and such people tend to be seen: their evidence rate is higher below.
            var aheadOfLevel = rng.Chance(0.12);
            p.ValuesEffect = rng.Normal(0, 0.45) + (aheadOfLevel ? 1.0 : 0);
            p.Performance = 0.3 * p.ValuesEffect / 0.45 + 0.954 * rng.Normal();
            // A lenient department (Sales) and a severe one (Finance): rater effects the engine must correct.
            p.Leniency = rng.Normal(0, 0.3) + department switch { "Sales" => 0.45, "Finance" => -0.3, _ => 0 };
            p.SelfInflation = Math.Max(0, rng.Normal(0.5, 0.3));
            // Very uneven evidence: some people have almost none, a few have a lot.
            p.EvidenceRate = rng.Chance(0.08) ? rng.NextDouble() * 2 : Math.Exp(rng.Normal(Math.Log(aheadOfLevel ? 50 : 30), 0.7));
            p.RecognitionRate = Math.Exp(rng.Normal(Math.Log(2.5), 0.7));

            if (p.Reports.Count == 0 && !p.IsChief && rng.Chance(0.04))
            {
                var from = Max(p.Hired.AddDays(120), HistoryStart.AddDays(60));
                var to = Today.AddDays(-20);
                if (from < to) p.LeftOn = rng.Day(from, to);
            }
        }
        ExpectedObservations = (long)_people.Sum(p => p.EvidenceRate * ActiveFraction(p));
        ExpectedRecognitions = (long)_people.Sum(p => p.RecognitionRate * ActiveFraction(p));
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private double ActiveFraction(DemoPerson p)
    {
        var from = Max(HistoryStart, p.Hired);
        var to = p.LastDay(Today);
        var window = Today.DayNumber - HistoryStart.DayNumber + 1;
        return to < from ? 0 : (to.DayNumber - from.DayNumber + 1) / (double)window;
    }

    // ---------------------------------------------------------------- promotion history

    private Level? Next(Level level) =>
        _trackLevels[Framework.TrackOf(level.Key)!.Key].FirstOrDefault(l => l.Band > level.Band);

    /// <summary>The level a person held before being promoted into <paramref name="level"/>; null at the entry level.</summary>
    private Level? Previous(Level level, DemoRandom rng)
    {
        var track = Framework.TrackOf(level.Key)!.Key;
        var below = _trackLevels[track].LastOrDefault(l => l.Band < level.Band);
        if (track == _leaderTrack)
        {
            // First-line leaders come from the expert level one band below; some managers did too.
            var expertBelow = _trackLevels[_expertTrack].LastOrDefault(l => l.Band == level.Band - 1);
            if (below is null || (expertBelow is not null && rng.Chance(0.2))) return expertBelow;
        }
        return below;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// Every candidate of the past cycles, worked out from today's levels: a person promoted in the window was
    /// promoted once, into their current level. The organisation over-weights results: the odds of
    /// promotion follow results about four times as strongly as values — the culture audit's finding.
    /// </summary>
    private void PlantPromotionHistory(DemoRandom rng)
    {
        var meanTenure = _people.Average(p => (Today.DayNumber - p.Hired.DayNumber) / 365.0);
        var records = new List<(int Cycle, int Person, PromotionRecord Record)>();
        var promotedIn = Enumerable.Repeat(-1, _people.Count).ToArray();
        foreach (var p in _people)
        {
            var current = Framework.FindLevel(p.Level)!;
            // Entry-level people are not yet put forward; the chief executive has nowhere to go.
            if (p.IsChief || current.Key == _trackLevels[_expertTrack][0].Key) continue;
            var readiness = p.Performance + p.ValuesEffect / 0.45;
            var candidacies = Enumerable.Range(0, Cycles.Count)
                .Where(c => p.Hired <= Cycles[c].DecidedOn.AddDays(-180) && (p.LeftOn is not { } left || left >= Cycles[c].DecidedOn))
                .Where(_ => rng.Chance(0.12 + 0.28 * Sigmoid(readiness - 0.5)))
                .ToList();
            if (candidacies.Count == 0) continue;
            var previous = Previous(current, rng);
            var tenure = (Today.DayNumber - p.Hired.DayNumber) / 365.0 - meanTenure;
            var logit = -1.2 + 1.35 * p.Performance + 0.35 * p.ValuesEffect / 0.45 + 0.08 * tenure;
            var promotedAt = previous is not null && rng.Chance(Sigmoid(logit)) ? rng.Pick(candidacies) : -1;
            promotedIn[p.Index] = promotedAt;
            foreach (var c in candidacies)
            {
                var cycle = Cycles[c];
                if (c == promotedAt)
                {
                    records.Add((c, p.Index, new PromotionRecord
                    {
                        Cycle = cycle.Name, EmployeeId = p.Id, DecidedOn = cycle.DecidedOn,
                        FromLevel = previous!.Key, ToLevel = current.Key, Outcome = "promoted",
                    }));
                    continue;
                }
                // Nobody is put forward again in the cycle right after their promotion.
                if (promotedAt >= 0 && c == promotedAt + 1) continue;
                var level = promotedAt >= 0 && c < promotedAt ? previous! : current;
                // Experts are sometimes offered the people-leader level one band up; many of them decline it.
                var leaderOffer = level.Band >= 2 && Framework.TrackOf(level.Key)!.Key == _expertTrack && rng.Chance(0.2)
                    ? _trackLevels[_leaderTrack].FirstOrDefault(l => l.Band == level.Band + 1) : null;
                var target = leaderOffer ?? Next(level);
                if (target is null) continue;
                var r = rng.NextDouble();
                var outcome = leaderOffer is not null
                    ? r < 0.3 ? "declined" : r < 0.42 ? "deferred" : "not_promoted"
                    : r < 0.04 ? "declined" : r < 0.09 ? "deferred" : "not_promoted";
                records.Add((c, p.Index, new PromotionRecord
                {
                    Cycle = cycle.Name, EmployeeId = p.Id, DecidedOn = cycle.DecidedOn,
                    FromLevel = level.Key, ToLevel = target.Key, Outcome = outcome,
                }));
            }
        }
        _promotions.AddRange(records.OrderBy(r => r.Cycle).ThenBy(r => r.Person).Select(r => r.Record));

        foreach (var p in _people)
        {
            p.LevelSince = promotedIn[p.Index] >= 0 ? Cycles[promotedIn[p.Index]].DecidedOn
                : p.Hired >= HistoryStart.AddYears(-1) ? p.Hired
                : rng.Day(p.Hired, HistoryStart.AddDays(-1));
        }
    }

    private void PlantConcerns(DemoRandom rng)
    {
        var count = Math.Max(3, (int)Math.Round(_people.Count * 0.012));
        var categories = DemoText.ConcernCategories;
        double[] categoryWeights = [0.35, 0.12, 0.08, 0.15, 0.12, 0.18];
        var seq = 0;
        string NextId() => $"C{++seq:D5}";
        // One substantiated concern about someone the organisation promoted anyway: a flag for the audit.
        var promoted = _promotions.Where(p => p.Outcome == "promoted").ToList();
        if (promoted.Count > 0)
        {
            var record = rng.Pick(promoted);
            var person = _people.First(p => p.Id == record.EmployeeId);
            _concerns.Add(new Concern
            {
                Id = NextId(), EmployeeId = person.Id, Category = "conduct", Substantiated = true,
                RecordedOn = Max(person.Hired, record.DecidedOn.AddDays(-60)),
            });
        }
        while (_concerns.Count < count)
        {
            var person = _people[1 + rng.Next(_people.Count - 1)];
            var from = Max(HistoryStart, person.Hired);
            var to = person.LastDay(Today);
            if (to < from) continue;
            _concerns.Add(new Concern
            {
                Id = NextId(), EmployeeId = person.Id, Category = categories[rng.Weighted(categoryWeights)],
                Substantiated = rng.Chance(0.35), RecordedOn = rng.Day(from, to),
            });
        }
    }

    // ---------------------------------------------------------------- sign-ins and accounts

    private void ChooseSignIns()
    {
        int? DepartmentHead(string name) =>
            _people[0].Reports.Select(i => (int?)i).FirstOrDefault(i => DemoText.Departments[_people[i!.Value].Department].Name == name);
        bool IsIn(DemoPerson p, string department) => DemoText.Departments[p.Department].Name == department;

        var hr = _people[DepartmentHead("People") ?? _people[0].Reports[^1]];
        var committee = _people[DepartmentHead("Product") ?? DepartmentHead("Engineering")!.Value];
        if (committee == hr) committee = _people[0];
        // The manager: a team lead with a sane, active team (in Engineering when there is one); the employee: in that team.
        var manager = _people
            .Where(p => p.Active && p.Reports.Count(r => _people[r].Active && _people[r].Reports.Count == 0) >= 2 && p != hr && p != committee && !p.IsChief)
            .OrderBy(p => p.Height == 1 && p.Reports.Count is >= 4 and <= 8 ? 0 : p.Height == 1 ? 1 : 2)
            .ThenBy(p => IsIn(p, "Engineering") ? 0 : 1)
            .ThenBy(p => p.Index)
            .First();
        var employee = manager.Reports.Select(i => _people[i])
            .Where(p => p.Active && p.Reports.Count == 0)
            .OrderByDescending(p => p.Level is "e2" or "e3").ThenByDescending(p => p.EvidenceRate).ThenBy(p => p.Index).First();
        var admin = _people
            .Where(p => p.Active && p.Reports.Count == 0 && p != employee && p.Manager != manager.Index)
            .OrderBy(p => IsIn(p, "Operations") ? 0 : 1)
            .ThenByDescending(p => Framework.FindLevel(p.Level)!.Band)
            .ThenBy(p => p.Index)
            .First();

        void SignIn(string role, DemoPerson p)
        {
            _signIns.Add(new DemoSignIn(role, p.Id, RolePasswords[role], p.Name, p.Title));
            _specialPasswords[p.Index] = RolePasswords[role];
            _extraRoles[p.Index] = _extraRoles.TryGetValue(p.Index, out var roles) ? [.. roles, role] : [role];
        }
        // The chief executive and the department heads sit on the promotion committee.
        foreach (var leader in _people[0].Reports.Prepend(0).Where(i => i != hr.Index && i != manager.Index))
            _extraRoles[leader] = ["committee"];
        SignIn("admin", admin);
        SignIn("hr", hr);
        SignIn("committee", committee);
        SignIn("manager", manager);
        SignIn("employee", employee);
    }

    /// <summary>Roles of a person's account: employee always, manager with an active team, plus planted roles.</summary>
    public string[] RolesOf(DemoPerson p)
    {
        var roles = new List<string> { "employee" };
        if (p.Reports.Any(r => _people[r].Active)) roles.Add("manager");
        if (_extraRoles.TryGetValue(p.Index, out var extra)) roles.AddRange(extra);
        return [.. roles.Distinct()];
    }

    // ---------------------------------------------------------------- rows

    public IEnumerable<Employee> Employees() => _people.Select(p => new Employee
    {
        Id = p.Id, Name = p.Name, Email = p.Email, ManagerId = p.Manager < 0 ? null : _people[p.Manager].Id,
        Department = DemoText.Departments[p.Department].Name, Location = p.Location, Title = p.Title,
        Track = p.Track, Level = p.Level, HireDate = p.Hired, LevelSince = p.LevelSince,
        Status = p.Active ? EmployeeStatus.Active : EmployeeStatus.Left, Gender = p.Gender,
    });

    private static bool ActiveOn(DemoPerson p, DateOnly day) => p.Hired <= day && (p.LeftOn is not { } left || left >= day);

    /// <summary>
    /// Behaviour observations over the history window: each rating is the person's planted true level for the
    /// behaviour, plus the rater's leniency (and self-inflation), plus noise, rounded and clamped to 1–5.
    /// </summary>
    public IEnumerable<Observation> Observations()
    {
        long seq = 0;
        double[] relationshipWeights = [0.12, 0.28, 0.34, 0.14, 0.08, 0.04];
        string[] relationships = ["self", "manager", "peer", "report", "skip_level", "other"];
        var weights = new double[relationshipWeights.Length];
        var truth = new double[_behaviors.Length];
        var person = new List<Observation>();
        foreach (var p in _people)
        {
            foreach (var o in person) yield return o;
            person.Clear();
            var rng = DemoRandom.For(Options.Seed, ObservationStream, p.Index);
            var expectations = Framework.FindLevel(p.Level)!.Expectations;
            for (var b = 0; b < _behaviors.Length; b++)
                truth[b] = Math.Clamp((expectations.TryGetValue(_behaviors[b], out var e) ? e : 3) + p.ValuesEffect + rng.Normal(0, 0.35), 1, 5);
            var count = rng.Poisson(p.EvidenceRate * ActiveFraction(p));
            var from = Max(HistoryStart, p.Hired);
            var to = p.LastDay(Today);
            var manager = p.Manager >= 0 ? _people[p.Manager] : null;
            var skip = manager is { Manager: >= 0 } ? _people[manager.Manager] : null;
            var peers = manager?.Reports;
            relationshipWeights.CopyTo(weights, 0);
            if (manager is null) weights[1] = 0;
            if (peers is null || peers.Count < 2) weights[2] = 0;
            if (p.Reports.Count == 0) weights[3] = 0;
            if (skip is null) weights[4] = 0;
            for (var k = 0; k < count; k++)
            {
                var day = rng.Day(from, to);
                int relationship;
                DemoPerson rater;
                // Raters must have been there on the day; after a few misses the person rates themself.
                for (var attempt = 0; ; attempt++)
                {
                    relationship = rng.Weighted(weights);
                    rater = relationship switch
                    {
                        1 => manager!,
                        2 => _people[peers![rng.Next(peers.Count)]],
                        3 => _people[p.Reports[rng.Next(p.Reports.Count)]],
                        4 => skip!,
                        5 => _people[rng.Next(_people.Count)],
                        _ => p,
                    };
                    if (relationship == 0 || (rater != p && ActiveOn(rater, day))) break;
                    if (attempt == 3) { rater = p; relationship = 0; break; }
                }
                var behavior = rng.Next(_behaviors.Length);
                var bias = relationship switch
                {
                    0 => p.SelfInflation,
                    2 => rater.Leniency + 0.1,
                    3 => rater.Leniency + 0.15,
                    4 => rater.Leniency - 0.05,
                    _ => rater.Leniency,
                };
                var rating = (int)Math.Clamp(Math.Round(truth[behavior] + bias + rng.Normal(0, 0.55)), 1, 5);
                string? comment = null;
                if (relationship != 0 && rng.Chance(0.22))
                {
                    var project = rng.Pick(DemoText.Projects);
                    if (rng.Chance(0.15))
                        comment = DemoText.Fill(rng.Pick(DemoText.VagueComments), p.First, p.Possessive, project);
                    else if (DemoText.Comments.TryGetValue(_behaviors[behavior], out var byRating))
                        comment = DemoText.Fill(rng.Pick(byRating[rating >= 4 ? 0 : rating == 3 ? 1 : 2]), p.First, p.Possessive, project);
                }
                person.Add(new Observation
                {
                    Id = $"O{++seq:D8}", SubjectId = p.Id, RaterId = rater.Id, Relationship = relationships[relationship],
                    Behavior = _behaviors[behavior], Rating = rating, ObservedOn = day, Comment = comment,
                    Visibility = rng.Chance(0.07) ? "private" : "shared",
                });
            }
            ReleaseAsTheyArrived(person, Framework.Rules.AnonymityThreshold);
        }
        foreach (var o in person) yield return o;
    }

    /// <summary>
    /// History as if it had arrived day by day: each row is marked released when the app would have released it
    /// (<see cref="Core.Feedback.FeedbackBatches"/>), and anonymous feedback of a batch not yet complete stays held back.
    /// </summary>
    private static void ReleaseAsTheyArrived(List<Observation> rows, int threshold)
    {
        var arrival = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].ObservedOn).ToArray();
        var releasedBy = Core.Feedback.FeedbackBatches.ReleasedBy(
            arrival.Select(i => (rows[i].RaterId, rows[i].Relationship, rows[i].Behavior)).ToList(), threshold);
        for (var k = 0; k < arrival.Length; k++)
            if (releasedBy[k] >= 0)
                rows[arrival[k]].ReleasedAt = new DateTimeOffset(rows[arrival[releasedBy[k]]].ObservedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }

    /// <summary>Results per half-year (3 = fully met), driven by planted performance; most people meet the bar, about one in five does not.</summary>
    public IEnumerable<ResultRecord> Results()
    {
        foreach (var p in _people)
        {
            var rng = DemoRandom.For(Options.Seed, ResultStream, p.Index);
            var lift = DemoText.Departments[p.Department].Name == "Sales" ? 0.1 : 0;
            foreach (var (period, _, end) in Periods)
            {
                if (p.Hired > end.AddDays(-60) || (p.LeftOn is { } left && left < end)) continue;
                var score = Math.Clamp(3.55 + 0.6 * p.Performance + lift + rng.Normal(0, 0.35), 1, 5);
                yield return new ResultRecord { EmployeeId = p.Id, Period = period, PeriodEnd = end, Score = Math.Round(score, 1) };
            }
        }
    }

    /// <summary>Kudos tied to a value (and often a behaviour); departments celebrate different values.</summary>
    public IEnumerable<Recognition> Recognitions()
    {
        long seq = 0;
        var values = Framework.Values.ToArray();
        var baseWeights = values.Select(v => v.Key switch
        {
            "ownership" => 0.30, "craft" => 0.24, "we-over-me" => 0.20, "curiosity" => 0.16, "care-for-people" => 0.10, _ => 0.15,
        }).ToArray();
        var weights = new double[values.Length];
        foreach (var p in _people)
        {
            var rng = DemoRandom.For(Options.Seed, RecognitionStream, p.Index);
            var count = rng.Poisson(p.RecognitionRate * ActiveFraction(p));
            var from = Max(HistoryStart, p.Hired);
            var to = p.LastDay(Today);
            var department = DemoText.Departments[p.Department].Name;
            for (var v = 0; v < values.Length; v++)
                weights[v] = baseWeights[v] * (department, values[v].Key) switch
                {
                    ("Engineering", "craft") => 1.8, ("Sales", "ownership") => 1.8, ("Customer Success", "care-for-people") => 2.5, _ => 1,
                };
            var peers = p.Manager >= 0 ? _people[p.Manager].Reports : null;
            for (var k = 0; k < count; k++)
            {
                var day = rng.Day(from, to);
                DemoPerson PickRecipient()
                {
                    var r = rng.NextDouble();
                    if (r < 0.45 && peers is { Count: > 1 }) return _people[peers[rng.Next(peers.Count)]];
                    if (r < 0.60 && p.Reports.Count > 0) return _people[p.Reports[rng.Next(p.Reports.Count)]];
                    if (r < 0.70 && p.Manager >= 0) return _people[p.Manager];
                    return _people[rng.Next(_people.Count)];
                }
                var recipient = PickRecipient();
                // People who live the values get noticed more often.
                if (!rng.Chance(Sigmoid(2 * recipient.ValuesEffect / 0.45))) recipient = PickRecipient();
                if (recipient == p || !ActiveOn(recipient, day)) continue;
                var value = values[rng.Weighted(weights)];
                var behavior = value.Behaviors.Count > 0 && rng.Chance(0.6) ? value.Behaviors[rng.Next(value.Behaviors.Count)].Key : null;
                string? message = null;
                if (rng.Chance(0.85) && DemoText.RecognitionMessages.TryGetValue(value.Key, out var templates))
                    message = rng.Pick(templates).Replace("{0}", recipient.First).Replace("{1}", rng.Pick(DemoText.Projects));
                yield return new Recognition
                {
                    Id = $"R{++seq:D7}", FromId = p.Id, ToId = recipient.Id, Value = value.Key, Behavior = behavior, Message = message, GivenOn = day,
                };
            }
        }
    }
}
