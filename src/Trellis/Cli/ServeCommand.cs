using System.CommandLine;
using Trellis.Data;

namespace Trellis.Cli;

public static partial class ServeCommand
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
    /// Any key with a value is configuration (sections as <c>--Webhooks:AllowHttp=true</c>, flat keys as
    /// <c>--OTEL_EXPORTER_OTLP_ENDPOINT=…</c>); what is refused is a flag without a value that serve does not know
    /// (<c>--bogus</c>, a mistyped <c>--dmeo</c>) and a stray word, which ASP.NET would silently ignore.
    /// </summary>
    private static string? Unexpected(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--demo") continue;
            var prefixed = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') ? 1 : 0;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (prefixed == 0 && equals < 0) return $"the argument '{arg}'";
            var key = equals >= 0 ? arg[prefixed..equals] : arg[prefixed..];
            if (!ConfigurationKey().IsMatch(key))
                return prefixed == 0 ? $"the argument '{arg}'" : $"the option '{(equals >= 0 ? arg[..equals] : arg)}'";
            if (equals >= 0) continue;
            // "--key value": the next argument is the value; a key with none is a flag serve does not have.
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (!hasValue && !RootKeys.Contains(key)) return $"the option '{arg}'";
            if (hasValue) i++;
        }
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_.\-]+(:[A-Za-z0-9_.\-]+)*$")]
    private static partial System.Text.RegularExpressions.Regex ConfigurationKey();
}
