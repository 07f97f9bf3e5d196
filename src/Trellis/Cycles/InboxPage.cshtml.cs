using Microsoft.AspNetCore.Mvc;

namespace Trellis.Cycles;

public sealed class InboxPageModel(Inbox inbox) : CyclePageModel
{
    public IReadOnlyList<NotificationView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Items = await inbox.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await inbox.MarkReadAsync(null, ct);
        Notice = "All messages marked read.";
        return Redirect("/inbox");
    }
}
