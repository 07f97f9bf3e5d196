using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Trellis.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Interprets <c>--db VALUE</c> / <c>TRELLIS_DB</c> (README.md, "Configuration"): a SQLite path (optionally prefixed
/// <c>sqlite:</c>), a PostgreSQL key-value connection string, or a <c>postgres://</c> URL.
/// </summary>
public sealed record DatabaseSelection(DatabaseProvider Provider, string ConnectionString)
{
    public const string EnvironmentVariable = "TRELLIS_DB";
    public const string DefaultSqliteFile = "trellis.db";

    public static DatabaseSelection Resolve(string? value)
    {
        var source = "--db";
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            source = EnvironmentVariable;
        }
        if (string.IsNullOrWhiteSpace(value)) value = DefaultSqliteFile;
        return Parse(value.Trim(), source);
    }

    /// <summary>Reads a database value; a malformed one is an <see cref="UnusableDatabaseException"/> naming the part that is wrong.</summary>
    public static DatabaseSelection Parse(string value) => Parse(value, "--db");

    private static DatabaseSelection Parse(string value, string source)
    {
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, FromUrl(value, source));
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) || value.Contains("Server=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, Checked(new NpgsqlConnectionStringBuilder(), value, source));
        var path = value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? value["sqlite:".Length..] : value;
        if (path.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Sqlite, Checked(new SqliteConnectionStringBuilder(), path, source));
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true };
        return new(DatabaseProvider.Sqlite, builder.ToString());
    }

    /// <summary>
    /// Reads <c>postgres://user:password@host:port/database?key=value</c> by hand rather than with <see cref="Uri"/>, so
    /// that a mistake is reported by the part it is in (System.Uri only says "Invalid URI").
    /// </summary>
    private static string FromUrl(string value, string source)
    {
        var rest = value[(value.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        if (rest.IndexOf('?') is var q and >= 0) (rest, query) = (rest[..q], rest[(q + 1)..]);
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? rest[(slash + 1)..] : "";
        var at = authority.LastIndexOf('@');
        var userInfo = at >= 0 ? authority[..at] : "";
        var hostPort = authority[(at + 1)..];
        string host;
        string? port = null;
        if (hostPort.StartsWith('['))
        {
            // An IPv6 address: [::1]:5432.
            var end = hostPort.IndexOf(']');
            if (end < 0 || (end + 1 < hostPort.Length && hostPort[end + 1] != ':'))
                throw Invalid(source, $"the host '{hostPort}' of the URL is not [IPv6 address] or [IPv6 address]:port");
            host = hostPort[1..end];
            if (end + 1 < hostPort.Length) port = hostPort[(end + 2)..];
        }
        else if (hostPort.LastIndexOf(':') is var colon and >= 0)
            (host, port) = (hostPort[..colon], hostPort[(colon + 1)..]);
        else
            host = hostPort;
        if (host.Length == 0)
            throw Invalid(source, "the URL names no host (postgres://user:password@host:port/database)");
        var portNumber = 5432;
        if (!string.IsNullOrEmpty(port) &&
            (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
            throw Invalid(source, $"the port '{port}' of the URL is not a number from 1 to 65535");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Uri.UnescapeDataString(host),
            Port = portNumber,
            Database = Uri.UnescapeDataString(database),
        };
        if (userInfo.Length > 0)
        {
            var parts = userInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            Set(builder, Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "", source, "URL parameter");
        }
        return builder.ToString();
    }

    /// <summary>Checks each key and value of a connection string with the provider's own builder; returns it unchanged.</summary>
    private static string Checked(DbConnectionStringBuilder provider, string value, string source)
    {
        var pairs = new DbConnectionStringBuilder();
        try
        {
            pairs.ConnectionString = value;
        }
        catch (ArgumentException)
        {
            throw Invalid(source, "is not a connection string of key=value pairs separated by ';'");
        }
        foreach (string key in pairs.Keys)
            Set(provider, key, pairs[key]?.ToString() ?? "", source, "connection-string key");
        return value;
    }

    private static void Set(DbConnectionStringBuilder builder, string key, string value, string source, string what)
    {
        // The providers' builders answer TryGetValue for the keys they know (with the default value when unset).
        if (!builder.TryGetValue(key, out _)) throw Invalid(source, $"unknown {what} '{key}'");
        try
        {
            builder[key] = value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            var secret = key.Contains("pass", StringComparison.OrdinalIgnoreCase) || key.Contains("pwd", StringComparison.OrdinalIgnoreCase);
            throw Invalid(source, secret ? $"the value of {what} '{key}' is not valid" : $"the value '{value}' of {what} '{key}' is not valid");
        }
    }

    private static UnusableDatabaseException Invalid(string source, string problem) =>
        new(problem.StartsWith("is ", StringComparison.Ordinal) ? $"the {source} value {problem}" : $"in the {source} value: {problem}");

    /// <summary>The SQLite file path, for backup and messages; null on PostgreSQL.</summary>
    public string? SqlitePath => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>Where the database is, for messages: the SQLite file's full path, or PostgreSQL host:port/database.</summary>
    public string Location => Provider == DatabaseProvider.Sqlite ? Path.GetFullPath(SqlitePath!) : PostgresDescription();

    public string Describe() => Provider == DatabaseProvider.Sqlite
        ? $"SQLite {Path.GetFullPath(SqlitePath!)}"
        : PostgresDescription();

    private string PostgresDescription()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        options.AddInterceptors(AfterCommitInterceptor.Instance);
        if (Provider == DatabaseProvider.Sqlite)
            options.UseSqlite(ConnectionString, o => o.CommandTimeout(120)).AddInterceptors(SqlitePragmas.Instance);
        else
            options.UseNpgsql(ConnectionString, o => o.CommandTimeout(300));
    }

    /// <summary>Creates a context outside dependency injection (CLI verbs, tests).</summary>
    public TrellisDb CreateContext()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var b = new DbContextOptionsBuilder<SqliteTrellisDb>();
            Configure(b);
            return new SqliteTrellisDb(b.Options);
        }
        var p = new DbContextOptionsBuilder<PostgresTrellisDb>();
        Configure(p);
        return new PostgresTrellisDb(p.Options);
    }
}
