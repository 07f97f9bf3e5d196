using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;
using Trellis.Core.Framework;

namespace Trellis.Framework;

/// <summary>The tracks side by side by band: levels of equal standing on one row, and their expectations as a matrix.</summary>
public sealed class TracksModel(FrameworkHistory history, Viewer viewer, TimeProvider clock) : PageModel
{
    public CareerFramework? Framework { get; private set; }
    public FrameworkVersionSummary? Version { get; private set; }
    public bool CanEdit => viewer.IsHr;
    /// <summary>Expert track(s) first, then people-leader track(s): the columns of both tables.</summary>
    public IReadOnlyList<Track> Tracks { get; private set; } = [];
    public IReadOnlyList<BandRow> Bands { get; private set; } = [];

    [FromQuery(Name = "saved")] public int? SavedVersion { get; set; }
    [FromQuery(Name = "created")] public bool Created { get; set; }

    /// <summary>One band: the level on each track (null where a track has none) and the behaviours on which they differ.</summary>
    public sealed record BandRow(int Band, IReadOnlyList<Level?> Levels, IReadOnlyList<string> DifferingBehaviors)
    {
        public bool IsLateral => Levels.Count(l => l is not null) > 1;
    }

    /// <summary>HR removes a level from here (<see cref="FrameworkPageActions.RemoveLevel"/>); refused in words while anyone holds it.</summary>
    [BindProperty] public string? Act { get; set; }
    [BindProperty] public string? Target { get; set; }
    [BindProperty] public int? BaseVersion { get; set; }
    public IReadOnlyList<string> Refused { get; private set; } = [];
    public string? Conflict { get; private set; }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!viewer.IsHr) return Forbid();
        if (Act != FrameworkPageActions.RemoveLevel) return BadRequest();
        var run = FrameworkPageActions.RunAsync(history, Act, Target ?? "", null, BaseVersion, viewer.EmployeeId,
            DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct)!;
        var write = await run;
        if (write is FrameworkWrite.Saved s) return Redirect($"/framework/tracks?saved={s.Result.Version}&created={(s.Result.Created ? "true" : "false")}");
        if (FrameworkPageActions.RefusalOf(write) is not { } refusal) return NotFound();
        (Refused, Conflict) = (refusal.Reasons, refusal.Conflict);
        Response.StatusCode = refusal.StatusCode;
        await OnGetAsync(ct);
        return Page();
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var current = await history.CurrentAsync(ct);
        if (current is null) return;
        Framework = current.Framework;
        Version = current.Version;
        Tracks = Framework.Tracks.OrderBy(t => t.IsPeopleLeader).ToList();
        var behaviors = Framework.ActiveBehaviors.Select(b => b.Key).ToList();
        Bands = Tracks.SelectMany(t => t.Levels).Select(l => l.Band).Distinct().Order()
            .Select(band =>
            {
                var levels = Tracks.Select(t => t.Levels.FirstOrDefault(l => l.Band == band)).ToList();
                var present = levels.OfType<Level>().ToList();
                var differing = present.Count < 2 ? [] : behaviors.Where(b => present.Select(l => Expected(l, b)).Distinct().Count() > 1).ToList();
                return new BandRow(band, levels, differing);
            })
            .ToList();
    }

    public static int? Expected(Level level, string behavior) => level.Expectations.TryGetValue(behavior, out var r) ? r : null;
}
