using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Readiness;

namespace Trellis.Growth;

public sealed class MyGrowthModel(Viewer viewer, SensitiveReads reads, TrellisDb db, FrameworkStore frameworks, ReadinessService readiness, DevelopmentPlanService plans) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? EmployeeId { get; set; }
    public GrowthProfile Profile { get; private set; } = null!;
    public bool IsSelf { get; private set; }
    private Trellis.Core.Framework.CareerFramework? _framework;

    /// <summary>A value's name for its key (recognitions are stored by key).</summary>
    public string ValueName(string key) => _framework?.Values.FirstOrDefault(v => v.Key == key)?.Name ?? key;

    /// <summary>The level readiness is judged against, by name with its key as secondary text.</summary>
    public string? TargetLevelLabel { get; private set; }
    public string ChartSvg { get; private set; } = "";
    /// <summary>Plans are for the person, their managers and HR; a committee member who may read this page may not plan.</summary>
    public bool MayPlan { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var id = string.IsNullOrEmpty(EmployeeId) ? viewer.EmployeeId : EmployeeId;
        IsSelf = id == viewer.EmployeeId;
        if (await GrowthAccess.CheckAsync(viewer, reads, db, id, "read_growth", ct) is { } refused) return refused.Status == 403 ? Forbid() : NotFound();
        var framework = await frameworks.GetAsync(ct);
        if (framework is null) return RedirectToPage("/Framework/Index");
        var profile = await GrowthProfiles.BuildAsync(db, framework.Framework, readiness, id, viewer.EmployeeId, ct);
        if (profile is null) return NotFound();
        Profile = profile;
        _framework = framework.Framework;
        if (profile.Readiness?.TargetLevel is { } target)
            TargetLevelLabel = framework.Framework.FindLevel(target) is { } level ? $"{level.Name} ({level.Key})" : target;
        MayPlan = await plans.MaySeeAsync(id, ct);
        ChartSvg = ProfileChart.Render(profile, behavior => $"/growth/{Uri.EscapeDataString(id)}/evidence/{Uri.EscapeDataString(behavior)}");
        return Page();
    }
}
