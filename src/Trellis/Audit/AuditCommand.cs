using System.CommandLine;

namespace Trellis.Audit;

public static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Culture audit: what does this organisation promote?");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: 'audit' is not available in this build yet");
            return 2;
        });
        return command;
    }
}
