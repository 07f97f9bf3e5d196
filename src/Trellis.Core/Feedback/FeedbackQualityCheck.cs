using System.Text.RegularExpressions;

namespace Trellis.Core.Feedback;

/// <summary>One thing to reconsider in a written comment. Warnings inform; they never block saving.</summary>
/// <param name="Code">Stable code: <c>vague_too_short</c>, <c>vague_generic_praise</c>, <c>vague_no_situation</c>,
/// <c>vague_no_action</c>, <c>personality</c>, <c>gender_coded_masculine</c>, <c>gender_coded_feminine</c>.</param>
/// <param name="Message">What is wrong and what to write instead, for the person giving feedback.</param>
/// <param name="Start">Offset of the offending text in the comment (UTF-16 code units, like JavaScript strings).</param>
/// <param name="Length">Length of the offending text; the whole comment for the vague-comment warnings.</param>
public sealed record FeedbackWarning(string Code, string Message, int Start, int Length);

public static class FeedbackWarningCodes
{
    public const string TooShort = "vague_too_short";
    public const string GenericPraise = "vague_generic_praise";
    public const string NoSituation = "vague_no_situation";
    public const string NoAction = "vague_no_action";
    public const string Personality = "personality";
    public const string MasculineCoded = "gender_coded_masculine";
    public const string FeminineCoded = "gender_coded_feminine";
}

/// <summary>
/// Checks written feedback for comments that are vague, that judge personality rather than behaviour, or that
/// use gender-coded wording. Pure and deterministic; the word lists are data files (WordLists/, see SOURCES.md).
/// </summary>
public sealed class FeedbackQualityCheck
{
    /// <summary>Fewer words than this cannot describe a situation, an action and its effect.</summary>
    public const int MinimumWords = 8;

    /// <summary>The check with the word lists that ship with Trellis.</summary>
    public static FeedbackQualityCheck Default { get; } = new(FeedbackWordLists.LoadEmbedded());

    private static readonly Regex Word = new(@"[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant);

    // Words ending in -ed that describe a person rather than report an action they took.
    private static readonly HashSet<string> EdAdjectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "talented", "dedicated", "motivated", "self-motivated", "skilled", "gifted", "detailed", "experienced",
        "organised", "organized", "disorganised", "disorganized", "focused", "focussed", "balanced", "reserved",
        "opinionated", "determined", "respected", "level-headed", "kind-hearted", "big-hearted", "good-natured",
        "reputed", "renowned", "advanced", "sophisticated", "devoted", "learned", "varied", "related",
    };

    // Subjects after which "is/was great" describes a thing, not a person ("it was great", "this is amazing").
    private static readonly HashSet<string> ThingSubjects = new(StringComparer.OrdinalIgnoreCase)
    {
        "it", "this", "that", "which", "there", "what", "everything", "nothing", "something", "work", "result", "outcome",
    };

