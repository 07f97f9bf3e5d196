using Microsoft.AspNetCore.Mvc;

namespace Trellis.Cycles;

/// <summary>The board's grid view: the same filters and the same numbers as the table, drawn as points (see <see cref="TalentGrid"/>).</summary>
public sealed class GridModel(TalentGrid talentGrid, Accounts.Viewer viewer) : CyclePageModel
{
    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string? Flag { get; set; }
    [BindProperty(SupportsGet = true, Name = "response")] public string? Answer { get; set; }
    [BindProperty(SupportsGet = true)] public string? Decision { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public GridResponse? Grid { get; private set; }
    public string MyId => viewer.EmployeeId;
    public string Svg { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var o = await talentGrid.GetAsync(Name, new BoardQuery(Band, Flag, Answer, Decision, Q), ct);
        if (!o.Ok) return Refuse(o.Problem!);
        Grid = o.Value;
        // One's own candidacy opens no review (nobody decides their own); other recused rows open it as on the board.
        Svg = GridChart.Render(Grid!, c => c.EmployeeId == viewer.EmployeeId ? null : $"/cycles/{Uri.EscapeDataString(Grid!.Cycle)}/board/{c.NominationId}");
        return Page();
    }

    /// <summary>The table view with the same filters.</summary>
    public string BoardLink => Link("board");

    private string Link(string view)
    {
        var q = new Dictionary<string, string?> { ["q"] = Q, ["band"] = Band, ["flag"] = Flag, ["response"] = Answer, ["decision"] = Decision };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/cycles/{Uri.EscapeDataString(Name)}/{view}", q.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }
}
