using Trellis.Core;

namespace Trellis.Evidence;

/// <summary>
/// The fields a rater writes — rating, comment, visibility — read the same way when feedback is given and when it is
/// changed, so that an edit can never store what giving it would have refused.
/// </summary>
internal static class ObservationFields
{
    public const int MaxCommentLength = 4000;

    public static (int Rating, string? Comment, string Visibility) Read(
        decimal? rating, string? comment, string? visibility, string defaultVisibility, FieldErrors errors)
    {
        var whole = 0;
        if (rating is not { } r) errors.Add("rating", "Choose a rating from 1 to 5.");
        else if (r != decimal.Truncate(r) || r < 1 || r > 5) errors.Add("rating", $"The rating must be a whole number from 1 to 5, not {r}.");
        else whole = (int)r;

        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (text is { Length: > MaxCommentLength })
            errors.Add("comment", $"The comment has {text.Length} characters; the limit is {MaxCommentLength}.");
        // What export writes, import must read back: the import's rule for comments (no NUL) holds here too.
        else if (text is not null && Import.CsvValues.StoredTextProblem(Import.CsvFormats.Observations, "comment", text) is { } bad)
            errors.Add("comment", $"The comment {bad}.");

        var seen = string.IsNullOrWhiteSpace(visibility) ? defaultVisibility : visibility.Trim().ToLowerInvariant();
        if (!Visibilities.All.Contains(seen))
            errors.Add("visibility", $"Visibility must be 'shared' or 'private', not '{visibility}'.");
        return (whole, text, seen);
    }
}
