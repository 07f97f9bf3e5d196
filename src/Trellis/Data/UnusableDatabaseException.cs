namespace Trellis.Data;

/// <summary>
/// The selected database cannot be used as it is, for a reason its operator fixes (a mistyped path or <c>--db</c> value,
/// a database migrated by a newer build): the message is one line that says what and where, never a password.
/// </summary>
public sealed class UnusableDatabaseException : Exception
{
    public UnusableDatabaseException() { }
    public UnusableDatabaseException(string message) : base(message) { }
    public UnusableDatabaseException(string message, Exception inner) : base(message, inner) { }
}
