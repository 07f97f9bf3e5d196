using System.CommandLine;
using Trellis.Cli;

namespace Trellis.Accounts;

public static class UserCommands
{
    public static Command CreateUser()
    {
        var employee = new Option<string>("--employee") { Description = "employee id the account belongs to", Required = true };
        var role = new Option<string[]>("--role") { Description = "employee | manager | hr | committee | admin (repeatable)", Required = true, AllowMultipleArgumentsPerToken = false };
        var password = new Option<string?>("--password") { Description = "password (generated and printed when omitted)" };
        var add = new Command("add", "Create an account for an employee, or add roles to it");
        add.Options.Add(employee);
        add.Options.Add(role);
        add.Options.Add(password);
        add.SetAction(async (parse, ct) =>
        {
            await using var db = await TrellisCommands.OpenDatabaseAsync(parse, ct);
            var service = new AccountService(db, TimeProvider.System);
            try
            {
                var (account, generated, created) = await service.AddUserAsync(parse.GetValue(employee)!, parse.GetValue(role)!, parse.GetValue(password), ct);
                Console.WriteLine($"{(created ? "Created" : "Updated")} account for {account.EmployeeId} with roles: {account.Roles.Replace(' ', ',')}");
                if (generated is not null) Console.WriteLine($"Password: {generated}");
                return 0;
            }
            catch (ArgumentException ex) { return TrellisCommands.Fail(ex.Message); }
        });
        var user = new Command("user", "Manage sign-in accounts");
        user.Subcommands.Add(add);
        return user;
    }

    public static Command CreateToken()
    {
        var employee = new Option<string>("--employee") { Description = "employee id whose account gets the token", Required = true };
        var name = new Option<string?>("--name") { Description = "a name to recognise the token by" };
        var command = new Command("token", "Print a new personal API token (alone on the last line)");
        command.Options.Add(employee);
        command.Options.Add(name);
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await TrellisCommands.OpenDatabaseAsync(parse, ct);
            try
            {
                var token = await new AccountService(db, TimeProvider.System).CreateTokenAsync(parse.GetValue(employee)!, parse.GetValue(name), ct);
                Console.WriteLine("Use it as: Authorization: Bearer <token>. It is shown only once.");
                Console.WriteLine(token);
                return 0;
            }
            catch (ArgumentException ex) { return TrellisCommands.Fail(ex.Message); }
        });
        return command;
    }
}
