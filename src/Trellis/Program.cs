using Trellis.Cli;

// `trellis` with no verb, or `trellis serve`, runs the web app; every other verb is a CLI command.
return await TrellisCommands.RunAsync(args);

public partial class Program;
