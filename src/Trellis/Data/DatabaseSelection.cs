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
        value = string.IsNullOrWhiteSpace(value) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : value;
        if (string.IsNullOrWhiteSpace(value)) value = DefaultSqliteFile;
        return Parse(value.Trim());
    }

    public static DatabaseSelection Parse(string value)
    {
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, FromUrl(new Uri(value)));
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) || value.Contains("Server=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, value);
        var path = value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? value["sqlite:".Length..] : value;
        if (path.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Sqlite, path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true };
        return new(DatabaseProvider.Sqlite, builder.ToString());
    }

    private static string FromUrl(Uri uri)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ToString();
    }

    /// <summary>The SQLite file path, for backup and messages; null on PostgreSQL.</summary>
    public string? SqlitePath => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

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