    // Praise that says nothing without an example: flagged when the comment names neither a situation nor an action.
    private static readonly HashSet<string> PraiseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "supportive", "helpful", "hardworking", "hard-working", "reliable", "dependable", "positive", "proactive", "collaborative",
        "passionate", "friendly", "nice", "great", "amazing", "awesome", "fantastic", "excellent", "wonderful", "outstanding",
        "brilliant", "solid", "dedicated", "committed", "approachable", "easygoing", "easy-going", "pleasant", "lovely", "superb",
    };

    // Nouns for a whole person: "great guy", "lazy developer", "nice person" label someone instead of describing an act.
    private const string PersonNouns =
        @"guys?|gals?|girls?|boys?|persons?|people|blokes?|chaps?|dudes?|man|men|woman|women|lady|ladies|fellows?|humans?|individuals?|" +
        @"colleagues?|co-?workers?|teammates?|team\s+members?|team\s+players?|developers?|engineers?|managers?|leaders?|workers?|employees?|hires?";

    private readonly Regex _personLabel;
    private readonly Regex _sentenceLabel;
    private readonly Regex _masculine;
    private readonly Regex _feminine;
    private readonly Regex _personality;
    private readonly Regex _genericPraise;
    private readonly Regex _situation;
    private readonly HashSet<string> _actionForms;

    public FeedbackQualityCheck(FeedbackWordLists lists)
    {
        _masculine = StemPattern(lists.MasculineCoded);
        _feminine = StemPattern(lists.FeminineCoded);
        _genericPraise = PhrasePattern(lists.GenericPraise);
        _situation = PhrasePattern(lists.SituationMarkers);
        _actionForms = ActionForms(lists.ActionVerbs);
        // A linking word or intensifier, optional modifiers, then a trait: "is lazy", "you're so smart", "such a genius".
        var traits = string.Join('|', lists.Traits.OrderByDescending(t => t.Length).Select(Phrase));
        _personality = new Regex(
            @"(?:\b(?:is|are|am|was|were|be|being|been|seems?|seemed|so|very|too|such)|['’](?:s|re))" +
            @"(?:\s+(?:so|very|really|too|quite|extremely|incredibly|always|just|such|an?|the|kind\s+of|a\s+bit|a\s+little|most|super|truly|genuinely|pretty|rather|somewhat|generally|often|not))*" +
            @"\s+(?:" + traits + @")\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        // An adjective for the whole person before a noun for the person: "a great guy", "such a lazy developer".
        _personLabel = new Regex(
            @"\b(?:(?:so|very|really|super|truly|genuinely|pretty|such|an?|the|absolute|total|real)\s+)*(?:" + traits +
            @"|good|nice|cool|fun|decent|top|solid|helpful|supportive|hard-?working)\s+(?:" + PersonNouns + @")\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        // A trait on its own as a sentence, or a list of them: "Lazy.", "Arrogant and rude.", "Sloppy, careless".
        _sentenceLabel = new Regex(
            @"(?:^|[.!?;]\s*|\n\s*)((?:(?:very|so|really|quite|too|extremely)\s+)?(?:" + traits + @"))(?=\s*(?:[.!?;]|$|(?:,|\s+and|\s+or|\s+but)\s+(?:(?:very|so|really|quite|too|extremely|also|not)\s+)?(?:" + traits + @")\b))",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>All warnings for a comment, ordered by position. An empty or missing comment has none.</summary>
    public IReadOnlyList<FeedbackWarning> Check(string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment)) return [];
        var warnings = new List<FeedbackWarning>();
        var words = Word.Matches(comment).Select(m => m.Value).ToList();
        var whole = TrimmedSpan(comment);

        foreach (Match m in _genericPraise.Matches(comment))
            warnings.Add(new(FeedbackWarningCodes.GenericPraise,
                $"“{m.Value}” is generic praise: say what they did, in which situation, and what it changed.", m.Index, m.Length));

        if (words.Count < MinimumWords)
        {
            warnings.Add(new(FeedbackWarningCodes.TooShort,
                $"The comment has {words.Count} word{(words.Count == 1 ? "" : "s")}: describe the situation, what they did and its effect (at least {MinimumWords} words).",
                whole.Start, whole.Length));
        }
        else
        {
            if (!_situation.IsMatch(comment))
                warnings.Add(new(FeedbackWarningCodes.NoSituation,
                    "The comment names no situation: say when or where you saw it (\"in Tuesday's planning\", \"during the outage\").",
                    whole.Start, whole.Length));
            if (!words.Any(IsActionWord))
                warnings.Add(new(FeedbackWarningCodes.NoAction,
                    "The comment names no action: say what they did (\"asked\", \"wrote\", \"explained\", \"fixed\") rather than what they are like.",
                    whole.Start, whole.Length));
        }

        foreach (Match m in _personality.Matches(comment))
        {
            if (FollowsThingSubject(comment, m.Index)) continue;
            warnings.Add(new(FeedbackWarningCodes.Personality,
                $"“{m.Value.Trim()}” judges the person rather than the behaviour: describe what they did and its effect.", m.Index, m.Length));
        }
        foreach (Match m in _personLabel.Matches(comment))
        {
            if (Overlaps(warnings, FeedbackWarningCodes.Personality, m.Index, m.Length)) continue;
            warnings.Add(new(FeedbackWarningCodes.Personality,
                $"“{m.Value.Trim()}” labels the person rather than describing what they did: say what you saw and its effect.", m.Index, m.Length));
        }
        foreach (Match m in _sentenceLabel.Matches(comment))
        {
            var g = m.Groups[1];
            // "Great!" on its own is empty praise (below), not a judgement of character.
            if (PraiseWords.Contains(g.Value.Split(' ')[^1]) || Overlaps(warnings, FeedbackWarningCodes.Personality, g.Index, g.Length)) continue;
            warnings.Add(new(FeedbackWarningCodes.Personality,
                $"“{g.Value.Trim()}” on its own is a label for the person: describe what they did, when, and its effect.", g.Index, g.Length));
        }

        // Praise with no example: nothing says when they were "supportive" or what they did.
        if (!_situation.IsMatch(comment) && !words.Any(IsActionWord))
        {
            foreach (Match m in Word.Matches(comment))
            {
                if (!PraiseWords.Contains(m.Value) || Overlaps(warnings, FeedbackWarningCodes.GenericPraise, m.Index, m.Length)) continue;
                warnings.Add(new(FeedbackWarningCodes.GenericPraise,
                    $"“{m.Value}” with no example is vague praise: say in which situation, what they did, and what it changed.", m.Index, m.Length));
                break;
            }
        }

        foreach (Match m in _masculine.Matches(comment))
            warnings.Add(new(FeedbackWarningCodes.MasculineCoded,
                $"“{m.Value}” is masculine-coded wording, applied unevenly to men and women: describe the behaviour instead.", m.Index, m.Length));
        foreach (Match m in _feminine.Matches(comment))
            warnings.Add(new(FeedbackWarningCodes.FeminineCoded,
                $"“{m.Value}” is feminine-coded wording, applied unevenly to women and men: describe the behaviour instead.", m.Index, m.Length));

        return warnings.OrderBy(w => w.Start).ThenBy(w => w.Code, StringComparer.Ordinal).ToList();
    }

    private static bool Overlaps(List<FeedbackWarning> warnings, string code, int start, int length) =>
        warnings.Any(w => w.Code == code && w.Start < start + length && start < w.Start + w.Length);

    private bool IsActionWord(string word)
    {
        var w = word.ToLowerInvariant().Replace('’', '\'');
        if (_actionForms.Contains(w)) return true;
        // Regular past tense of verbs not in the list ("mediated", "rehearsed"), but not -ed adjectives ("talented").
        return w.Length >= 5 && w.EndsWith("ed", StringComparison.Ordinal) && !EdAdjectives.Contains(w);
    }

    private static bool FollowsThingSubject(string text, int index)
    {
        var before = text[..index].TrimEnd();
        var start = before.Length;
        while (start > 0 && (char.IsLetterOrDigit(before[start - 1]))) start--;
        var previous = before[start..];
        return ThingSubjects.Contains(previous);
    }

    private static (int Start, int Length) TrimmedSpan(string text)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        var end = text.Length;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return (start, end - start);
    }

    /// <summary>A whole entry, spaces matching any run of white space, hyphens matching a hyphen or nothing.</summary>
    private static string Phrase(string entry) =>
        string.Join(@"\s+", entry.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape));

    private static Regex StemPattern(IEnumerable<string> stems)
    {
        var alternatives = string.Join('|', stems.OrderByDescending(s => s.Length).Select(Phrase));
        // A stem matches at the start of a word and takes the rest of the word with it ("aggress" → "aggressive").
        return new Regex(@"\b(?:" + alternatives + @")[\p{L}'’-]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    private static Regex PhrasePattern(IEnumerable<string> phrases)
    {
        var alternatives = string.Join('|', phrases.OrderByDescending(s => s.Length).Select(Phrase));
        return new Regex(@"\b(?:" + alternatives + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Base forms and their regular inflections: -s, -es, -ies, -ed, -d, -ied, -ing, doubled consonant.</summary>
    internal static HashSet<string> ActionForms(IEnumerable<string> verbs)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in verbs)
        {
            var v = raw.ToLowerInvariant();
            forms.Add(v);
            forms.Add(v + "s");
            forms.Add(v + "es");
            forms.Add(v + "ed");
            forms.Add(v + "ing");
            if (v.EndsWith('e'))
            {
                forms.Add(v + "d");
                forms.Add(v[..^1] + "ing");
            }
            if (v.Length > 2 && v.EndsWith('y') && !"aeiou".Contains(v[^2]))
            {
                forms.Add(v[..^1] + "ied");
                forms.Add(v[..^1] + "ies");
            }
            // Consonant-vowel-consonant endings double the last letter: plan → planned, ship → shipping.
            if (v.Length >= 3 && !"aeiouwxy".Contains(v[^1]) && "aeiou".Contains(v[^2]) && !"aeiou".Contains(v[^3]))
            {
                forms.Add(v + v[^1] + "ed");
                forms.Add(v + v[^1] + "ing");
            }
        }
        return forms;
    }
}

/// <summary>The data the check runs on; <see cref="LoadEmbedded"/> reads the lists that ship with Trellis.</summary>
public sealed record FeedbackWordLists(
    IReadOnlyList<string> MasculineCoded,
    IReadOnlyList<string> FeminineCoded,
    IReadOnlyList<string> Traits,
    IReadOnlyList<string> GenericPraise,
    IReadOnlyList<string> SituationMarkers,
    IReadOnlyList<string> ActionVerbs)
{
    public static FeedbackWordLists LoadEmbedded() => new(
        Read("masculine-coded.txt"), Read("feminine-coded.txt"), Read("traits.txt"),
        Read("generic-praise.txt"), Read("situation-markers.txt"), Read("action-verbs.txt"));

    /// <summary>Entries of one list: trimmed, lower-case, comments and blank lines dropped, duplicates removed.</summary>
    public static IReadOnlyList<string> Parse(string text) =>
        text.Split('\n')
            .Select(l => l.Trim().ToLowerInvariant())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyList<string> Read(string name)
    {
        var resource = "Trellis.Core.Feedback.WordLists." + name;
        using var stream = typeof(FeedbackWordLists).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"word list {resource} is not embedded in Trellis.Core");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
