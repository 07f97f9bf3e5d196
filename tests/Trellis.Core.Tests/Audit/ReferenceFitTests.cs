using System.Globalization;
using System.Text.Json;
using Trellis.Core.Audit;

namespace Trellis.Core.Tests.Audit;

/// <summary>
/// The logistic regression and Fisher's exact test against independent reference numbers: statsmodels and scipy,
/// run once by Reference/reference_fit.py on the committed Reference/drivers.csv (output: Reference/reference.json).
/// </summary>
public sealed class ReferenceFitTests
{
    private static string ReferenceDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Trellis.Core.Tests", "Audit", "Reference");
            if (File.Exists(Path.Combine(candidate, "reference.json"))) return candidate;
        }
        throw new InvalidOperationException("cannot find tests/Trellis.Core.Tests/Audit/Reference above " + AppContext.BaseDirectory);
    }

    private static (double[] results, double[] values, double[] tenure, bool[] promoted) Data()
    {
        var lines = File.ReadAllLines(Path.Combine(ReferenceDir(), "drivers.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return (lines.Select(l => D(l[0])).ToArray(), lines.Select(l => D(l[1])).ToArray(), lines.Select(l => D(l[2])).ToArray(), lines.Select(l => l[3] == "1").ToArray());
    }

    private static JsonElement Reference() => JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceDir(), "reference.json"))).RootElement;

    [Fact]
    public void Logistic_regression_matches_statsmodels_to_four_decimals()
    {
        var (results, values, tenure, promoted) = Data();
        var fit = LogisticRegression.Fit([CultureAudit.Standardise(results)!, CultureAudit.Standardise(values)!, CultureAudit.Standardise(tenure)!], promoted);
        var reference = Reference();
        Assert.Equal(FitStatuses.Ok, fit.Status);
        Assert.Equal(reference.GetProperty("llf").GetDouble(), fit.LogLikelihood, 4);
        string[] names = ["const", "results", "values", "tenure"];
        for (var j = 0; j < names.Length; j++)
        {
            var r = reference.GetProperty("logit").GetProperty(names[j]);
            var c = fit.Coefficients[j];
            Assert.Equal(r.GetProperty("beta").GetDouble(), c.Beta, 4);
            Assert.Equal(r.GetProperty("se").GetDouble(), c.StandardError, 4);
            Assert.Equal(r.GetProperty("p").GetDouble(), c.P, 4);
            Assert.Equal(r.GetProperty("odds_ratio").GetDouble(), c.OddsRatio, 4);
            Assert.Equal(r.GetProperty("ci")[0].GetDouble(), c.CiLow, 4);
            Assert.Equal(r.GetProperty("ci")[1].GetDouble(), c.CiHigh, 4);
            // p-values far in the tail must agree relatively too, not only to 4 decimals.
            Assert.InRange(c.P / r.GetProperty("p").GetDouble(), 0.999, 1.001);
        }
    }

    [Fact]
    public void The_audit_driver_model_reports_the_reference_odds_ratios()
    {
        var (results, values, tenure, promoted) = Data();
        var candidates = Enumerable.Range(0, promoted.Length).Select(i => new AuditCandidate(
            "c1", new DateOnly(2025, 12, 1), $"E{i}", "e2", "e3", promoted[i] ? PromotionOutcomes.Promoted : PromotionOutcomes.NotPromoted,
            results[i], values[i], tenure[i])).ToList();
        var fit = CultureAudit.FitDrivers(candidates, new AuditOptions());
        var logit = Reference().GetProperty("logit");
        Assert.Equal(600, fit.N);
        Assert.Equal(Reference().GetProperty("promoted").GetInt32(), fit.Promoted);
        Assert.Equal(logit.GetProperty("results").GetProperty("odds_ratio").GetDouble(), fit.Results!.OddsRatio, 4);
        Assert.Equal(logit.GetProperty("values").GetProperty("odds_ratio").GetDouble(), fit.Values!.OddsRatio, 4);
        Assert.Equal(logit.GetProperty("tenure").GetProperty("ci")[1].GetDouble(), fit.Tenure!.Ci[1], 4);
        var bv = logit.GetProperty("values").GetProperty("beta").GetDouble();
        var br = logit.GetProperty("results").GetProperty("beta").GetDouble();
        Assert.Equal(Math.Abs(bv) / (Math.Abs(bv) + Math.Abs(br)), fit.SayDoIndex!.Value, 6);
    }

    [Fact]
    public void Fisher_exact_matches_scipy()
    {
        foreach (var item in Reference().GetProperty("fisher").EnumerateArray())
        {
            var t = item.GetProperty("table");
            var p = FisherExact.TwoSided(t[0][0].GetInt32(), t[0][1].GetInt32(), t[1][0].GetInt32(), t[1][1].GetInt32());
            var expected = item.GetProperty("p").GetDouble();
            Assert.Equal(expected, p, 10);
        }
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.959963984540054, 0.05)]
    [InlineData(3.0, 0.0026997960632601866)]
    [InlineData(8.0, 1.2441921148543459e-15)]
    public void Normal_two_sided_p_values_are_exact(double z, double p)
    {
        var actual = NormalDistribution.TwoSidedP(z);
        Assert.InRange(actual / p, 1 - 1e-9, 1 + 1e-9);
    }
}
