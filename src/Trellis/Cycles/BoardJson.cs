using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Trellis.Cycles;

/// <summary>
/// The board answer, written straight to the response with a <see cref="Utf8JsonWriter"/>. A 5,000-candidate board
/// is about 1.9 MB of JSON and serialisation was its largest server cost; the output is exactly what the API's JSON
/// options make of <see cref="BoardResponse"/> (a test compares the two), so OpenAPI still describes it as that record.
/// </summary>
public sealed class BoardJson(BoardResponse board) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<BoardResponse>, IContentTypeHttpResult
{
    public BoardResponse Value => board;
    object? IValueHttpResult.Value => board;
    public int? StatusCode => StatusCodes.Status200OK;
    public string ContentType => "application/json; charset=utf-8";

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(BoardResponse), ["application/json"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        // The same encoder as every other API answer (ASP.NET Core's JSON options relax escaping by default).
        var encoder = httpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions.Encoder;
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { Encoder = encoder, SkipValidation = true }))
            Write(writer, board);
        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public static void Write(IBufferWriter<byte> output, BoardResponse board, System.Text.Encodings.Web.JavaScriptEncoder? encoder)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = encoder });
        Write(writer, board);
    }

    private static readonly JsonEncodedText
        Cycle = JsonEncodedText.Encode("cycle"), Phase = JsonEncodedText.Encode("phase"), Budget = JsonEncodedText.Encode("budget"),
        BudgetUsed = JsonEncodedText.Encode("budget_used"), Candidates = JsonEncodedText.Encode("candidates"), Bands = JsonEncodedText.Encode("bands"),
        Rows = JsonEncodedText.Encode("rows"), NominationId = JsonEncodedText.Encode("nomination_id"), EmployeeId = JsonEncodedText.Encode("employee_id"),
        Name = JsonEncodedText.Encode("name"), Department = JsonEncodedText.Encode("department"), CurrentLevel = JsonEncodedText.Encode("current_level"),
        TargetLevel = JsonEncodedText.Encode("target_level"), Band = JsonEncodedText.Encode("band"), ValuesScore = JsonEncodedText.Encode("values_score"),
        ValuesCi = JsonEncodedText.Encode("values_ci"), ResultsGate = JsonEncodedText.Encode("results_gate"), LatestResults = JsonEncodedText.Encode("latest_results"),
        EvidenceCount = JsonEncodedText.Encode("evidence_count"), RaterCount = JsonEncodedText.Encode("rater_count"), Flags = JsonEncodedText.Encode("flags"),
        Response = JsonEncodedText.Encode("response"), Decision = JsonEncodedText.Encode("decision"), DecidedLevel = JsonEncodedText.Encode("decided_level"),
        Version = JsonEncodedText.Encode("version"), Recused = JsonEncodedText.Encode("recused"), BudgetUsedWithoutOwn = JsonEncodedText.Encode("budget_used_without_own");

    private static void Write(Utf8JsonWriter w, BoardResponse b)
    {
        w.WriteStartObject();
        w.WriteString(Cycle, b.Cycle);
        w.WriteString(Phase, b.Phase);
        w.WriteNumber(Budget, b.Budget);
        w.WriteNumber(BudgetUsed, b.BudgetUsed);
        w.WriteNumber(Candidates, b.Candidates);
        w.WriteStartObject(Bands);
        foreach (var (band, count) in b.Bands) w.WriteNumber(band, count);
        w.WriteEndObject();
        w.WriteStartArray(Rows);
        foreach (var r in b.Rows)
        {
            w.WriteStartObject();
            w.WriteNumber(NominationId, r.NominationId);
            w.WriteString(EmployeeId, r.EmployeeId);
            w.WriteString(Name, r.Name);
            w.WriteString(Department, r.Department);
            w.WriteString(CurrentLevel, r.CurrentLevel);
            w.WriteString(TargetLevel, r.TargetLevel);
            w.WriteString(Band, r.Band);
            NumberOrNull(w, ValuesScore, r.ValuesScore);
            if (r.ValuesCi is null) w.WriteNull(ValuesCi);
            else
            {
                w.WriteStartArray(ValuesCi);
                foreach (var x in r.ValuesCi) w.WriteNumberValue(x);
                w.WriteEndArray();
            }
            w.WriteString(ResultsGate, r.ResultsGate);
            NumberOrNull(w, LatestResults, r.LatestResults);
            w.WriteNumber(EvidenceCount, r.EvidenceCount);
            w.WriteNumber(RaterCount, r.RaterCount);
            w.WriteStartArray(Flags);
            foreach (var f in r.Flags) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteString(Response, r.Response);
            w.WriteString(Decision, r.Decision);
            w.WriteString(DecidedLevel, r.DecidedLevel);
            w.WriteNumber(Version, r.Version);
            w.WriteBoolean(Recused, r.Recused);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean(BudgetUsedWithoutOwn, b.BudgetUsedWithoutOwn);
        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, JsonEncodedText name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
