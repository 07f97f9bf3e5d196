using Trellis.Tests.Security;

namespace Trellis.Tests.Webhooks;

/// <summary>Webhooks: the admin page and API are for admins only; the events carry nothing an admin may not read (WebhookDisclosureTests).</summary>
public sealed class WebhookPermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        PermissionRule.Only("/admin/webhooks", "A1"),
        PermissionRule.Only("/admin/webhooks?id=999").With(Access.NotFound, "A1"),
        PermissionRule.Only("/api/v1/webhooks", "A1"),
        PermissionRule.Only("/api/v1/webhooks/events", "A1"),
        PermissionRule.Only("/api/v1/webhooks/999").With(Access.NotFound, "A1"),
        PermissionRule.Only("/api/v1/webhooks/999/deliveries").With(Access.NotFound, "A1"),
        PermissionRule.Only("/api/v1/webhooks/999/test", "A1").With(Access.NotFound, "A1") with { Method = "POST" },
    ];
}
