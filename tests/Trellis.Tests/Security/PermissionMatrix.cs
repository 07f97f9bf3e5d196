namespace Trellis.Tests.Security;

/// <summary>What a caller gets back from an endpoint or page.</summary>
public enum Access
{
    /// <summary>200.</summary>
    Ok,
    /// <summary>Not signed in: 401 ProblemDetails for the API, a 302 to /signin for pages.</summary>
    SignIn,
    /// <summary>403 (signed in, but the role or the reporting line does not allow it).</summary>
    Forbidden,
    /// <summary>404 (the record does not exist).</summary>
    NotFound,
}

/// <summary>
/// One row of the permission matrix: a request and what each caller of the test organisation gets.
/// Callers: anonymous, E1 (employee in M2's line), X1 (employee outside every line), M2 and M1 (managers),
/// H1 (hr), C1 (committee and manager, above M1), A1 (admin).
/// </summary>
public sealed record PermissionRule(string Path, Access Anonymous, IReadOnlyDictionary<string, Access> ByUser, string Method = "GET")
{
    public static readonly string[] Users = ["E1", "X1", "M2", "M1", "H1", "C1", "A1"];

    public bool IsApi => Path.StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>Every signed-in caller gets <paramref name="access"/>; anonymous callers are sent to sign in.</summary>
    public static PermissionRule Everyone(string path, Access access = Access.Ok) =>
        new(path, Access.SignIn, Users.ToDictionary(u => u, _ => access));

    /// <summary>The named callers get 200, every other signed-in caller 403.</summary>
    public static PermissionRule Only(string path, params string[] allowed) =>
        new(path, Access.SignIn, Users.ToDictionary(u => u, u => allowed.Contains(u) ? Access.Ok : Access.Forbidden));

    /// <summary>The same rule with some callers' expectations changed.</summary>
    public PermissionRule With(Access access, params string[] users)
    {
        var map = new Dictionary<string, Access>(ByUser);
        foreach (var u in users) map[u] = access;
        return this with { ByUser = map };
    }
}

/// <summary>
/// A feature's rows of the permission matrix. Implement it in the feature's test folder (public, parameterless
/// constructor); <see cref="PermissionMatrixTests"/> finds every implementation and checks its rows on both providers.
/// </summary>
public interface IPermissionRows
{
    IEnumerable<PermissionRule> Rules { get; }
}

/// <summary>The rows of the skeleton's own endpoints and pages.</summary>
public sealed class CorePermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        new("/health", Access.Ok, PermissionRule.Users.ToDictionary(u => u, _ => Access.Ok)),
        PermissionRule.Everyone("/"),
        PermissionRule.Everyone("/api/v1/me"),
        PermissionRule.Everyone("/api/v1/framework"),
    ];
}

/// <summary>People: the directory, profiles and the org chart are open to everyone signed in; span of control by role and line.</summary>
public sealed class PeoplePermissionRows : IPermissionRows
{
    private static readonly string[] SpanForEveryone = ["H1", "A1"];
    private static readonly string[] Managers = ["M2", "M1", "C1"];

    public IEnumerable<PermissionRule> Rules =>
    [
        PermissionRule.Everyone("/people"),
        PermissionRule.Everyone("/people?q=eng&department=Engineering&page=1"),
        PermissionRule.Everyone("/people/E1"),
        PermissionRule.Everyone("/people/X1"),
        PermissionRule.Everyone("/people/NOPE", Access.NotFound),
        PermissionRule.Everyone("/org"),
        PermissionRule.Everyone("/org?focus=E1"),
        PermissionRule.Everyone("/api/v1/employees"),
        PermissionRule.Everyone("/api/v1/employees?manager_id=M2&status=all"),
        PermissionRule.Everyone("/api/v1/employees/E2"),
        PermissionRule.Everyone("/api/v1/employees/X1"),
        PermissionRule.Everyone("/api/v1/employees/NOPE", Access.NotFound),
        PermissionRule.Everyone("/api/v1/org/nodes"),
        PermissionRule.Everyone("/api/v1/org/nodes?parent_id=M1"),
        PermissionRule.Everyone("/api/v1/org/nodes?parent_id=NOPE", Access.NotFound),
        PermissionRule.Everyone("/api/v1/org/path/E1"),

        // Span of control: HR and admins everyone; a manager their own line and the lines below it.
        PermissionRule.Only("/span", [.. SpanForEveryone, .. Managers]),
        PermissionRule.Only("/span?manager_id=M2", [.. SpanForEveryone, .. Managers]),
        PermissionRule.Only("/span?manager_id=M1", [.. SpanForEveryone, "M1", "C1"]),
        PermissionRule.Only("/span?manager_id=X1", SpanForEveryone),
        PermissionRule.Only("/api/v1/span-of-control", [.. SpanForEveryone, .. Managers]),
        PermissionRule.Only("/api/v1/span-of-control?format=csv", [.. SpanForEveryone, .. Managers]),
        PermissionRule.Only("/api/v1/span-of-control?manager_id=M2", [.. SpanForEveryone, .. Managers]),
        PermissionRule.Only("/api/v1/span-of-control?manager_id=M1", [.. SpanForEveryone, "M1", "C1"]),
        PermissionRule.Only("/api/v1/span-of-control?manager_id=C1", [.. SpanForEveryone, "C1"]),
        PermissionRule.Only("/api/v1/span-of-control?manager_id=X1", SpanForEveryone),
        PermissionRule.Only("/api/v1/span-of-control?manager_id=NOPE").With(Access.NotFound, [.. SpanForEveryone, .. Managers]),
    ];
}

/// <summary>Admin: accounts and the audit log are for HR and admins only.</summary>
public sealed class AdminPermissionRows : IPermissionRows
{
    public IEnumerable<PermissionRule> Rules =>
    [
        PermissionRule.Only("/admin", "H1", "A1"),
        PermissionRule.Only("/admin/audit-log", "H1", "A1"),
        PermissionRule.Only("/admin/audit-log?actor=H1&from=2020-01-01", "H1", "A1"),
        PermissionRule.Only("/api/v1/admin/accounts", "H1", "A1"),
        PermissionRule.Only("/api/v1/audit-log", "H1", "A1"),
        PermissionRule.Only("/api/v1/audit-log?subject=E1&action=read_sensitive_attributes", "H1", "A1"),
    ];
}
