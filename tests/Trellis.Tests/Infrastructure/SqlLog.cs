using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Data;

namespace Trellis.Tests.Infrastructure;

/// <summary>
/// Every SQL command and every <c>SaveChanges</c> of a host, for tests that a request's cost does not grow with the
/// organisation: they count and read the statements a request makes instead of timing it. Background workers of the
/// host query too, so tests pick their statements by table.
/// </summary>
public sealed class SqlLog : DbCommandInterceptor, ISaveChangesInterceptor
{
    private int _saves;

    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>How many times <c>SaveChanges</c> ran (each its own transaction or commit).</summary>
    public int Saves => Volatile.Read(ref _saves);

    public void Clear()
    {
        Commands.Clear();
        Interlocked.Exchange(ref _saves, 0);
    }

    /// <summary>The statements that name <paramref name="table"/> (quoted on SQLite, bare on PostgreSQL).</summary>
    public List<string> On(string table)
    {
        var name = new Regex($@"\b{Regex.Escape(table)}\b", RegexOptions.CultureInvariant);
        return Commands.Where(c => name.IsMatch(c)).ToList();
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }

    InterceptionResult<int> ISaveChangesInterceptor.SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Interlocked.Increment(ref _saves);
        return result;
    }

    ValueTask<InterceptionResult<int>> ISaveChangesInterceptor.SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _saves);
        return ValueTask.FromResult(result);
    }
}

public static class SqlLogging
{
    /// <summary>
    /// A second host over the app's database whose contexts report to <paramref name="log"/>, and an API client of it signed
    /// in as <paramref name="employeeId"/>. Dispose the host before the app.
    /// </summary>
    public static async Task<(WebApplicationFactory<Program> Host, HttpClient Client)> LoggedClientAsync(this TrellisApp app, SqlLog log, string employeeId)
    {
        var host = app.WithWebHostBuilder(b => b.ConfigureServices(s =>
        {
            s.ConfigureDbContext<SqliteTrellisDb>(o => o.AddInterceptors(log));
            s.ConfigureDbContext<PostgresTrellisDb>(o => o.AddInterceptors(log));
        }));
        var token = await app.WithDbAsync(db => new AccountService(db, TimeProvider.System).CreateTokenAsync(employeeId, "sql-log"));
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (host, client);
    }
}
