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
}

public static class TrellisClaims
{
    public const string EmployeeId = "employee_id";
    public const string AccountId = "account_id";
    /// <summary>The account's security stamp when the session began (cookies only; bearer tokens are checked against the database).</summary>
    public const string SecurityStamp = "security_stamp";
}

public static class Policies
{
    public const string Hr = "hr";
    public const string HrOrAdmin = "hr-or-admin";
    public const string HrOrCommittee = "hr-or-committee";
    public const string Admin = "admin";
    public const string Manager = "manager";
}
