using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>
/// The one-click framework changes HR makes from the framework pages (move, retire, restore, remove a value,
/// behaviour or level): each becomes one new framework version through <see cref="FrameworkHistory.ApplyAsync"/>,
/// the same path as the API, with the same checks, audit-log entry and 409 on a stale version.
/// </summary>
public static class FrameworkPageActions
{
    public const string MoveValue = "move-value", RetireValue = "retire-value", RemoveValue = "remove-value";
    public const string MoveBehavior = "move-behavior", RetireBehavior = "retire-behavior", RestoreBehavior = "restore-behavior", RemoveBehavior = "remove-behavior";
    public const string RemoveLevel = "remove-level";

    /// <summary>Runs one action; null when <paramref name="action"/> is not one of the actions above.</summary>
    public static Task<FrameworkWrite>? RunAsync(FrameworkHistory history, string? action, string key, int? position, int? baseVersion,
        string by, DateOnly today, CancellationToken ct)
    {
        (Func<CareerFramework, FrameworkEditResult?> Edit, string What, string Audit)? plan = action switch
        {
            MoveValue => (f => FrameworkEdits.MoveValue(f, key, position ?? 1), "value", "framework.value_moved"),
            RetireValue => (f => FrameworkEdits.RetireValue(f, key, today), "value", "framework.value_retired"),
            RemoveValue => (f => FrameworkEdits.RemoveValue(f, key), "value", "framework.value_removed"),
            MoveBehavior => (f => FrameworkEdits.MoveBehavior(f, key, position ?? 1), "behaviour", "framework.behavior_moved"),
            RetireBehavior => (f => FrameworkEdits.RetireBehavior(f, key, today), "behaviour", "framework.behavior_retired"),
            RestoreBehavior => (f => FrameworkEdits.RestoreBehavior(f, key), "behaviour", "framework.behavior_restored"),
            RemoveBehavior => (f => FrameworkEdits.RemoveBehavior(f, key), "behaviour", "framework.behavior_removed"),
            RemoveLevel => (f => FrameworkEdits.RemoveLevel(f, key), "level", "framework.level_removed"),
            _ => null,
        };
        return plan is { } p ? history.ApplyAsync(p.Edit, $"There is no {p.What} '{key}'", p.Audit, key, by, null, baseVersion, ct) : null;
    }

    /// <summary>What a refused action shows on the page, and the status the page answers with.</summary>
    public sealed record Refusal(IReadOnlyList<string> Reasons, string? Conflict, int StatusCode);

    /// <summary>
    /// A refused action in words: the validation messages without their document paths (400), or the stale-version
    /// conflict (409). Null for a save or an unknown target, which each page answers itself.
    /// </summary>
    public static Refusal? RefusalOf(FrameworkWrite write) => write switch
    {
        FrameworkWrite.Invalid invalid => new(invalid.Errors.SelectMany(e => e.Value).Distinct().ToList(), null, StatusCodes.Status400BadRequest),
        FrameworkWrite.Stale stale => new([],
            $"Someone saved version {stale.CurrentVersion} after you opened this page (version {stale.BaseVersion}); nothing was changed. " +
            "The page now shows the current version: check it, then try again.", StatusCodes.Status409Conflict),
        _ => null,
    };
}
