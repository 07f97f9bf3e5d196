using System.CommandLine;
using Trellis.Data;

namespace Trellis.Cli;

/// <summary>The <c>trellis</c> command line (README.md, "Command line"). Each verb lives in its feature folder.</summary>
public static class TrellisCommands
{
    public static readonly Option<string?> Db = new("--db")
    {
        Description = "SQLite path (or sqlite:PATH) or PostgreSQL connection string / postgres:// URL; default $TRELLIS_DB, then trellis.db",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        // Serving is the default: `trellis`, `trellis --db x` and `trellis serve …` all start the web app. Help goes to
        // the parser below (`trellis serve --help` is serve's help, `trellis --db x --help` the verbs), and touches no database.
        if ((args.Length == 0 || args[0] == "serve" || args[0].StartsWith('-')) && !args.Any(a => a is "-h" or "--help" or "-?" or "--version"))
            return await ServeCommand.RunAsync(args.Length > 0 && args[0] == "serve" ? args[1..] : args);

        var root = new RootCommand("Trellis: promote people for how they work, and let every candidate choose their path.");
        root.Options.Add(Db);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(Demo.DemoCommand.Create());
        root.Subcommands.Add(Import.ImportCommand.Create());
        root.Subcommands.Add(Import.ExportCommand.Create());
        root.Subcommands.Add(Readiness.ReadinessCommand.Create());
        root.Subcommands.Add(Audit.AuditCommand.Create());
        root.Subcommands.Add(DatabaseCommands.CreateMigrate());
        root.Subcommands.Add(DatabaseCommands.CreateBackup());
        root.Subcommands.Add(Benchmarks.BenchCommand.Create());
        root.Subcommands.Add(Accounts.UserCommands.CreateUser());
        root.Subcommands.Add(Accounts.UserCommands.CreateToken());
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (OperatorProblem(e) is { } problem)
        {
            // The verb's own checks already print "error: …"; these come from deeper down.
            return Fail(problem);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As System.CommandLine's own handler did: the whole exception on standard error, exit code 1.
            Console.Error.WriteLine($"Unhandled exception: {e}");
            return 1;
        }
    }

    /// <summary>
    /// The one line for a problem that the operator fixes, not the code: a database that cannot be used (a mistyped
    /// <c>--db</c>, one migrated by a newer build), cannot be reached or refuses the sign-in, or a file that cannot be
    /// written. Null for anything else, which is a bug and keeps its stack trace.
    /// </summary>
    public static string? OperatorProblem(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case UnusableDatabaseException:
                    return x.Message;
                case System.Data.Common.DbException:
                    return $"the database refused or could not be reached: {x.Message}{(x.InnerException is { } inner ? $" ({inner.Message})" : "")}";
            }
        }
        return e is IOException or UnauthorizedAccessException ? e.Message : null;
    }

    /// <summary>
    /// The app's services (<see cref="Features.AddTrellisServices"/>, no HTTP) over the <c>--db</c> database, for a verb
    /// that checks migrations itself (<c>trellis readiness</c>). Logs go to standard error so that standard output is
    /// only the verb's result; EF Core's own error lines are left out, since the verb reports the exception they are about.
    /// </summary>
    public static ServiceProvider Services(ParseResult parse) => new ServiceCollection()
        .AddLogging(l => l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter((category, level) => level >= LogLevel.Warning &&
                (level < LogLevel.Error || category?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) != true)))
        .AddTrellisServices(Selection(parse))
        .BuildServiceProvider();

    /// <summary>
    /// The app's services over the <c>--db</c> database with its migrations applied: what a CLI verb resolves its
    /// services from. A verb that only reads passes <paramref name="existing"/>: a database that does not exist is then
    /// refused (<c>error: no database at …</c>) instead of created.
    /// </summary>
    public static async Task<ServiceProvider> ServicesAsync(ParseResult parse, CancellationToken ct, bool existing = false)
    {
        var services = Services(parse);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            if (existing) await db.RequireExistingAsync(services.GetRequiredService<DatabaseSelection>(), ct);
            await db.MigrateAsync(ct);
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public static DatabaseSelection Selection(ParseResult parse) => DatabaseSelection.Resolve(parse.GetValue(Db));

    /// <summary>Reports a user error on standard error and returns exit code 1.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
