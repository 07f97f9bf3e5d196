using System.Globalization;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>What the framework view (values → behaviours → anchors) shows: a version, and whether HR edit links appear.</summary>
public sealed record FrameworkView(CareerFramework Framework, FrameworkVersionSummary Version, bool CanEdit);

/// <summary>Small formatting helpers shared by the framework pages.</summary>
public static class FrameworkText
{
    public static readonly string[] Ratings = ["1", "2", "3", "4", "5"];

    public static string DirectReports(LevelScope scope) => scope.MaxDirectReports == 0
        ? "No direct reports"
        : scope.MinDirectReports == scope.MaxDirectReports
            ? $"{scope.MinDirectReports} direct reports"
            : $"{scope.MinDirectReports}–{scope.MaxDirectReports} direct reports";

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Who(FrameworkVersionSummary v) => v.CreatedByName is { } name
        ? $"{name} ({v.CreatedBy})"
        : v.CreatedBy ?? "unknown";

    public static string TrackLabel(Track t) => t.IsPeopleLeader ? $"{t.Name}: people-leader track" : $"{t.Name}: expert (individual) track";
}

/// <summary>One HR action button on the framework pages: a small form posting <see cref="FrameworkPageActions"/>' action.</summary>
public sealed record FrameworkActionButton(string Act, string Target, int? Position, int BaseVersion, string Text, string Label, string Page = "/framework");
