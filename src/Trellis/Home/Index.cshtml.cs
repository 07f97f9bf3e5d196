using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Home;

public sealed class IndexModel(Viewer viewer, TrellisDb db, Cycles.CycleService cycles, TimeProvider clock) : PageModel
{
    public IReadOnlyList<TodoItem> Todo { get; private set; } = [];
    public string Name => viewer.Name;
    public Employee? Employee { get; private set; }
    /// <summary>The viewer's own nominations: the open offer with its deadline, or the published outcome and why.</summary>
    public IReadOnlyList<Cycles.NominationResponse> Nominations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Employee = await db.Employees.AsNoTracking().FirstOrDefaultAsync(e => e.Id == viewer.EmployeeId, ct);
        Nominations = await cycles.MyNominationsAsync(ct);
        Todo = await new TodoList(db, viewer, clock).ForViewerAsync(ct);
    }
}
