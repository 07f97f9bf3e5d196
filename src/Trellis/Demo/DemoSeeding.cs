using Microsoft.EntityFrameworkCore;
using Trellis.Core.Framework;
using Trellis.Data;
using Trellis.Framework;

namespace Trellis.Demo;

/// <summary>Seeds the demo organisation into an empty database and prints the demo sign-ins.</summary>
public static class DemoSeeding
{
    public const string DemoPassword = "trellis-demo";

    public static async Task SeedIfEmptyAndPrintAsync(IServiceProvider services, ServeOptions serve, CancellationToken ct)
    {
        var db = services.GetRequiredService<TrellisDb>();
        if (!await db.Employees.AnyAsync(ct))
        {
            var store = services.GetRequiredService<FrameworkStore>();
            var framework = FrameworkJson.Parse(FrameworkStore.SampleJson()).Framework!;
            await store.SaveVersionAsync(db, framework, "demo", "sample framework", ct);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            db.Employees.Add(new Employee { Id = "E001", Name = "Ada Admin", Email = "ada@example.com", Track = "leader", Level = "l6", HireDate = today.AddYears(-5) });
            await db.SaveChangesAsync(ct);
            var accounts = new Accounts.AccountService(db, TimeProvider.System);
            await accounts.AddUserAsync("E001", ["admin", "hr"], DemoPassword, ct);
        }
        Console.WriteLine($"Demo sign-in: E001 / {DemoPassword} (admin, hr)");
    }
}
