using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Trellis.Cli;
using Trellis.Core.Readiness;
using Trellis.Framework;

namespace Trellis.Readiness;

/// <summary><c>trellis readiness [--db V] [--as-of DATE] [--target next|LEVEL] [--format json|csv]</c> (CONTRACTS.md).</summary>
public static class ReadinessCommand
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var asOf = new Option<string?>("--as-of") { Description = "use only evidence dated on or before this day (YYYY-MM-DD); default today" };
        var target = new Option<string?>("--target") { Description = "'next' (the next band on the same track, default) or a level key" };
        var format = new Option<string>("--format") { Description = "json or csv", DefaultValueFactory = _ => "json" };
        var command = new Command("readiness", "Compute readiness for every active employee");
        command.Options.Add(asOf);
        command.Options.Add(target);
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            var formatValue = parse.GetValue(format) ?? "json";
            if (formatValue is not ("json" or "csv")) return TrellisCommands.Fail($"--format must be json or csv, not '{formatValue}'");
            DateOnly day;
            if (parse.GetValue(asOf) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
                    return TrellisCommands.Fail($"--as-of must be a date YYYY-MM-DD, not '{text}'");
            }
            else day = DateOnly.FromDateTime(DateTime.UtcNow);

            await using var db = await TrellisCommands.OpenDatabaseAsync(parse, ct);
            var framework = (await FrameworkStore.LoadCurrentAsync(db, ct))?.Framework;
            if (framework is null) return TrellisCommands.Fail("no career framework has been imported yet; run 'trellis import --framework framework.json' first");
            var targetValue = parse.GetValue(target);
            if (ReadinessAssessment.ValidateTarget(framework, targetValue) is { } problem) return TrellisCommands.Fail($"--target: {problem}");

            var evidence = await ReadinessSnapshotLoader.LoadAsync(db, framework, ct);
            var assessment = ReadinessAssessment.Compute(evidence.Snapshot, framework, new ReadinessOptions { AsOf = day }, evidence.Departments);
            await using var stdout = Console.OpenStandardOutput();
            await using var buffered = new BufferedStream(stdout, 1 << 16);
            if (formatValue == "json") WriteJson(buffered, assessment, targetValue);
            else WriteCsv(buffered, assessment, targetValue);
            return 0;
        });
        return command;
    }

    /// <summary>A JSON array ordered by employee id, one object per line.</summary>
    public static void WriteJson(Stream stream, ReadinessAssessment assessment, string? target)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write('[');
        var first = true;
        foreach (var person in assessment.ActivePersons)
        {
            writer.Write(first ? "\n" : ",\n");
            first = false;
            writer.Write(JsonSerializer.Serialize(assessment.Report(person, target), Json));
        }
        writer.Write(first ? "]\n" : "\n]\n");
    }

    /// <summary>Columns of <c>--format csv</c>: the fixed ones, then five per behaviour in framework order.</summary>
    public static IReadOnlyList<string> CsvColumns(IReadOnlyList<string> behaviorKeys) =>
    [
        "employee_id", "current_level", "target_level", "move", "band", "values_score", "values_ci_low", "values_ci_high",
        "evidence_count", "rater_count", "results_gate", "self_rating_mean", "gaps", "explanation",
        .. behaviorKeys.SelectMany(k => new[] { $"{k}_score", $"{k}_ci_low", $"{k}_ci_high", $"{k}_evidence", $"{k}_expected" }),
    ];

    public static void WriteCsv(Stream stream, ReadinessAssessment assessment, string? target)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(string.Join(',', CsvColumns(assessment.Snapshot.BehaviorKeys)));
        writer.Write("\r\n");
        var ci = CultureInfo.InvariantCulture;
        var line = new StringBuilder(1024);
        foreach (var person in assessment.ActivePersons)
        {
            var r = assessment.Report(person, target);
            line.Clear();
            Field(line, r.EmployeeId).Append(',');
            Field(line, r.CurrentLevel).Append(',');
            Field(line, r.TargetLevel).Append(',');
            Field(line, r.Move).Append(',');
            Field(line, r.Band).Append(',');
            Number(line, r.ValuesScore).Append(',');
            Number(line, r.ValuesCi?[0]).Append(',');
            Number(line, r.ValuesCi?[1]).Append(',');
            line.Append(r.EvidenceCount.ToString(ci)).Append(',');
            line.Append(r.RaterCount.ToString(ci)).Append(',');
            Field(line, r.ResultsGate).Append(',');
            Number(line, r.SelfRatingMean).Append(',');
            Field(line, string.Join(';', r.Gaps)).Append(',');
            Field(line, r.Explanation);
            foreach (var b in r.Behaviors)
            {
                line.Append(',');
                Number(line, b.Score).Append(',');
                Number(line, b.Ci?[0]).Append(',');
                Number(line, b.Ci?[1]).Append(',');
                line.Append(b.EvidenceCount.ToString(ci)).Append(',');
                if (b.Expected is { } e) line.Append(e.ToString(ci));
            }
            line.Append("\r\n");
            writer.Write(line);
        }
    }

    private static StringBuilder Number(StringBuilder line, double? value) =>
        value is { } v ? line.Append(v.ToString("0.##", CultureInfo.InvariantCulture)) : line;

    /// <summary>RFC 4180: quote when the value holds a comma, quote or line break; double the quotes.</summary>
    private static StringBuilder Field(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value)) return line;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return line.Append(value);
        return line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
    }
}
