using System.Reflection;

namespace Trellis.Data;

/// <summary>
/// The SQLite migration ids compiled into this build, read from an assembly attribute that the build writes from the
/// migration file names (Trellis.csproj, target <c>EmbedSqliteMigrationIds</c>). A short CLI run checks whether a
/// database is up to date with them without scanning every type of the assembly for EF Core's migration attributes;
/// a test holds the list equal to the one EF Core finds.
/// </summary>
public static class CompiledMigrations
{
    private const string Key = "Trellis.SqliteMigrations";

    public static IReadOnlySet<string> Sqlite { get; } = Read();

    private static HashSet<string> Read()
    {
        var value = typeof(CompiledMigrations).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == Key)?.Value ?? "";
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }
}
