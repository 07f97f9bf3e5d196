
namespace Trellis.Provisioning;

/// <summary>
/// Settings under <c>Scim:</c>. <c>Scim:EntryLevel</c>: the level a new person gets when the identity provider sends no
/// Trellis extension (default: the lowest level of the first individual track). <c>Scim:Roles:&lt;role&gt;</c>: the
/// display name of the group that gives a role (default <c>trellis-&lt;role&gt;</c>; empty turns the mapping off).
/// </summary>
public sealed class ScimOptions
{
    public const string Section = "Scim";

    public string? EntryLevel { get; set; }

    public Dictionary<string, string> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Group display name (case-insensitive) → role, defaults filled in for roles not configured.</summary>
    public IReadOnlyDictionary<string, string> GroupRoles()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var role in Accounts.Roles.All.Where(r => r != Accounts.Roles.Employee))
        {
            var group = Roles.TryGetValue(role, out var configured) ? configured : "trellis-" + role;
            if (!string.IsNullOrWhiteSpace(group)) map[group.Trim()] = role;
        }
        return map;
    }
}
