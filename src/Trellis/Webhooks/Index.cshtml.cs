using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Webhooks;

/// <summary>The admin page of webhooks: endpoints, adding one (its secret shown once), pause and resume, test, rotate, remove, deliveries and replay.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class WebhooksPageModel(WebhookService webhooks) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Id { get; set; }
    [BindProperty] public string? EndpointUrl { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public List<string> Events { get; set; } = [];

    public IReadOnlyList<WebhookView> Endpoints { get; private set; } = [];
    public WebhookView? Selected { get; private set; }
    public IReadOnlyList<DeliveryView> Deliveries { get; private set; } = [];
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public string? Message { get; private set; }
    public string? NewSecret { get; private set; }
    public int? NewSecretFor { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Id is not null && Selected is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var o = await webhooks.CreateAsync(new CreateWebhookRequest(EndpointUrl, Events, Description), ct);
        if (o.Ok)
        {
            (NewSecret, NewSecretFor, Id) = (o.Value!.Secret, o.Value.Id, o.Value.Id);
            (EndpointUrl, Description, Events) = (null, null, []);
        }
        else Refused(o.Problem!);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(int id, CancellationToken ct)
    {
        var o = await webhooks.SendTestAsync(id, ct);
        if (o.Ok) Message = $"Test event {o.Value!.MessageId} queued for endpoint {id}.";
        else Refused(o.Problem!);
        Id = id;
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostPauseAsync(int id, CancellationToken ct) => SetEnabledAsync(id, false, ct);

    public Task<IActionResult> OnPostResumeAsync(int id, CancellationToken ct) => SetEnabledAsync(id, true, ct);

    private async Task<IActionResult> SetEnabledAsync(int id, bool enabled, CancellationToken ct)
    {
        var o = await webhooks.UpdateAsync(id, new UpdateWebhookRequest(Enabled: enabled), ct);
        if (o.Ok) Message = enabled ? $"Endpoint {id} resumed: its pending deliveries go out in order, and its failures are counted afresh." : $"Endpoint {id} paused: nothing is queued or sent to it until it is resumed.";
        else Refused(o.Problem!);
        Id = id;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(int id, CancellationToken ct)
    {
        var o = await webhooks.RotateSecretAsync(id, ct);
        if (o.Ok)
        {
            (NewSecret, NewSecretFor) = (o.Value!.Secret, id);
            Message = $"The old secret also signs until {o.Value.PreviousSecretValidUntil.UtcDateTime:yyyy-MM-dd HH:mm} UTC.";
        }
        else Refused(o.Problem!);
        Id = id;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken ct)
    {
        var o = await webhooks.DeleteAsync(id, ct);
        if (o.Ok) Message = $"Endpoint {id} removed.";
        else Refused(o.Problem!);
        Id = null;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(int id, long delivery, CancellationToken ct)
    {
        var o = await webhooks.ReplayAsync(id, delivery, ct);
        if (o.Ok) Message = $"{o.Value!.MessageId} queued again for endpoint {id}.";
        else Refused(o.Problem!);
        Id = id;
        await LoadAsync(ct);
        return Page();
    }

    private void Refused(Problem e)
    {
        Errors = e.Fields ?? new Dictionary<string, string[]> { ["webhook"] = [e.Detail] };
        Response.StatusCode = e.Status;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Endpoints = await webhooks.ListAsync(ct);
        Selected = Id is { } id ? Endpoints.FirstOrDefault(e => e.Id == id) : null;
        if (Selected is not null && await webhooks.DeliveriesAsync(Selected.Id, null, ct) is { Ok: true } d) Deliveries = d.Value!;
    }
}
