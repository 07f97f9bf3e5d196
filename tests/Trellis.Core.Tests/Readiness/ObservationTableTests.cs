using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

public sealed class ObservationTableTests
{
    [Fact]
    public void Append_copies_every_column_after_the_existing_rows_and_grows_as_needed()
    {
        var table = new ObservationTable(1);
        table.Add(0, 1, 2, RelationshipCode.Peer, 3, 100);
        var other = new ObservationTable(4);
        other.Add(4, 5, 6, RelationshipCode.Manager, 5, 200);
        other.Add(7, 8, 9, RelationshipCode.Self, 1, 300);
        table.Append(other);
        Assert.Equal(3, table.Count);
        Assert.Equal([0, 4, 7], table.Subject[..3]);
        Assert.Equal([1, 5, 8], table.Rater[..3]);
        Assert.Equal(new byte[] { 2, 6, 9 }, table.Behavior[..3]);
        Assert.Equal(new byte[] { (byte)RelationshipCode.Peer, (byte)RelationshipCode.Manager, (byte)RelationshipCode.Self }, table.Relationship[..3]);
        Assert.Equal(new byte[] { 3, 5, 1 }, table.Rating[..3]);
        Assert.Equal([100, 200, 300], table.Day[..3]);
        table.Add(10, 11, 0, RelationshipCode.Other, 2, 400);
        Assert.Equal(4, table.Count);
        Assert.Equal(10, table.Subject[3]);
    }

    [Theory]
    [InlineData("self", RelationshipCode.Self)]
    [InlineData("manager", RelationshipCode.Manager)]
    [InlineData("skip_level", RelationshipCode.SkipLevel)]
    [InlineData("other", RelationshipCode.Other)]
    public void TryParse_knows_every_relationship(string text, RelationshipCode expected)
    {
        Assert.True(RelationshipCodes.TryParse(text, out var code));
        Assert.Equal(expected, code);
    }

    [Fact]
    public void TryParse_rejects_an_unknown_relationship()
    {
        Assert.False(RelationshipCodes.TryParse("friend", out _));
    }
}
