using System.CommandLine;
using Microsoft.EntityFrameworkCore;
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
        var personal = new Option<bool>("--personal") { Description = "with --revoke: the id is a personal token's (needed only when a provisioning token has the same id)" };
        var revoke = new Option<int?>("--revoke")
        {
            Description = "revoke the token with this id instead of creating one: with --scim a provisioning token, with --personal a personal one, "
                + "without either whichever kind has the id (refused when both have it)",
        };
        var command = new Command("token", "Print a new personal API token, or with --scim a provisioning token (alone on the last line); --revoke TOKEN_ID revokes one");
        command.Options.Add(employee);
        command.Options.Add(name);
        command.Options.Add(scim);
        command.Options.Add(personal);
        command.Options.Add(revoke);
        command.SetAction(async (parse, ct) =>
        {
            var isScim = parse.GetValue(scim);
            var isPersonal = parse.GetValue(personal);
            var revokeId = parse.GetValue(revoke);
            var employeeId = parse.GetValue(employee);
            if (revokeId is not null && employeeId is not null) return TrellisCommands.Fail("--revoke takes only the token id; leave out --employee");
            if (isScim && employeeId is not null) return TrellisCommands.Fail("--scim makes a token that belongs to no person: leave out --employee");
            if (isScim && isPersonal) return TrellisCommands.Fail("a token is either --scim (provisioning) or --personal, not both");
            if (isPersonal && revokeId is null) return TrellisCommands.Fail("--personal goes with --revoke TOKEN_ID (a new personal token needs only --employee)");
            if (!isScim && revokeId is null && string.IsNullOrWhiteSpace(employeeId))
                return TrellisCommands.Fail("--employee is required (or --scim for a provisioning token, or --revoke TOKEN_ID to revoke one)");
            await using var services = await TrellisCommands.ServicesAsync(parse, ct);
            await using var scope = services.CreateAsyncScope();
            if (revokeId is { } id) return await RevokeAsync(scope.ServiceProvider, id, isScim, isPersonal, ct);
            try
            {
                if (isScim)
                {
                    var (scimId, provisioning) = await scope.ServiceProvider.GetRequiredService<Provisioning.ProvisioningTokens>().CreateAsync(parse.GetValue(name), null, ct);
                    Console.WriteLine($"Provisioning token {scimId} for /scim/v2 (revoke it with: trellis token --scim --revoke {scimId}). "
                        + "Give it to the identity provider as its secret token. It is shown only once.");
                    Console.WriteLine(provisioning);
                    return 0;
                }
                var created = await scope.ServiceProvider.GetRequiredService<TokenService>().CreateAsync(employeeId!, parse.GetValue(name), ct);
                Console.WriteLine($"Personal token {created.Id} for {employeeId} (revoke it with: trellis token --personal --revoke {created.Id}). "
                    + "Use it as: Authorization: Bearer <token>. It is shown only once.");
                Console.WriteLine(created.Token);
                return 0;
            }
            catch (ArgumentException ex) { return TrellisCommands.Fail(ex.Message); }
        });
        return command;
    }

    /// <summary>
    /// Personal and provisioning tokens are numbered separately, so one id can name one of each: without --scim or
    /// --personal the id must name exactly one token, or nothing is revoked.
    /// </summary>
    private static async Task<int> RevokeAsync(IServiceProvider services, int id, bool scim, bool personal, CancellationToken ct)
    {
        if (!scim && !personal)
        {
            var db = services.GetRequiredService<Data.TrellisDb>();
            var owner = await db.ApiTokens.Where(t => t.Id == id).Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => a.EmployeeId).FirstOrDefaultAsync(ct);
            var provisioning = await db.Set<Provisioning.ProvisioningToken>().Where(t => t.Id == id).Select(t => t.Name).FirstOrDefaultAsync(ct);
            if (owner is not null && provisioning is not null)
                return TrellisCommands.Fail($"token {id} is ambiguous: personal token {id} belongs to {owner} and provisioning token {id} is '{provisioning}'; "
                    + $"add --personal or --scim to say which to revoke");
            scim = provisioning is not null;
        }
        if (scim)
        {
            if (!await services.GetRequiredService<Provisioning.ProvisioningTokens>().RevokeAsync(id, null, ct))
                return TrellisCommands.Fail($"there is no provisioning token {id}");
            Console.WriteLine($"Revoked provisioning token {id}. It stops working at once.");
            return 0;
        }
        var (result, employee) = await services.GetRequiredService<TokenService>().RevokeAsync(id, TokenRevoker.CommandLine, ct);
        if (result != RevokeResult.Revoked) return TrellisCommands.Fail($"there is no token {id}");
        Console.WriteLine($"Revoked token {id} of {employee} (a personal token). It stops working at once.");
        return 0;
    }
}
