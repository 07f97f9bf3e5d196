using System.CommandLine;
using System.Text.Json;
using Trellis.Cli;

namespace Trellis.Audit;

public static class AuditCommand
{
    public static Command Create()
    {
        var cycle = new Option<string?>("--cycle") { Description = "audit one cycle only (by name)" };
        var format = new Option<string>("--format") { Description = "json (the API object) or md (a Markdown report)", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "md");
        var command = new Command("audit", "Culture audit: what does this organisation promote?");
        command.Options.Add(cycle);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            // The app's services, so that the readiness engine and framework store are wired exactly as when serving.
            await using var services = await TrellisCommands.ServicesAsync(parse, ct, existing: true);
            var audit = services.GetRequiredService<AuditService>();
            var name = parse.GetValue(cycle);
            var result = await audit.GetAsync(string.IsNullOrWhiteSpace(name) ? null : name, recompute: true, ct);
            if (result is null)
            {
                var known = await audit.CycleNamesAsync(ct);
                return TrellisCommands.Fail($"there is no cycle named '{name}'; known cycles: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
            }
            Console.Out.Write(parse.GetValue(format) == "md"
                ? AuditSections.Markdown(result.Report)
                : JsonSerializer.Serialize(result.Report, TrellisJson.Indented) + Environment.NewLine);
            return 0;
        });
        return command;
    }
}
