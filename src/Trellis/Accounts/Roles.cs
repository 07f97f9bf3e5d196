namespace Trellis.Accounts;

public static class Roles
{
    public const string Employee = "employee";
    public const string Manager = "manager";
    public const string Hr = "hr";
    public const string Committee = "committee";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Employee, Manager, Hr, Committee, Admin];

    public static bool IsKnown(string role) => All.Contains(role);

    /// <summary>Normalises a role list: known roles only, in canonical order, employee always included.</summary>
    public static string Join(IEnumerable<string> roles)
    {
        var set = roles.Select(r => r.Trim().ToLowerInvariant()).Append(Employee).ToHashSet();
        return string.Join(' ', All.Where(set.Contains));
    }

    public static IReadOnlyList<string> Split(string roles) => roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Every role list <see cref="Join"/> can store that includes <paramref name="role"/> (8 of them): who holds a role is
    /// <c>accounts.Where(a => Roles.ListsWith(role).Contains(a.Roles))</c>, an index seek on <c>accounts.roles</c>.
    /// </summary>
    public static IReadOnlyList<string> ListsWith(string role)
    {
        var others = All.Where(r => r != Employee && r != role).ToList();
        return Enumerable.Range(0, 1 << others.Count)
            .Select(mask => Join(others.Where((_, i) => (mask & (1 << i)) != 0).Append(role)))
            .ToList();
    }
}

public static class TrellisClaims
{
    public const string EmployeeId = "employee_id";
    public const string AccountId = "account_id";
    /// <summary>The account's security stamp when the session began (cookies only; bearer tokens are checked against the database).</summary>
    public const string SecurityStamp = "security_stamp";
    /// <summary>When the person proved who they are (a password or single sign-on), Unix seconds: a fresh sign-in stands in for a password they do not have.</summary>
    public const string SignedInAt = "signed_in_at";
}

public static class Policies
{
    public const string Hr = "hr";
    public const string HrOrAdmin = "hr-or-admin";
    public const string HrOrCommittee = "hr-or-committee";
    public const string Admin = "admin";
    public const string Manager = "manager";
}
