using Trellis.People;

namespace Trellis.Tests.People;

/// <summary>
/// The directory's in-memory search against its definition, computed here the plain way: every query word begins a
/// word of the id, name, email or title (a word with a digit may also sit anywhere in the id), filters apply, name order.
/// </summary>
public sealed class DirectoryIndexTests
{
    private static readonly string[] Given = ["Anna", "Ann", "Andreas", "José", "Zoë", "Björn", "Łukasz", "Mary-Ann", "Noah", "Nina", "Ana", "Olu"];
    private static readonly string[] Family = ["Smith", "Müller", "O'Brien", "Núñez", "Anand", "Schmidt", "Søren", "Ng", "Andersen", "Lee"];
    private static readonly string[] Titles = ["Senior Engineer", "Engineer", "Analyst", "Head of Sales", "Designer", "Engineering Manager"];
    private static readonly string[] Departments = ["Engineering", "Sales", "Design"];

    private static List<DirectoryIndex.Entry> People(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var id = $"E{random.Next(0, 1_000_000):D6}-{i}";
            var name = $"{Given[random.Next(Given.Length)]} {Family[random.Next(Family.Length)]}";
            return new DirectoryIndex.Entry(id, name, $"{name.Split(' ')[0].ToLowerInvariant()}.{i}@example.test",
                random.Next(5) == 0 ? null : Titles[random.Next(Titles.Length)], Departments[random.Next(Departments.Length)],
                random.Next(2) == 0 ? "expert" : "leader", $"e{random.Next(1, 5)}", random.Next(4) == 0 ? null : $"M{random.Next(10)}",
                random.Next(6) == 0 ? "left" : "active");
        }).ToList();
    }

    private static (int Total, string[] Ids) Reference(List<DirectoryIndex.Entry> people, DirectoryFilter f)
    {
        var status = string.IsNullOrEmpty(f.Status) ? "active" : f.Status;
        var terms = string.IsNullOrWhiteSpace(f.Q) ? null : DirectoryIndex.Words(f.Q).Distinct().ToArray();
        if (terms is { Length: 0 }) return (0, []);
        var matching = people.Where(p =>
                (status == "all" || p.Status == status)
                && (f.Department is null || p.Department == f.Department) && (f.Track is null || p.Track == f.Track)
                && (f.Level is null || p.Level == f.Level) && (f.ManagerId is null || p.ManagerId == f.ManagerId)
                && (terms is null || terms.All(t =>
                    new[] { p.Id, p.Name, p.Email, p.Title }.SelectMany(DirectoryIndex.Words).Any(w => w.StartsWith(t, StringComparison.Ordinal))
                    || (t.Any(char.IsAsciiDigit) && DirectoryIndex.Fold(p.Id).Contains(t, StringComparison.Ordinal)))))
            .OrderBy(p => DirectoryIndex.Fold(p.Name), StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => p.Id).ToArray();
        return (matching.Length, matching.Skip((f.Page - 1) * f.PageSize).Take(f.PageSize).ToArray());
    }

    [Fact]
    public void Searches_and_filters_give_exactly_what_the_definition_gives()
    {
        var people = People(3_000, seed: 7);
        var index = new DirectoryIndex(people);
        var random = new Random(11);
        var words = people.SelectMany(p => new[] { p.Id, p.Name, p.Email, p.Title }.SelectMany(DirectoryIndex.Words)).Distinct().ToArray();
        string Prefix() { var w = words[random.Next(words.Length)]; return w[..random.Next(1, w.Length + 1)]; }
        var queries = new List<DirectoryFilter>
        {
            new(), new(Q: "an"), new(Q: "AN"), new(Q: "jose"), new(Q: "MULLER"), new(Q: "zoe n"), new(Q: "lukasz"), new(Q: "o'brien"),
            new(Q: "mary ann"), new(Q: "00"), new(Q: "7-1"), new(Q: "engineer an", Status: "all"), new(Q: "%"), new(Q: "  "),
            new(Q: "nobody"), new(Q: "a", Page: 3, PageSize: 7), new(Q: "an", Status: "left"), new(Department: "Sales", Track: "leader"),
            new(Q: "e", ManagerId: "M3", Level: "e2"),
        };
        for (var k = 0; k < 300; k++)
            queries.Add(new(Q: random.Next(3) == 0 ? $"{Prefix()} {Prefix()}" : Prefix(),
                Department: random.Next(4) == 0 ? Departments[random.Next(Departments.Length)] : null,
                Status: random.Next(5) switch { 0 => "all", 1 => "left", _ => null },
                Page: random.Next(1, 4), PageSize: random.Next(1, 60)));

        foreach (var f in queries)
        {
            var (total, ids) = index.Find(f);
            var expected = Reference(people, f);
            Assert.True(expected.Total == total, $"{f}: total {total}, expected {expected.Total}");
            Assert.True(expected.Ids.SequenceEqual(ids), $"{f}: [{string.Join(",", ids)}], expected [{string.Join(",", expected.Ids)}]");
        }
    }

    [Fact]
    public void A_search_examines_the_people_its_rarest_word_matches_not_the_whole_organisation()
    {
        var people = People(20_000, seed: 3);
        people.Add(new DirectoryIndex.Entry("Q1", "Quentin Quarrie", "quentin@example.test", "Engineer", "Sales", "expert", "e2", null, "active"));
        people.Add(new DirectoryIndex.Entry("Q2", "Anna Quarrie", "aq@example.test", null, "Sales", "expert", "e2", null, "left"));
        var index = new DirectoryIndex(people);

        var (total, ids, examined) = index.Search(new DirectoryFilter(Q: "engineer quarr", Status: "all"));
        Assert.Equal(1, total);
        Assert.Equal(["Q1"], ids);
        // "quarr" begins two people's words; "engineer" thousands: only the two are looked at.
        Assert.Equal(2, examined);

        // A digit word found inside ids only.
        var (_, _, byId) = index.Search(new DirectoryFilter(Q: "-19999"));
        Assert.Equal(1, byId);
    }
}
