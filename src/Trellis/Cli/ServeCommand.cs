using System.CommandLine;
using Trellis.Data;

namespace Trellis.Cli;

public static class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls") { Description = $"where to listen (default {TrellisWeb.DefaultUrl})" };
    private static readonly Option<string?> LogFormat = new("--log-format") { Description = "console log format: simple (default) or json" };
    private static readonly Option<bool> Demo = new("--demo") { Description = "seed a demo organisation into an empty database and print its sign-ins" };

    /// <summary>
    /// Configuration keys without a section that <c>serve</c> takes as options besides its own: the ASP.NET Core host's
    /// (<c>--environment</c>, <c>--contentRoot</c>, …; the test host passes some of them) and the root-level keys Trellis
    /// reads. Sectioned keys (<c>--Webhooks:AllowHttp=true</c>) are always configuration.
    /// </summary>
    private static readonly HashSet<string> RootKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "db", "urls", "demo", "log-format", "warmup", "demoEmployees", "demoSeed",
        "environment", "contentRoot", "applicationName", "webroot", "http_ports", "https_ports", "AllowedHosts",
        "detailedErrors", "shutdownTimeoutSeconds", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies",
        "preventHostingStartup", "suppressStatusMessages", "captureStartupErrors",
    };

    /// <summary>Listed for help; serving itself is dispatched before parsing so that ASP.NET options pass through.</summary>
    public static Command Create()
    {
        var command = new Command("serve", "Run the web app and API (the default verb). Settings pass as --Section:Key=value (README.md, \"Configuration\")");
        command.Options.Add(Urls);
        command.Options.Add(Demo);
        command.Options.Add(LogFormat);
        return command;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (Unexpected(args) is { } unexpected)
            return TrellisCommands.Fail($"serve does not take {unexpected}; its options are --db, --urls, --demo and --log-format, and settings pass as --Section:Key=value (trellis serve --help)");
        var demo = args.Contains("--demo");
        // --demo is a bare switch; the ASP.NET configuration parser wants key/value pairs.
        var rest = args.Where(a => a != "--demo").ToArray();
        WebApplication app;
        try
        {
            app = TrellisWeb.Build(rest, new ServeOptions(Demo: demo, WarmUp: true));
            // Migrated here, before the host starts, so that a database that cannot be used ends `serve` with one line
            // (the host would log its failure with a stack trace and abort the process); the start-up task then finds nothing to do.
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<TrellisDb>().MigrateAsync();
        }
        catch (Exception e) when (TrellisCommands.OperatorProblem(e) is { } problem)
        {
            return TrellisCommands.Fail(problem);
        }
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// The first argument that is neither an option of serve nor a configuration setting (as the ASP.NET Core command-line
    /// configuration reads them: <c>--key=value</c>, <c>--key value</c>, <c>/key value</c>, <c>key=value</c>), or null.
    /// A mistyped option is refused instead of silently ignored.
    /// </summary>
    private static string? Unexpected(string[] args)
    {
        // A host that passes its whole configuration as arguments (the test host does) also passes each section alone: --Webhooks=.
        var sections = args.Select(a => a.TrimStart('-', '/')).Where(a => a.Contains(':', StringComparison.Ordinal))
            .Select(a => a[..a.IndexOf(':', StringComparison.Ordinal)]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--demo") continue;
            var prefixed = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') ? 1 : 0;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (prefixed == 0 && equals < 0) return $"the argument '{arg}'";
            var key = equals >= 0 ? arg[prefixed..equals] : arg[prefixed..];
            if (!(RootKeys.Contains(key) || sections.Contains(key) || (key.Contains(':', StringComparison.Ordinal) && !key.StartsWith(':') && !key.EndsWith(':'))))
                return prefixed == 0 ? $"the argument '{arg}'" : $"the option '{(equals >= 0 ? arg[..equals] : arg)}'";
            // "--key value": the next argument is the value, whatever it looks like.
            if (prefixed > 0 && equals < 0) i++;
        }
        return null;
    }
}
