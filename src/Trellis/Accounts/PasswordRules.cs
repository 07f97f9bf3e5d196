using System.Collections.Frozen;

namespace Trellis.Accounts;

/// <summary>
/// What a new password must be, after NIST SP 800-63B (5.1.1.2): at least 12 characters, at most 256 (long passphrases
/// welcome, no composition rules, no expiry), not a commonly used password, and not the person's own id or email.
/// The list ships in the assembly (common-passwords.txt, 30,000 entries); a password that is a listed one with digits or
/// symbols around it ("password-123", "!qwerty2024") counts as listed too.
/// </summary>
public static class PasswordRules
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    private static readonly Lazy<FrozenSet<string>> Common = new(LoadList);

    /// <summary>Why the password cannot be used, or null when it can.</summary>
    public static string? Problem(string password, params string?[] personal)
    {
        var length = password.EnumerateRunes().Count();
        if (length < MinLength) return $"the password must have at least {MinLength} characters (a few words make a good one)";
        if (length > MaxLength) return $"the password must have at most {MaxLength} characters";
        var lower = password.ToLowerInvariant();
        if (lower.Distinct().Count() <= 2) return "the password repeats one or two characters; choose one that is harder to guess";
        if (IsCommon(lower)) return "the password is on the list of commonly used passwords; choose one that is harder to guess";
        foreach (var word in personal)
        {
            if (word is { Length: >= 4 } && lower.Contains(word.ToLowerInvariant(), StringComparison.Ordinal))
                return "the password must not contain your employee id or email";
        }
        return null;
    }

    private static bool IsCommon(string lower)
    {
        var list = Common.Value;
        if (list.Contains(lower)) return true;
        // The listed word inside digits and symbols: "password-123" → "password".
        var core = lower.Trim().TrimStart(NotLetters).TrimEnd(NotLetters);
        return core.Length >= 4 && list.Contains(core);
    }

    private static readonly char[] NotLetters = [.. "0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "];

    private static FrozenSet<string> LoadList()
    {
        using var stream = typeof(PasswordRules).Assembly.GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is missing from the assembly");
        using var reader = new StreamReader(stream);
        var words = new List<string>(30_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#') words.Add(line);
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
