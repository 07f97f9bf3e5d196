using Trellis.Core.Audit;

namespace Trellis.Core.Tests.Audit;

public sealed class TrackReturnTests
{
    private static AuditInput Input(string? cycle) => new()
    {
        AsOf = new DateOnly(2026, 6, 30),
        Cycle = cycle,
        TrackReturns =
        [
            new("E1", "l3", "e3", new DateOnly(2025, 3, 1)),
            new("E2", "l4", "e4", new DateOnly(2025, 11, 20)),
            new("E3", "l3", "e3", new DateOnly(2026, 2, 2)),
            new("E4", "l3", "e3", new DateOnly(2026, 9, 1)), // after the as-of date: not yet
        ],
    };

    [Fact]
    public void Approved_returns_are_counted_per_year_up_to_the_as_of_date()
    {
        var report = CultureAudit.Compute(Input(null));
        Assert.Equal([new TrackReturnYear(2025, 2), new TrackReturnYear(2026, 1)], report.TrackReturns);
    }

    [Fact]
    public void An_audit_of_one_cycle_leaves_returns_outside_cycles_out()
    {
        Assert.Empty(CultureAudit.Compute(Input("2025-H2")).TrackReturns);
    }
}
