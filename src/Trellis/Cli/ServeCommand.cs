using System.CommandLine;

namespace Trellis.Cli;

public static class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls") { Description = $"where to listen (default {TrellisWeb.DefaultUrl})" };
    private static readonly Option<string?> LogFormat = new("--log-format") { Description = "console log format: simple (default) or json" };
    private static readonly Option<bool> Demo = new("--demo") { Description = "seed a demo organisation into an empty database and print its sign-ins" };

    /// <summary>Listed for help; serving itself is dispatched before parsing so that ASP.NET options pass through.</summary>
    public static Command Create()
    {
        var command = new Command("serve", "Run the web app and API (the default verb)");
        command.Options.Add(Urls);
        command.Options.Add(Demo);
        command.Options.Add(LogFormat);
        return command;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var demo = args.Contains("--demo");
        // --demo is a bare switch; the ASP.NET configuration parser wants key/value pairs.
        var rest = args.Where(a => a != "--demo").ToArray();
        var app = TrellisWeb.Build(rest, new ServeOptions(Demo: demo, WarmUp: true));
        await app.RunAsync();
        return 0;
    }
}
