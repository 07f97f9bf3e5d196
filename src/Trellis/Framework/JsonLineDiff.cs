using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Trellis.Framework;

/// <summary>A line diff of two framework documents, cut to the changed lines and a few lines of context around them.</summary>
public static class JsonLineDiff
{
    public enum LineKind { Same, Added, Removed, Skipped }

    /// <summary>One line to show; for <see cref="LineKind.Skipped"/>, <see cref="Text"/> says how many unchanged lines are hidden.</summary>
    public sealed record Line(LineKind Kind, int? OldNumber, int? NewNumber, string Text);

    public static IReadOnlyList<Line> Build(string before, string after, int context = 3)
    {
        var model = InlineDiffBuilder.Diff(before, after, ignoreWhiteSpace: false);
        var all = new List<Line>();
        int oldNo = 0, newNo = 0;
        foreach (var piece in model.Lines)
        {
            switch (piece.Type)
            {
                case ChangeType.Inserted: all.Add(new(LineKind.Added, null, ++newNo, piece.Text)); break;
                case ChangeType.Deleted: all.Add(new(LineKind.Removed, ++oldNo, null, piece.Text)); break;
                case ChangeType.Imaginary: break;
                default: all.Add(new(LineKind.Same, ++oldNo, ++newNo, piece.Text)); break;
            }
        }

        // Keep changed lines and their context; collapse every other run of unchanged lines into one marker.
        var keep = new bool[all.Count];
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Kind == LineKind.Same) continue;
            for (var j = Math.Max(0, i - context); j <= Math.Min(all.Count - 1, i + context); j++) keep[j] = true;
        }
        var shown = new List<Line>();
        var hidden = 0;
        for (var i = 0; i < all.Count; i++)
        {
            if (keep[i])
            {
                if (hidden > 0) shown.Add(new(LineKind.Skipped, null, null, $"{hidden} unchanged line{(hidden == 1 ? "" : "s")}"));
                hidden = 0;
                shown.Add(all[i]);
            }
            else hidden++;
        }
        if (hidden > 0 && shown.Count > 0) shown.Add(new(LineKind.Skipped, null, null, $"{hidden} unchanged line{(hidden == 1 ? "" : "s")}"));
        return shown;
    }
}
