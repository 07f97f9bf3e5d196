namespace Trellis.Import;

/// <summary>
/// The rules of one file that look beyond a single field: references to employees (stored or in this run),
/// to the framework's tracks, levels, values and behaviours, rules between fields, and the manager chain.
/// </summary>
internal sealed class RowCheck
{
    private readonly CsvFormat _format;
    private readonly string _file;
    private readonly CsvRowReader _reader;
    private readonly RunState _run;
    private readonly Action<ImportProblem> _report;

    public RowCheck(CsvFormat format, string file, CsvRowReader reader, RunState run, Action<ImportProblem> report)
    {
        _format = format;
        _file = file;
        _reader = reader;
        _run = run;
        _report = report;
    }

    /// <summary>The first column of this file that needs the framework, or null.</summary>
    public string? NeedsFramework => _format.Kind switch
    {
        ImportFileKind.Employees => "track",
        ImportFileKind.Observations => "behavior",
        ImportFileKind.Recognitions => "value",
        ImportFileKind.Promotions => "from_level",
        _ => null,
    };

    private FrameworkKeys? Keys => _run.FrameworkUsable ? _run.Keys : null;

    private void Problem(string column, string message) => _report(new(_file, _reader.Line, column, message));

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>The emails of employees.csv by <see cref="EmployeeRules.EmailKey"/>: the first row with each.</summary>
    private readonly Dictionary<string, (int Line, string Id, string Email)> _emails = new(StringComparer.Ordinal);

    // Column positions are looked up once per file, not once per row.
    private string? S(object?[] values, string column)
    {
        if (!_index.TryGetValue(column, out var i)) _index[column] = i = _format.IndexOf(column);
        return values[i] as string;
    }

    public void Row(object?[] v)
    {
        switch (_format.Kind)
        {
            case ImportFileKind.Employees: Employee(v); break;
            case ImportFileKind.Observations: Observation(v); break;
            case ImportFileKind.Results: Employee(v, "employee_id"); break;
            case ImportFileKind.Recognitions: Recognition(v); break;
            case ImportFileKind.Promotions: Promotion(v); break;
            case ImportFileKind.Concerns: Employee(v, "employee_id"); break;
        }
    }

    private void Employee(object?[] v, string column)
    {
        if (S(v, column) is { } id && !_run.IsEmployee(id)) Problem(column, _run.UnknownEmployee(id));
    }

    private void Employee(object?[] v)
    {
        var id = S(v, "employee_id");
        var manager = S(v, "manager_id");
        var repeated = false;
        if (id is not null)
        {
            if (_run.FileEmployees.TryGetValue(id, out var first))
            {
                repeated = true;
                Problem("employee_id", $"duplicate employee_id '{CsvValues.Shorten(id)}'; first on line {first.Line}");
            }
            else
                _run.FileEmployees[id] = new FileEmployee(_reader.Line, manager);
            if (manager == id) Problem("manager_id", EmployeeRules.OwnManager);
        }
        if (S(v, "email") is { } email)
        {
            if (EmployeeRules.Email(email) is { } badEmail) Problem("email", badEmail);
            // A repeated row was reported already; its email is no second person's.
            else if (id is not null && !repeated)
            {
                var key = EmployeeRules.EmailKey(email);
                if (_emails.TryGetValue(key, out var holder)) Problem("email", EmployeeRules.DuplicateEmail(email, holder.Line, holder.Id));
                else _emails[key] = (_reader.Line, id, email);
            }
        }
        if (Keys is not { } keys) return;
        var track = S(v, "track");
        var level = S(v, "level");
        if (track is not null && EmployeeRules.Track(keys, track) is { } badTrack) Problem("track", badTrack);
        if (level is not null && EmployeeRules.Level(keys, level, track) is { } badLevel) Problem("level", badLevel);
    }

