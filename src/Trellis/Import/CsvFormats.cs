using Trellis.Data;

namespace Trellis.Import;

/// <summary>The files of one import run, in the order they are validated and written.</summary>
public enum ImportFileKind { Framework, Employees, Observations, Results, Recognitions, Promotions, Concerns }

public enum CsvColumnType { Text, Date, Rating, Score, Bool }

/// <summary>
/// One column of a CSV format (README.md, "CSV files"): its header name, the entity property it fills, its type and rules.
/// <see cref="Allowed"/> lists the only accepted values (an enum); <see cref="Default"/> fills an empty optional enum.
/// Ids, enums, dates and numbers are trimmed; <see cref="FreeText"/> (names, comments, messages) is kept exactly as written.
/// </summary>
/// <see cref="IsId"/> marks ids and keys, which appear in page addresses; <see cref="Normalise"/> turns a raw value into the
/// stored one or says why it is not valid (a rule shared with the API, such as a results period).
public sealed record CsvColumn(string Name, string Property, CsvColumnType Type, bool Required, int MaxLength = 0, IReadOnlyList<string>? Allowed = null, string? Default = null, bool FreeText = false,
    bool IsId = false, Func<string, (string? Value, string? Error)>? Normalise = null);

/// <summary>One CSV format: the file name used on the command line and export, its columns, and the key it is upserted by.</summary>
public sealed record CsvFormat(ImportFileKind Kind, string FileName, string Option, Type Entity, IReadOnlyList<CsvColumn> Columns, IReadOnlyList<string> Key)
{
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++) if (Columns[i].Name == column) return i;
        return -1;
    }
}

public static class CsvFormats
{
    public static readonly IReadOnlyList<string> Statuses = [EmployeeStatus.Active, EmployeeStatus.Left];
    public static readonly IReadOnlyList<string> Relationships = ["self", "manager", "peer", "report", "skip_level", "other"];
    public static readonly IReadOnlyList<string> Visibilities = ["shared", "private"];
    public static readonly IReadOnlyList<string> Outcomes = ["promoted", "not_promoted", "declined", "deferred"];

    private static CsvColumn Id(string name, string property, bool required = true) => new(name, property, CsvColumnType.Text, required, 64, IsId: true);

    /// <summary>A results period as the API takes it: upper-cased, a year with an optional half or quarter.</summary>
    private static (string? Value, string? Error) Period(string raw)
    {
        var period = raw.ToUpperInvariant();
        return Evidence.ResultService.IsPeriod(period)
            ? (period, null)
            : (null, $"'{CsvValues.Shorten(raw)}' is not a period: use a year with a half or quarter, e.g. 2025-H2, 2025-Q3 or 2025");
    }

    public static readonly CsvFormat Employees = new(ImportFileKind.Employees, "employees.csv", "--employees", typeof(Employee),
    [
        Id("employee_id", nameof(Employee.Id)),
        new("name", nameof(Employee.Name), CsvColumnType.Text, true, 200, FreeText: true),
        new("email", nameof(Employee.Email), CsvColumnType.Text, true, 320),
        Id("manager_id", nameof(Employee.ManagerId), required: false),
        new("department", nameof(Employee.Department), CsvColumnType.Text, false, 200, FreeText: true),
        new("location", nameof(Employee.Location), CsvColumnType.Text, false, 200, FreeText: true),
        new("title", nameof(Employee.Title), CsvColumnType.Text, false, 200, FreeText: true),
        Id("track", nameof(Employee.Track)),
        Id("level", nameof(Employee.Level)),
        new("hire_date", nameof(Employee.HireDate), CsvColumnType.Date, true),
        new("level_since", nameof(Employee.LevelSince), CsvColumnType.Date, false),
        new("status", nameof(Employee.Status), CsvColumnType.Text, false, 16, Statuses, EmployeeStatus.Active),
        new("gender", nameof(Employee.Gender), CsvColumnType.Text, false, 64),
    ], ["employee_id"]);

    public static readonly CsvFormat Observations = new(ImportFileKind.Observations, "observations.csv", "--observations", typeof(Observation),
    [
        Id("observation_id", nameof(Observation.Id)),
        Id("subject_id", nameof(Observation.SubjectId)),
        Id("rater_id", nameof(Observation.RaterId)),
        new("relationship", nameof(Observation.Relationship), CsvColumnType.Text, true, 16, Relationships),
        Id("behavior", nameof(Observation.Behavior)),
        new("rating", nameof(Observation.Rating), CsvColumnType.Rating, true),
        new("observed_on", nameof(Observation.ObservedOn), CsvColumnType.Date, true),
        new("comment", nameof(Observation.Comment), CsvColumnType.Text, false, FreeText: true),
        new("visibility", nameof(Observation.Visibility), CsvColumnType.Text, false, 16, Visibilities, "shared"),
    ], ["observation_id"]);

    public static readonly CsvFormat Results = new(ImportFileKind.Results, "results.csv", "--results", typeof(ResultRecord),
    [
        Id("employee_id", nameof(ResultRecord.EmployeeId)),
        new("period", nameof(ResultRecord.Period), CsvColumnType.Text, true, 32, Normalise: Period),
        new("period_end", nameof(ResultRecord.PeriodEnd), CsvColumnType.Date, true),
        new("score", nameof(ResultRecord.Score), CsvColumnType.Score, true),
    ], ["employee_id", "period"]);

    public static readonly CsvFormat Recognitions = new(ImportFileKind.Recognitions, "recognitions.csv", "--recognitions", typeof(Recognition),
    [
        Id("recognition_id", nameof(Recognition.Id)),
        Id("from_id", nameof(Recognition.FromId)),
        Id("to_id", nameof(Recognition.ToId)),
        Id("value", nameof(Recognition.Value)),
        Id("behavior", nameof(Recognition.Behavior), required: false),
        new("message", nameof(Recognition.Message), CsvColumnType.Text, false, FreeText: true),
        new("given_on", nameof(Recognition.GivenOn), CsvColumnType.Date, true),
    ], ["recognition_id"]);

    public static readonly CsvFormat Promotions = new(ImportFileKind.Promotions, "promotions.csv", "--promotions", typeof(PromotionRecord),
    [
        Id("cycle", nameof(PromotionRecord.Cycle)),
        new("decided_on", nameof(PromotionRecord.DecidedOn), CsvColumnType.Date, true),
        Id("employee_id", nameof(PromotionRecord.EmployeeId)),
        Id("from_level", nameof(PromotionRecord.FromLevel)),
        Id("to_level", nameof(PromotionRecord.ToLevel)),
        new("outcome", nameof(PromotionRecord.Outcome), CsvColumnType.Text, true, 16, Outcomes),
    ], ["cycle", "employee_id"]);

    public static readonly CsvFormat Concerns = new(ImportFileKind.Concerns, "concerns.csv", "--concerns", typeof(Concern),
    [
        Id("concern_id", nameof(Concern.Id)),
        Id("employee_id", nameof(Concern.EmployeeId)),
        Id("category", nameof(Concern.Category)),
        new("substantiated", nameof(Concern.Substantiated), CsvColumnType.Bool, true),
        new("recorded_on", nameof(Concern.RecordedOn), CsvColumnType.Date, true),
    ], ["concern_id"]);

    /// <summary>The six CSV formats in import order (employees first: the others refer to them).</summary>
    public static readonly IReadOnlyList<CsvFormat> All = [Employees, Observations, Results, Recognitions, Promotions, Concerns];

    public const string FrameworkFileName = "framework.json";

    public static CsvFormat For(ImportFileKind kind) => All.First(f => f.Kind == kind);
}
