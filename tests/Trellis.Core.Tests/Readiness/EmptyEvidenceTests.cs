using Trellis.Core.Readiness;

namespace Trellis.Core.Tests.Readiness;

public sealed class EmptyEvidenceTests
{
    [Fact]
    public void A_fit_without_any_observation_gives_no_scores_instead_of_failing()
    {
        var model = ReadinessModel.Fit(new ObservationTable(4), persons: 3, behaviors: 2, new ReadinessOptions { AsOf = new DateOnly(2026, 6, 30) });
        Assert.Equal(3, model.PersonCount);
    }
}
