using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace Trellis.Evidence;

/// <summary>Small helpers the evidence pages share: reading a colleague picker's value and highlighting warnings.</summary>
public static partial class EvidencePages
{
    [GeneratedRegex(@"\(([^()]+)\)\s*$")]
    private static partial Regex TrailingId();

    /// <summary>The colleague pickers show "Name (ID)"; a bare id typed by hand works too.</summary>
    public static string? EmployeeIdFrom(string? pickerValue)
    {
        if (string.IsNullOrWhiteSpace(pickerValue)) return null;
        var m = TrailingId().Match(pickerValue);
        return (m.Success ? m.Groups[1].Value : pickerValue).Trim();
    }

    public static string PickerValue(string id, string? name) => string.IsNullOrEmpty(name) ? id : $"{name} ({id})";

    /// <summary>A comment with each warning's span wrapped in &lt;mark&gt;, for showing where the problem is.</summary>
    public static IHtmlContent Highlight(string comment, IEnumerable<Core.Feedback.FeedbackWarning> warnings)
    {
        // Only word-level spans are marked; the whole-comment warnings would mark everything.
        var spans = warnings.Where(w => w.Length > 0 && w.Length < comment.Trim().Length)
            .OrderBy(w => w.Start).ToList();
        var builder = new HtmlContentBuilder();
        var at = 0;
        foreach (var w in spans)
        {
            if (w.Start < at) continue;
            builder.Append(comment[at..w.Start]);
            var mark = new TagBuilder("mark");
            mark.Attributes["title"] = w.Message;
            mark.InnerHtml.Append(comment.Substring(w.Start, w.Length));
            builder.AppendHtml(mark);
            at = w.Start + w.Length;
        }
        builder.Append(comment[at..]);
        return builder;
    }
}
