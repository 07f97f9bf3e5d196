using System.Globalization;

namespace Trellis.Core.Audit;

// Celebrated versus rewarded: which values the published promotion stories name, next to what predicts promotion.
public static partial class CultureAudit
{
    /// <summary>
    /// Per value, how many published promotion stories name it (and its share of the stories), beside its share of
    /// recognition, with the drivers' reading of what actually predicts promotion (results, values, tenure): what the
    /// organisation celebrates next to what it rewards. Restricted to one cycle when the audit is.
    /// </summary>
    public static CelebratedValues Celebrated(AuditInput input, DriverFit drivers, RecognitionMap recognition)
    {
        var stories = input.Stories.Where(s => input.Cycle is null || s.Cycle == input.Cycle).ToList();
        var keys = input.ValueKeys.Concat(stories.SelectMany(s => s.Values).Distinct().Order(StringComparer.Ordinal).Where(v => !input.ValueKeys.Contains(v))).ToList();
        var recognitionTotal = recognition.Values.Sum(v => v.Count);
        var values = keys.Select(k =>
        {
            var count = stories.Count(s => s.Values.Contains(k));
            var recognised = recognition.Values.FirstOrDefault(v => v.Value == k)?.Count ?? 0;
            return new CelebratedValue(k, count, stories.Count == 0 ? 0 : Math.Round((double)count / stories.Count, 4),
                recognised, recognitionTotal == 0 ? 0 : Math.Round((double)recognised / recognitionTotal, 4));
        }).OrderByDescending(v => v.Stories).ThenBy(v => keys.IndexOf(v.Value)).ToList();
        return new CelebratedValues(stories.Count, values, drivers.Values, drivers.Results, drivers.SayDoIndex, CelebratedReading(stories.Count, values, drivers));
    }

    private static string CelebratedReading(int stories, IReadOnlyList<CelebratedValue> values, DriverFit drivers)
    {
        static string F(double d) => d.ToString("0.00", CultureInfo.InvariantCulture);
        static string Effect(string name, DriverEffect e) =>
            $"{name} (odds ratio {F(e.OddsRatio)} per standard deviation, 95% CI {F(e.Ci[0])}–{F(e.Ci[1])}{(e.Ci[0] <= 1 && e.Ci[1] >= 1 ? ", which includes 1: no clear effect" : "")})";
        var celebrated = stories == 0 ? "No promotion story is published yet, so nothing is celebrated to compare."
            : $"{stories} published {(stories == 1 ? "story names" : "stories name")} most often " +
              string.Join(", ", values.Where(v => v.Stories > 0).Take(3).Select(v => $"{v.Value} ({v.Stories} of {stories})")) + ".";
        var rewarded = drivers.Results is { } results && drivers.Values is { } valuesEffect
            ? $" What predicts promotion: {Effect("results", results)} and {Effect("values", valuesEffect)}."
              + (drivers.SayDoIndex is { } sd ? $" Say–do index {F(sd)}: {(sd < 0.5 ? "promotion rewards results more than the values the stories celebrate." : "promotion rewards the values at least as much as results.")}" : "")
            : $" What predicts promotion is not known yet: the drivers were not fitted ({drivers.Status}){(drivers.Reason is { Length: > 0 } why ? ", as " + why.TrimEnd('.') : "")}.";
        return celebrated + rewarded;
    }
}
