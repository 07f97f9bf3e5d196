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
        // Serving is the default: `trellis`, `trellis --db x` and `trellis serve …` all start the web app.
        if (args.Length == 0 || args[0] == "serve" || (args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "--version")))
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
        catch (System.Data.Common.DbException e)
        {
            // A database that cannot be reached or refuses the sign-in is the operator's to fix: say so in one line
            // (the verb's own checks already print "error: …"); anything else is a bug and keeps its stack trace.
            return Fail($"the database refused or could not be reached: {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As System.CommandLine's own handler did: the whole exception on standard error, exit code 1.
            Console.Error.WriteLine($"Unhandled exception: {e}");
            return 1;
        }
    }

    /// <summary>
    /// The app's services (<see cref="Features.AddTrellisServices"/>, no HTTP) over the <c>--db</c> database, for a verb
    /// that checks migrations itself (<c>trellis readiness</c>). Logs go to standard error so that standard output is
    /// only the verb's result.
    /// </summary>
    public static ServiceProvider Services(ParseResult parse) => new ServiceCollection()
        .AddLogging(l => l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning))
        .AddTrellisServices(Selection(parse))
        .BuildServiceProvider();

    /// <summary>The app's services over the <c>--db</c> database with its migrations applied: what a CLI verb resolves its services from.</summary>
    public static async Task<ServiceProvider> ServicesAsync(ParseResult parse, CancellationToken ct)
    {
        var services = Services(parse);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TrellisDb>().MigrateAsync(ct);
        return services;
    }

    public static DatabaseSelection Selection(ParseResult parse) => DatabaseSelection.Resolve(parse.GetValue(Db));

    /// <summary>Reports a user error on standard error and returns exit code 1.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
