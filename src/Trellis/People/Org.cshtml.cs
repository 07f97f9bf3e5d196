using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Trellis.People;

/// <summary>The org chart page: the tree itself is loaded level by level from <c>/api/v1/org/nodes</c> as people expand it.</summary>
public sealed class OrgModel(PeopleDirectory people) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Focus { get; set; }
    public int Active { get; private set; }
    public int Tops { get; private set; }

    /// <summary>The organisation is still loading after a start: the page says so and refreshes itself.</summary>
    public bool Loading { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (await people.SnapshotOrLoadingAsync(ct) is not { } org)
        {
            Loading = true;
            return;
        }
        Active = org.Count;
        Tops = org.Structure.Roots.Length;
    }
}
