using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Core.Framework;
using Trellis.Framework;

namespace Trellis.Growth;

/// <summary>
/// The promoted person's story of one promotion: the draft Trellis made from their evidence, the recognitions they may quote,
/// and save, approve (publish) or decline. Only the person themselves reaches it; the service refuses anyone else.
/// </summary>
public sealed class StoryModel(PromotionStoryService stories, FrameworkStore frameworks) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Cycle { get; set; } = "";
    [BindProperty] public string? Headline { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty] public List<string> Values { get; set; } = [];
    [BindProperty] public List<string> Behaviors { get; set; } = [];
    [BindProperty] public List<string> Quotes { get; set; } = [];
    [BindProperty] public int Version { get; set; }

    public StoryView? Story { get; private set; }
    public Problem? Refused { get; private set; }
    public CareerFramework? Framework { get; private set; }
    public string? Notice { get; private set; }

    /// <summary>Opening the invitation drafts the story (once; later visits show the same draft). A draft is private to its person.</summary>
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notice = Request.Query["done"].ToString() switch
        {
            "saved" => "Draft saved. Only you can see it.",
            "published" => "Published: your story is on the Promotions page and your person page.",
            "declined" => "Declined: no story is shown anywhere.",
            _ => null,
        };
        var result = await LoadAsync(ct);
        if (Story is not null) await stories.MarkInvitationReadAsync(Cycle, ct);
        return result;
    }

    public Task<IActionResult> OnPostSaveAsync(CancellationToken ct) => ChangeAsync(false, ct);

    public Task<IActionResult> OnPostApproveAsync(CancellationToken ct) => ChangeAsync(true, ct);

    public async Task<IActionResult> OnPostDeclineAsync(CancellationToken ct)
    {
        var id = await StoryIdAsync(ct);
        if (id is null) return await LoadAsync(ct);
        var o = await stories.DeclineAsync(id.Value, new StoryDecisionRequest(Version), ct);
        return o.Ok ? Redirect($"/promotions/story/{Cycle}?done=declined") : await ShowAsync(o.Problem!, ct);
    }

    private async Task<IActionResult> ChangeAsync(bool approve, CancellationToken ct)
    {
        var id = await StoryIdAsync(ct);
        if (id is null) return await LoadAsync(ct);
        var edited = await stories.UpdateAsync(id.Value, new UpdateStoryRequest(Headline ?? "", Text ?? "", Values, Behaviors, Quotes, Version), ct);
        if (!edited.Ok) return await ShowAsync(edited.Problem!, ct);
        if (!approve) return Redirect($"/promotions/story/{Cycle}?done=saved");
        var approved = await stories.ApproveAsync(id.Value, new StoryDecisionRequest(edited.Value!.Version), ct);
        return approved.Ok ? Redirect($"/promotions/story/{Cycle}?done=published") : await ShowAsync(approved.Problem!, ct);
    }

    /// <summary>The viewer's story of this cycle (drafted now if it was not yet), or null with the refusal shown.</summary>
    private async Task<int?> StoryIdAsync(CancellationToken ct)
    {
        var o = await stories.CreateAsync(new CreateStoryRequest(Cycle), ct);
        if (o.Ok) return o.Value!.Id;
        Refuse(o.Problem!);
        return null;
    }

    private async Task<IActionResult> ShowAsync(Problem p, CancellationToken ct)
    {
        if (p.Status is 403 or 404) { Refuse(p); return Page(); }
        // Keep what the person typed: the page shows the stored story with their input over it.
        var (headline, text, values, behaviors, quotes) = (Headline, Text, Values, Behaviors, Quotes);
        var result = await LoadAsync(ct);
        if (Story is { } s)
            Story = s with
            {
                Headline = headline ?? s.Headline, Text = text ?? s.Text,
                Values = values.Select(v => new StoryValue(v, v)).ToList(), Behaviors = behaviors.Select(b => new StoryBehavior(b, b, "")).ToList(),
                Quotes = (s.Recognitions ?? []).Where(r => quotes.Contains(r.RecognitionId)).ToList(),
            };
        p.ShowOn(this);
        return result;
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        Framework = (await frameworks.GetAsync(ct))?.Framework;
        if (Refused is not null) return Page();
        var o = await stories.CreateAsync(new CreateStoryRequest(Cycle), ct);
        if (!o.Ok) { Refuse(o.Problem!); return Page(); }
        Story = o.Value;
        return Page();
    }

    private void Refuse(Problem p)
    {
        Refused = p;
        Response.StatusCode = p.Status;
    }
}
