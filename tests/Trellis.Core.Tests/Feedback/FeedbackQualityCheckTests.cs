using Trellis.Core.Feedback;
using static Trellis.Core.Feedback.FeedbackWarningCodes;

namespace Trellis.Core.Tests.Feedback;

public sealed class FeedbackQualityCheckTests
{
    private static readonly FeedbackQualityCheck Check = FeedbackQualityCheck.Default;

    private static List<string> Codes(string comment) => Check.Check(comment).Select(w => w.Code).ToList();

    private static string Span(string comment, FeedbackWarning w) => comment.Substring(w.Start, w.Length);

    [Fact]
    public void A_concrete_behavioural_comment_has_no_warnings()
    {
        const string comment = "In Tuesday's planning meeting she asked who the report was for, and we dropped two fields nobody used.";
        Assert.Empty(Check.Check(comment));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n ")]
    public void An_empty_comment_has_no_warnings(string? comment) => Assert.Empty(Check.Check(comment));

    [Fact]
    public void Generic_praise_is_vague_and_its_span_is_the_phrase()
    {
        const string comment = "Great job!";
        var warnings = Check.Check(comment);
        var praise = Assert.Single(warnings, w => w.Code == GenericPraise);
        Assert.Equal("Great job", Span(comment, praise));
        Assert.Contains(warnings, w => w.Code == TooShort && w.Start == 0 && w.Length == comment.Length);
    }

    [Fact]
    public void A_short_comment_is_too_short_and_a_long_enough_one_is_not()
    {
        Assert.Contains(TooShort, Codes("Fixed the build."));
        Assert.DoesNotContain(TooShort, Codes("During the release she fixed the build in ten minutes and told everyone."));
    }

    [Fact]
    public void A_comment_without_a_situation_marker_is_flagged()
    {
        const string noSituation = "She explained the new caching approach clearly and answered every question people raised.";
        Assert.Equal([NoSituation], Codes(noSituation));
        Assert.Empty(Codes("During the design review she explained the new caching approach and answered every question."));
    }

    [Fact]
    public void A_comment_without_a_verb_of_action_is_flagged()
    {
        const string noAction = "A really dependable colleague in every sprint, always there for the whole team.";
        Assert.Contains(NoAction, Codes(noAction));
        Assert.DoesNotContain(NoAction, Codes("In every sprint she reviewed the pull requests of the whole team within a day."));
        // Regular past tenses not in the list still count as actions; -ed adjectives do not.
        Assert.DoesNotContain(NoAction, Codes("In the retro he mediated between the two teams until they found a compromise."));
        Assert.Contains(NoAction, Codes("In the team he is talented, dedicated and motivated about everything in the product."));
    }

    [Theory]
    [InlineData("In the standup today he explained nothing because he is lazy about the updates.", "is lazy")]
    [InlineData("When we met last week she was arrogant to the new joiner in front of everyone.", "was arrogant")]
    [InlineData("You are so smart, I learned a lot when you walked me through the code yesterday.", "are so smart")]
    [InlineData("He's really rude in meetings and talked over people during the whole planning session.", "’s really rude")]
    public void Trait_words_after_a_linking_word_judge_personality(string comment, string expected)
    {
        comment = comment.Replace("He's", "He’s");
        var warning = Assert.Single(Check.Check(comment), w => w.Code == Personality);
        Assert.Equal(expected, Span(comment, warning));
    }

    [Theory]
    [InlineData("During the outage it was great that she wrote the status updates every thirty minutes.")]
    [InlineData("In the planning session she asked about the smart meter data before we committed to a design.")]
    public void Traits_of_things_or_traits_without_a_linking_word_are_not_personality(string comment) =>
        Assert.DoesNotContain(Personality, Codes(comment));

    [Fact]
    public void Feminine_coded_words_are_flagged_with_their_span()
    {
        const string comment = "In the budget meeting she came across as abrasive and bossy when she pushed back on the plan.";
        var coded = Check.Check(comment).Where(w => w.Code == FeminineCoded).Select(w => Span(comment, w)).ToList();
        Assert.Equal(["abrasive", "bossy"], coded);
    }

    [Fact]
    public void Masculine_coded_stems_match_the_whole_word()
    {
        const string comment = "In the negotiation he was assertive and fearless, and he defended the team's estimate.";
        var coded = Check.Check(comment).Where(w => w.Code == MasculineCoded).Select(w => Span(comment, w)).ToList();
        Assert.Equal(["assertive", "fearless"], coded);
    }

    [Fact]
    public void Stems_removed_for_feedback_do_not_warn_on_ordinary_actions()
    {
        // "led", "decided", "supported", "shared" are gender-coded in job ads but are plain actions in feedback.
        const string comment = "During the incident she led the call, decided to roll back, supported the on-call engineer and shared notes.";
        Assert.Empty(Check.Check(comment));
    }

    [Fact]
    public void Warnings_are_ordered_by_position_and_spans_lie_inside_the_comment()
    {
        const string comment = "Great job in the demo. He is brilliant and so emotional when people ask questions in reviews.";
        var warnings = Check.Check(comment);
        Assert.Equal(warnings.OrderBy(w => w.Start).Select(w => w.Start), warnings.Select(w => w.Start));
        Assert.All(warnings, w => Assert.InRange(w.Start + w.Length, 1, comment.Length));
        Assert.Contains(warnings, w => w.Code == MasculineCoded && Span(comment, w) == "brilliant");
        Assert.Contains(warnings, w => w.Code == FeminineCoded && Span(comment, w) == "emotional");
        Assert.Contains(warnings, w => w.Code == Personality && Span(comment, w) == "is brilliant");
        Assert.Contains(warnings, w => w.Code == Personality && Span(comment, w) == "so emotional");
    }

    [Fact]
    public void Word_lists_parse_comments_blank_lines_and_duplicates()
    {
        var entries = FeedbackWordLists.Parse("# comment\n\nAbrasive\r\nbossy\nabrasive\n");
        Assert.Equal(["abrasive", "bossy"], entries);
        var lists = FeedbackWordLists.LoadEmbedded();
        Assert.Contains("aggress", lists.MasculineCoded);
        Assert.Contains("abrasive", lists.FeminineCoded);
        Assert.DoesNotContain("lead", lists.MasculineCoded);
    }

    [Fact]
    public void Action_forms_cover_regular_inflections()
    {
        var forms = FeedbackQualityCheck.ActionForms(["plan", "write", "clarify", "ask"]);
        foreach (var f in new[] { "planned", "planning", "plans", "writes", "writing", "clarified", "clarifies", "asked", "asking" })
            Assert.Contains(f, forms);
    }
}

public sealed class RaterRelationshipTests
{
    // C1 → M1 → M2 → E1, E2; M1 → E3.
    [Theory]
    [InlineData("E1", "M2", "E1", "M2", "M1", "self")]
    [InlineData("M2", "M1", "E1", "M2", "M1", "manager")]
    [InlineData("M1", "C1", "E1", "M2", "M1", "skip_level")]
    [InlineData("E1", "M2", "M2", "M1", "C1", "report")]
    [InlineData("E2", "M2", "E1", "M2", "M1", "peer")]
    [InlineData("E3", "M1", "E1", "M2", "M1", "other")]
    [InlineData("X1", null, "H1", null, null, "other")]
    public void Relationship_is_derived_from_the_reporting_line(string rater, string? raterManager, string subject, string? subjectManager, string? skip, string expected) =>
        Assert.Equal(expected, RaterRelationship.Derive(rater, raterManager, subject, subjectManager, skip));
}
