using System.CommandLine;
using Microsoft.Data.Sqlite;
using Trellis.Data;

namespace Trellis.Cli;

public static class DatabaseCommands
{
    public static Command CreateMigrate()
    {
        var command = new Command("migrate", "Apply database migrations");
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            Console.WriteLine($"Migrated {services.GetRequiredService<DatabaseSelection>().Describe()}");
            return 0;
        });
        return command;
    }

    public static Command CreateBackup()
    {
        var outOption = new Option<string>("--out") { Description = "file to write the backup to", Required = true };
        var command = new Command("backup", "Write a consistent online copy of the SQLite database");
        command.Options.Add(outOption);
        command.SetAction(async (parse, ct) =>
        {
            var selection = TrellisCommands.Selection(parse);
            var target = Path.GetFullPath(parse.GetValue(outOption)!);
            if (selection.Provider == DatabaseProvider.Postgres)
                return TrellisCommands.Fail("backup copies SQLite databases; on PostgreSQL use pg_dump (for example: pg_dump --format=custom --file=trellis.dump \"$DATABASE_URL\").");
            if (File.Exists(target)) return TrellisCommands.Fail($"{target} already exists; choose another --out or remove it first.");
            if (Directory.Exists(target)) return TrellisCommands.Fail($"{target} is a directory; --out takes the path of the file to write.");
            await (await TrellisCommands.ServicesAsync(parse, ct, existing: true)).DisposeAsync();
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // VACUUM INTO fills an empty file; made first, it keeps the mode 0600 of the database.
            DatabaseSetup.CreatePrivateFile(target);
            // VACUUM INTO reads one consistent snapshot, so the copy is safe while Trellis keeps serving.
            await using var connection = new SqliteConnection(selection.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "VACUUM INTO $target";
            command.Parameters.AddWithValue("$target", target);
            await command.ExecuteNonQueryAsync(ct);
            Console.WriteLine($"Backed up {selection.Describe()} to {target} ({new FileInfo(target).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
