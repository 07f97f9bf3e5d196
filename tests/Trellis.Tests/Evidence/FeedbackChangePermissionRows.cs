using Trellis.Tests.Security;

namespace Trellis.Tests.Evidence;

/// <summary>Changing one's own feedback (issue 11): rows of the permission matrix.</summary>
public sealed class FeedbackChangePermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        // Everyone lists only their own feedback of the last 7 days.
        PermissionRule.Everyone("/feedback/given"),
        PermissionRule.Everyone("/api/v1/observations/given"),
        // No such observation: 404 to every signed-in caller (the author and HR checks follow the lookup).
        PermissionRule.Everyone("/api/v1/observations/OBS-NONE/versions", Access.NotFound),
    ];
}
