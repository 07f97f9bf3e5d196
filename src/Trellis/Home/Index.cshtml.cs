using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Home;

public sealed class IndexModel(Viewer viewer, TrellisDb db, Cycles.CycleService cycles, TimeProvider clock, Framework.FrameworkStore frameworks) : PageModel
{
    public IReadOnlyList<TodoItem> Todo { get; private set; } = [];
    public string Name => viewer.Name;
    public Employee? Employee { get; private set; }
    public string? LevelLabel { get; private set; }
    private Core.Framework.CareerFramework? _framework;

    /// <summary>A level by name with its key as secondary text.</summary>
    public string Level(string? key) => key is null ? "" : _framework?.FindLevel(key) is { } l ? $"{l.Name} ({l.Key})" : key;
    public string? TrackName { get; private set; }
    /// <summary>The viewer's own nominations: the open offer with its deadline, or the published outcome and why.</summary>
    public IReadOnlyList<Cycles.NominationResponse> Nominations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Employee = await db.Employees.AsNoTracking().FirstOrDefaultAsync(e => e.Id == viewer.EmployeeId, ct);
        _framework = (await frameworks.GetAsync(ct))?.Framework;
        if (Employee is not null && _framework is { } framework)
        {
            // Names, not keys: "Staff (e5) on the Expert track", not "e5 on the expert track".
            LevelLabel = framework.FindLevel(Employee.Level) is { } level ? $"{level.Name} ({level.Key})" : Employee.Level;
            TrackName = framework.Tracks.FirstOrDefault(t => t.Key == Employee.Track)?.Name ?? Employee.Track;
        }
        Nominations = await cycles.MyNominationsAsync(ct);
        Todo = await new TodoList(db, viewer, clock).ForViewerAsync(ct);
    }
}
