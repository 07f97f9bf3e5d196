using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.People;

public sealed class PersonModel(PeopleDirectory people, Viewer viewer, Growth.PromotionStoryService stories) : PageModel
{
    public EmployeeProfile Profile { get; private set; } = null!;
    public bool IsSelf { get; private set; }
    public bool CanSeeSpan { get; private set; }
    /// <summary>Their published promotion stories (approved by them; drafts never show here).</summary>
    public IReadOnlyList<Growth.StoryView> Stories { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var profile = await people.GetProfileAsync(id, ct);
        if (profile is null) return NotFound();
        Profile = profile;
        IsSelf = id == viewer.EmployeeId;
        Stories = await stories.PublishedOfAsync(id, ct);
        CanSeeSpan = profile.DirectReportCount > 0 && (viewer.IsHr || viewer.IsAdmin || (viewer.IsManager && (IsSelf || await viewer.ManagesAsync(id, ct))));
        return Page();
    }

    /// <summary>"3 years 2 months" since a date, for "in this level since".</summary>
    public static string Since(DateOnly date, DateOnly today)
    {
        var months = (today.Year - date.Year) * 12 + today.Month - date.Month - (today.Day < date.Day ? 1 : 0);
        if (months < 1) return "less than a month";
        var (years, rest) = (months / 12, months % 12);
        var parts = new List<string>();
        if (years > 0) parts.Add(years == 1 ? "1 year" : $"{years} years");
        if (rest > 0) parts.Add(rest == 1 ? "1 month" : $"{rest} months");
        return string.Join(" ", parts);
    }
}
