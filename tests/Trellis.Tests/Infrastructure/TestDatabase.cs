using Npgsql;
using Trellis.Data;

namespace Trellis.Tests.Infrastructure;

public enum Provider { Sqlite, Postgres }

/// <summary>A fresh, empty database per test: a temp SQLite file, or a new database in the throwaway PostgreSQL cluster.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>Base connection string of the PostgreSQL cluster that test.sh starts (no Database).</summary>
    public const string PostgresVariable = "TRELLIS_TEST_PG";

    public DatabaseSelection Selection { get; }
    public string Value { get; }
    private readonly Action? _drop;

    private TestDatabase(DatabaseSelection selection, string value, Action? drop)
    {
        Selection = selection;
        Value = value;
        _drop = drop;
    }

    public static TestDatabase Create(Provider provider)
    {
        if (provider == Provider.Sqlite)
        {
            var dir = Path.Combine(Path.GetTempPath(), "trellis-tests");
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, $"{Guid.NewGuid():N}.db");
            return new(DatabaseSelection.Parse(path), path, () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
            });
        }

        var baseConnection = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(baseConnection))
            throw new InvalidOperationException(
                $"PostgreSQL tests need {PostgresVariable} (e.g. Host=127.0.0.1;Port=55432;Username=postgres). Run ./test.sh, which starts a throwaway cluster.");
        var name = $"trellis_test_{Guid.NewGuid():N}";
        using (var admin = new NpgsqlConnection(baseConnection + ";Database=postgres"))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            create.ExecuteNonQuery();
        }
        var connection = $"{baseConnection};Database={name}";
        return new(DatabaseSelection.Parse(connection), connection, () =>
        {
            NpgsqlConnection.ClearAllPools();
            using var admin = new NpgsqlConnection(baseConnection + ";Database=postgres");
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        });
    }

    public ValueTask DisposeAsync()
    {
        try { _drop?.Invoke(); } catch (IOException) { } catch (NpgsqlException) { }
        return ValueTask.CompletedTask;
    }
}
