using Trellis.Core.Feedback;
using static Trellis.Core.Feedback.FeedbackWarningCodes;

namespace Trellis.Core.Tests.Feedback;

/// <summary>
/// Real-world sentences (issue 11's walk found personality labels and empty praise slipping through): each with the
/// warnings it must raise and the ones it must not. Codes: P personality, G generic praise, S too short,
/// M masculine-coded, F feminine-coded.
/// </summary>
public sealed class FeedbackSentenceTableTests
{
    private static readonly Dictionary<string, string> Codes = new()
    {
        ["P"] = Personality, ["G"] = GenericPraise, ["S"] = TooShort, ["M"] = MasculineCoded, ["F"] = FeminineCoded,
    };

    public static TheoryData<string, string, string> Sentences => new()
    {
        // Personality labels.
        { "Lazy.", "P S", "" },
        { "Arrogant and rude.", "P", "" },
        { "He is lazy and never finishes his tickets on time.", "P", "G" },
        { "Great guy, always fun at the team lunch.", "P", "" },
        { "A really nice person to have around the office.", "P", "" },
        { "Such a lazy developer.", "P", "" },
        { "She's so bossy with the juniors in every meeting.", "P F", "G" },
        { "Honestly a toxic colleague to work next to.", "P", "" },
        { "Sloppy, careless.", "P", "" },
        { "He is a genius.", "P M", "" },
        { "Very stubborn.", "P M", "" },
        { "Moody and difficult in planning sessions.", "P F", "" },
        { "Good guy.", "P", "" },
        { "What a team player she is, a great hire.", "P G", "" },
        { "He's brilliant.", "P M", "" },
        { "Really smart engineer who knows the code base.", "P", "" },
        { "Incompetent.", "P S", "" },
        { "A lovely lady on the support desk.", "P", "" },
        { "He is aggressive in code reviews and the juniors stopped asking questions.", "P M", "G" },
        { "She is very emotional in meetings when plans change.", "P F", "G" },
        { "Nice guy but never ships anything on time.", "P", "" },
        { "Just a really decent human.", "P", "" },
        { "Great team player.", "P G", "" },
        // Praise with no example.
        { "Very supportive.", "G S", "P" },
        { "She is always so helpful and supportive to everyone around.", "G F", "P" },
        { "Great job!", "G S", "P" },
        { "Amazing!", "G S", "P" },
        { "Hardworking, reliable and always positive about the future of the team.", "G", "" },
        { "Keep up the good work.", "G", "P" },
        { "A pleasure to work with, very dependable.", "G", "P" },
        { "Outstanding contributor to the team overall.", "G", "P" },
        { "Solid.", "G S", "P" },
        { "Always helpful.", "G S", "P" },
        // Concrete: what they did, when, and what it changed.
        { "In Tuesday's planning meeting she asked who the report was for, and we dropped two fields nobody used.", "", "P G S" },
        { "During the outage he wrote the status updates every thirty minutes, so support always knew what to tell customers.", "", "P G S" },
        { "At the design review she explained the trade-offs of the cache and the team chose the simpler option.", "", "P G S" },
        { "After the launch he stayed to fix the two bugs customers reported and told the team what caused them.", "", "P G S" },
        { "She was supportive when I joined: in my first week she paired with me on the deploy scripts every afternoon.", "", "P G S" },
        { "He was helpful during the incident on Friday, he restarted the queue and posted the timeline.", "", "P G S" },
        { "In the retro he mediated between the two teams until they found a compromise.", "", "P G S" },
        { "It was great to see her lead the release review; she cut the checklist from forty items to twelve.", "", "P G S" },
        { "She led the migration project and wrote the runbook the on-call team still uses.", "", "P G S" },
        { "When the build broke before the release, he found the flaky test and fixed it within the hour.", "", "P G S" },
        { "In our one-to-ones she asks what I want to learn and then gives me work that stretches me.", "", "P G S" },
        { "During the hiring week he interviewed eight candidates and wrote feedback the same day.", "", "P G S" },
        { "At standup she flagged the risk on the payment integration early, which saved us a week.", "", "P G S" },
        // Trait words that describe a thing, not the person.
        { "The strong coffee at the offsite was the only thing keeping us awake.", "", "P G" },
        { "It is nice that the dashboard now loads in two seconds after he rewrote the query.", "", "P G" },
        { "In the review she pointed out that it was too negative for a first-time user.", "", "P G" },
        { "She explained the quiet period before the launch to the new starters in the onboarding session.", "F", "P G" },
        { "Our managers asked her to present the roadmap at the all-hands meeting.", "", "P G" },
        // Short, or coded wording without a label.
        { "Fixed the build.", "S", "P G" },
        { "Thanks!", "S", "P G" },
        { "In the negotiation with the vendor she was assertive and got the price down by a fifth.", "M", "P G" },
    };

    [Theory, MemberData(nameof(Sentences))]
    public void Each_sentence_raises_exactly_the_warnings_it_should(string sentence, string must, string mustNot)
    {
        var raised = FeedbackQualityCheck.Default.Check(sentence).Select(w => w.Code).ToHashSet();
        foreach (var code in must.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            Assert.True(raised.Contains(Codes[code]), $"\"{sentence}\" should raise {Codes[code]}; it raised {string.Join(", ", raised)}");
        foreach (var code in mustNot.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            Assert.False(raised.Contains(Codes[code]), $"\"{sentence}\" should not raise {Codes[code]}; it raised {string.Join(", ", raised)}");
    }

    [Fact]
    public void The_table_holds_at_least_fifty_sentences() => Assert.True(Sentences.Count >= 50);
}