    private void Observation(object?[] v)
    {
        var subject = S(v, "subject_id");
        var rater = S(v, "rater_id");
        if (subject is not null && !_run.IsEmployee(subject)) Problem("subject_id", _run.UnknownEmployee(subject));
        if (rater is not null && !_run.IsEmployee(rater)) Problem("rater_id", _run.UnknownEmployee(rater));
        var relationship = S(v, "relationship");
        if (subject is not null && rater is not null && relationship is not null)
        {
            if (relationship == "self" && rater != subject)
                Problem("relationship", $"is 'self' but rater_id '{rater}' is not subject_id '{subject}'");
            else if (relationship != "self" && rater == subject)
                Problem("relationship", $"rater_id and subject_id are both '{rater}', so the relationship must be 'self' (got '{relationship}')");
        }
        if (Keys is { } keys && S(v, "behavior") is { } behavior && !keys.BehaviorValue.ContainsKey(behavior))
            Problem("behavior", $"unknown behaviour '{CsvValues.Shorten(behavior)}'");
    }

    private void Recognition(object?[] v)
    {
        var from = S(v, "from_id");
        var to = S(v, "to_id");
        if (from is not null && !_run.IsEmployee(from)) Problem("from_id", _run.UnknownEmployee(from));
        if (to is not null && !_run.IsEmployee(to)) Problem("to_id", _run.UnknownEmployee(to));
        if (from is not null && from == to) Problem("to_id", "a person cannot recognise themselves");
        if (Keys is not { } keys) return;
        var value = S(v, "value");
        if (value is not null && !keys.Values.Contains(value)) Problem("value", $"unknown value '{CsvValues.Shorten(value)}'");
        if (S(v, "behavior") is { } behavior)
        {
            if (!keys.BehaviorValue.TryGetValue(behavior, out var owner))
                Problem("behavior", $"unknown behaviour '{CsvValues.Shorten(behavior)}'");
            else if (value is not null && keys.Values.Contains(value) && owner != value)
                Problem("behavior", $"behaviour '{behavior}' belongs to value '{owner}', not '{value}'");
        }
    }

    private static readonly string[] LevelColumns = ["from_level", "to_level"];

    private void Promotion(object?[] v)
    {
        Employee(v, "employee_id");
        if (Keys is not { } keys) return;
        foreach (var column in LevelColumns)
        {
            if (S(v, column) is { } level && !keys.LevelTrack.ContainsKey(level))
                Problem(column, $"unknown level '{CsvValues.Shorten(level)}'");
        }
    }

    /// <summary>Checks that need the whole file: managers named before or after their reports, and cycles in the manager chain.</summary>
    public void Finish()
    {
        if (_format.Kind != ImportFileKind.Employees) return;
        foreach (var (id, row) in _run.FileEmployees)
        {
            if (row.ManagerId is { } manager && manager != id && !_run.IsEmployee(manager))
                _report(new(_file, row.Line, "manager_id", _run.UnknownEmployee(manager)));
        }
        // An email stored for someone else stays theirs unless this file gives them another one.
        foreach (var (key, (line, id, email)) in _emails)
        {
            if (_run.StoredEmailOwners(key).Where(owner => owner != id && !_run.FileEmployees.ContainsKey(owner)).Order(StringComparer.Ordinal).FirstOrDefault() is { } owner)
                _report(new(_file, line, "email", EmployeeRules.EmailTaken(email, owner, _run.IsStoredLeaver(owner))));
        }
        foreach (var cycle in ManagerCycles())
        {
            var line = cycle.Where(_run.FileEmployees.ContainsKey).Select(id => _run.FileEmployees[id].Line).DefaultIfEmpty(1).Min();
            _report(new(_file, line, "manager_id", EmployeeRules.Loop(cycle)));
        }
    }

    /// <summary>Cycles in the manager graph of the stored employees with this file's rows laid over them.</summary>
    private List<List<string>> ManagerCycles() =>
        EmployeeRules.ManagerCycles(_run.FileEmployees.Keys, id =>
            _run.FileEmployees.TryGetValue(id, out var row) ? row.ManagerId
            : _run.StoredEmployees.TryGetValue(id, out var stored) ? stored.ManagerId : null);
}
