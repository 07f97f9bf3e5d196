using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Core.Audit;

namespace Trellis.Audit;

public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services) => services.AddSingleton<AuditService>();

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization(Policies.HrOrAdmin);
        api.MapGet("/", GetAudit);
        api.MapGet("/status", GetStatus);
        // Section downloads for the dashboard (sign-in cookie); same role rule.
        app.MapGet("/audit/download/{file}", Download).RequireAuthorization(Policies.HrOrAdmin).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The culture audit: the object of <c>trellis audit --format json</c>. <c>recompute=true</c> skips the cache.
    /// <c>page</c>/<c>page_size</c> page its <c>flags</c> (thousands at 100,000 people), with their count in <c>X-Total-Count</c>;
    /// the rest of the object is unchanged.
    /// </summary>
    public static async Task<Results<Ok<AuditReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAudit(
        AuditService audit, HttpResponse response, IOptions<JsonOptions> json, string? cycle, bool? recompute, int? page,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct)
    {
        var paging = new Shared.ApiPaging(page, pageSize);
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var result = await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, recompute == true, ct);
        if (result is null) return UnknownCycle(cycle!).ToProblemResult();
        if (paging.Requested) return TypedResults.Ok(result.Report with { Flags = paging.Apply(result.Report.Flags, response) });
        // The whole report is over a megabyte at 100,000 people (every flag): serialised once per computed report, not per
        // request. The report object is the key, so a recomputed audit is serialised afresh.
        var bytes = Serialised.GetValue(result.Report, report => JsonSerializer.SerializeToUtf8Bytes(report, json.Value.SerializerOptions));
        return TypedResults.File(bytes, "application/json; charset=utf-8");
    }

    private static readonly ConditionalWeakTable<AuditReport, byte[]> Serialised = new();

    /// <summary>
    /// Whether a new audit is being computed and when the one shown was: what the dashboard polls (never waits, never
    /// computes; it asks for a check in the background, at most every few seconds).
    /// </summary>
    public static Ok<AuditStatus> GetStatus(AuditService audit, string? cycle)
    {
        cycle = string.IsNullOrWhiteSpace(cycle) ? null : cycle;
        _ = audit.CheckInBackground(cycle);
        var running = audit.ProgressFor(cycle);
        return TypedResults.Ok(new AuditStatus(running is not null, running?.StartedAt, running?.DatesDone ?? 0, running?.DatesTotal ?? 0,
            audit.Peek(cycle)?.ComputedAt));
    }

    /// <summary><c>/audit/download/{section}.csv|json[?cycle=]</c>: one section of the audit.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(
        AuditService audit, string file, string? cycle, CancellationToken ct)
    {
        var dot = file.LastIndexOf('.');
        var (section, format) = dot < 0 ? (file, "") : (file[..dot], file[(dot + 1)..]);
        if (!AuditSections.Keys.Contains(section) || format is not ("csv" or "json"))
            return Problem.NotFound($"'{file}' is not an audit download; use one of {string.Join(", ", AuditSections.Keys)} followed by .csv or .json.").ToProblemResult();
        var result = await audit.GetAsync(string.IsNullOrWhiteSpace(cycle) ? null : cycle, false, ct);
        if (result is null) return UnknownCycle(cycle!).ToProblemResult();
        var name = $"audit-{section}{(cycle is null ? "" : "-" + Slug(cycle))}-{result.Report.AsOf:yyyy-MM-dd}.{format}";
        var bytes = format == "csv"
            ? Encoding.UTF8.GetBytes(AuditSections.Csv(AuditSections.Find(result.Report, section)!))
            : JsonSerializer.SerializeToUtf8Bytes(AuditSections.JsonOf(result.Report, section), TrellisJson.Indented);
        return TypedResults.File(bytes, format == "csv" ? "text/csv; charset=utf-8" : "application/json", name);
    }

    private static string Slug(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());

    private static Problem UnknownCycle(string cycle) => Problem.NotFound($"There is no cycle named '{cycle}' in the promotion history.");
}

/// <summary>The state of the background audit: <c>computing</c> since <c>started_at</c> (<c>dates_done</c> of <c>dates_total</c>
/// decision dates computed so far), and when the result now shown was computed (null before the first).</summary>
public sealed record AuditStatus(bool Computing, DateTimeOffset? StartedAt, int DatesDone, int DatesTotal, DateTimeOffset? ComputedAt);
