using Trellis.Core.Organisation;

namespace Trellis.Core.Tests.Organisation;

public sealed class SpanOfControlTests
{
    [Theory]
    [InlineData(13, 2, 6, SpanStatus.OverLimit)]
    [InlineData(12, 2, 6, SpanStatus.AboveRange)]
    [InlineData(7, 2, 6, SpanStatus.AboveRange)]
    [InlineData(6, 2, 6, SpanStatus.Within)]
    [InlineData(2, 2, 6, SpanStatus.Within)]
    [InlineData(1, 2, 6, SpanStatus.BelowRange)]
    [InlineData(0, 2, 6, SpanStatus.BelowRange)]
    public void Classifies_against_the_level_range_and_the_organisation_limit(int direct, int min, int max, SpanStatus expected) =>
        Assert.Equal(expected, SpanOfControl.Classify(direct, new DirectReportsRange(min, max), 12));

    [Fact]
    public void Without_a_known_range_only_the_limit_counts()
    {
        Assert.Equal(SpanStatus.Within, SpanOfControl.Classify(12, null, 12));
        Assert.Equal(SpanStatus.OverLimit, SpanOfControl.Classify(13, null, 12));
    }

    [Fact]
    public void Rows_cover_managers_and_leaders_without_a_team()
    {
        // 0 manages 1..14 (over the limit of 12); 1 manages 15; 2 is a leader level with nobody; 3 is an expert with nobody.
        var managers = new int[16];
        managers[0] = -1;
        for (var i = 1; i <= 14; i++) managers[i] = 0;
        managers[15] = 1;
        var org = OrgStructure.Build(managers);
        var leader = new DirectReportsRange(2, 6);
        var expert = new DirectReportsRange(0, 0);
        var ranges = Enumerable.Range(0, 16).Select(i => (DirectReportsRange?)(i is 0 or 1 or 2 ? leader : expert)).ToArray();

        var rows = SpanOfControl.Compute(org, ranges, 12);
        Assert.Equal([0, 1, 2], rows.Select(r => r.Person));
        Assert.Equal((14, 15, SpanStatus.OverLimit), (rows[0].DirectReports, rows[0].TotalReports, rows[0].Status));
        Assert.Equal((1, 1, SpanStatus.BelowRange), (rows[1].DirectReports, rows[1].TotalReports, rows[1].Status));
        Assert.Equal((0, 0, SpanStatus.BelowRange), (rows[2].DirectReports, rows[2].TotalReports, rows[2].Status));
        Assert.All(rows, r => Assert.Equal(12, r.Limit));

        // An expert with a report is above their range (0..0).
        var line = SpanOfControl.Compute(OrgStructure.Build([-1, 0]), [expert, expert], 12);
        Assert.Equal(SpanStatus.AboveRange, Assert.Single(line).Status);

        // Restricted to some people.
        Assert.Equal([1], SpanOfControl.Compute(org, ranges, 12, [1, 3, 4]).Select(r => r.Person));
        Assert.Throws<ArgumentException>(() => SpanOfControl.Compute(org, ranges.Take(3).ToArray(), 12));
    }
}
