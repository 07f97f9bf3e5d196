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
            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            await using var scope = services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<AccountService>();
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
        var employee = new Option<string?>("--employee") { Description = "employee id whose account gets the token" };
        var name = new Option<string?>("--name") { Description = "a name to recognise the token by" };
        var scim = new Option<bool>("--scim") { Description = "a provisioning token for /scim/v2 (belongs to no person) instead of a personal one" };
        var command = new Command("token", "Print a new personal API token, or with --scim a provisioning token (alone on the last line)");
        command.Options.Add(employee);
        command.Options.Add(name);
        command.Options.Add(scim);
        command.SetAction(async (parse, ct) =>
        {
            var isScim = parse.GetValue(scim);
            var employeeId = parse.GetValue(employee);
            if (isScim && employeeId is not null) return TrellisCommands.Fail("--scim makes a token that belongs to no person: leave out --employee");
            if (!isScim && employeeId is null) return TrellisCommands.Fail("--employee is required (or --scim for a provisioning token)");
            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            await using var scope = services.CreateAsyncScope();
            try
            {
                if (isScim)
                {
                    var (id, provisioning) = await scope.ServiceProvider.GetRequiredService<Provisioning.ProvisioningTokens>().CreateAsync(parse.GetValue(name), null, ct);
                    Console.WriteLine($"Provisioning token #{id} for /scim/v2. Give it to the identity provider as its secret token. It is shown only once.");
                    Console.WriteLine(provisioning);
                    return 0;
                }
                var token = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateTokenAsync(employeeId!, parse.GetValue(name), ct);
                Console.WriteLine("Use it as: Authorization: Bearer <token>. It is shown only once.");
                Console.WriteLine(token);
                return 0;
            }
            catch (ArgumentException ex) { return TrellisCommands.Fail(ex.Message); }
        });
        return command;
    }
}
