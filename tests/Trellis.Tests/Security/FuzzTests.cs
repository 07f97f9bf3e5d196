using Microsoft.EntityFrameworkCore;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Trellis.Import;
using Trellis.Tests.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// Fuzzing with a fixed seed (the same cases every run): valid import files and valid JSON API bodies, mutated byte
/// by byte and field by field. <c>TRELLIS_FUZZ_CASES</c> sets how many cases (at least 300 in CI). The import runs
/// in-process against the import service (every 25th case through <c>trellis import</c> for its exit code) so that
/// hundreds of cases stay cheap.
/// </summary>
public sealed partial class FuzzTests
{
    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("TRELLIS_FUZZ_CASES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Max(n, 1) : 300;

    private static readonly string[] HostileValues =
    [
        "", " ", "\"", "\"\"", ",", "a,b", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "'=x", "../../etc/passwd", "a/b", "a?b", "a#b", "%2F", "%00",
        "\0", "a\0b", "\r", "\n", "a\r\nb", "\t", "\u202Eevil", "\uFFFD", "\uD800", "😀", "null", "NaN", "Infinity", "1e309", "-0", "0", "6", "3.5", "99999999999999999999",
        "2025-02-30", "9999-12-31", "0001-01-01", "2025-13-01", "yes", "TRUE", new string('x', 5000), "E1", "M2", "peer", "self", "left", "<script>alert(1)</script>",
    ];

    private const string HostileCharacters = "\0\r\n\",;=\uFFFD\u202E'{}[]:";

    private const string EmployeesCsv = """"
        employee_id,name,email,manager_id,department,location,title,track,level,hire_date,level_since,status,gender
        F1,Fay Fuzz,f1@example.test,M2,Engineering,Lisbon,Engineer,expert,e3,2022-03-01,2023-01-01,active,f
        F2,"Finn, Fuzz",f2@example.test,F1,Engineering,Porto,"Engineer ""II""",expert,e2,2023-05-02,,active,m
        """";

    private const string ObservationsCsv = """
        observation_id,subject_id,rater_id,relationship,behavior,rating,observed_on,comment,visibility
        FO1,F2,F1,manager,asks-why,4,2025-01-10,"Asked who it was for, then built less.",shared
        FO2,F1,E1,other,grows-others,3,2025-02-11,,private
        """;

    private const string ResultsCsv = """
        employee_id,period,period_end,score
        F1,2025-H1,2025-06-30,3.5
        F2,2025-H1,2025-06-30,2
        """;

    [GeneratedRegex(@"^(?:[^\r\n]*/)?(?:\d+-)?(framework\.json|employees\.csv|observations\.csv|results\.csv):\d+: [^\r\n]+: [^\r\n]+$")]
    private static partial Regex ProblemLine();

    [GeneratedRegex(@"^… and [\d,]+ more problems \([\d,]+ in all\); nothing was imported\.$")]
    private static partial Regex MoreLine();

    private static string Mutate(string text, Random random)
    {
        var steps = 1 + random.Next(3);
        for (var s = 0; s < steps; s++)
        {
            var lines = text.Split('\n').ToList();
            switch (random.Next(9))
            {
                case 0 when text.Length > 0: // one character replaced by a hostile one
                    var at = random.Next(text.Length);
                    text = text[..at] + HostileCharacters[random.Next(HostileCharacters.Length)] + text[(at + 1)..];
                    break;
                case 1: // a field replaced by a hostile value (quoted when it needs to be, or not)
                    var line = random.Next(lines.Count);
                    var fields = lines[line].Split(',');
                    var value = HostileValues[random.Next(HostileValues.Length)];
                    fields[random.Next(fields.Length)] = random.Next(2) == 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
                    lines[line] = string.Join(',', fields);
                    text = string.Join('\n', lines);
                    break;
                case 2 when text.Length > 2: // a range deleted
                    var from = random.Next(text.Length - 1);
                    text = text.Remove(from, Math.Min(text.Length - from, 1 + random.Next(20)));
                    break;
                case 3: // a line duplicated
                    var dup = random.Next(lines.Count);
                    lines.Insert(dup, lines[dup]);
                    text = string.Join('\n', lines);
                    break;
                case 4 when lines.Count > 2: // two lines swapped (the header may move)
                    var (a, b) = (random.Next(lines.Count), random.Next(lines.Count));
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    text = string.Join('\n', lines);
                    break;
                case 5: // truncated
                    text = text[..random.Next(text.Length + 1)];
                    break;
                case 6: // a column dropped from every line
                    var column = random.Next(13);
                    text = string.Join('\n', lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => i != column))));
                    break;
                case 7: // raw bytes that are not UTF-8 (read back as replacement characters) or a BOM
                    text = random.Next(2) == 0 ? "\uFEFF" + text : text.Insert(random.Next(text.Length + 1), "\u00FF\u00FE\u0001");
                    break;
                default: // an extra field on a line
                    var extra = random.Next(lines.Count);
                    lines[extra] += "," + HostileValues[random.Next(HostileValues.Length)];
                    text = string.Join('\n', lines);
                    break;
            }
        }
        return text;
    }

    private static string MutateFramework(string json, Random random)
    {
        if (random.Next(4) == 0) return Mutate(json, random); // broken as text
        var root = JsonNode.Parse(json)!;
        var nodes = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList()) { nodes.Add((o, k)); if (v is not null) Walk(v); }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) { nodes.Add((a, i)); if (a[i] is { } v) Walk(v); }
                    break;
            }
        }
        Walk(root);
        var (parent, key) = nodes[random.Next(nodes.Count)];
        JsonNode? replacement = random.Next(10) switch
        {
            0 => null,
            1 => new JsonArray(),
            2 => new JsonObject(),
            3 => JsonValue.Create(HostileValues[random.Next(HostileValues.Length)]),
            4 => JsonValue.Create(random.Next(-3, 9)),
            5 => JsonValue.Create(1e300),
            6 => JsonNode.Parse(string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40))),
            7 => JsonValue.Create(true),
            _ => "delete",
        };
        if (replacement is JsonValue v && v.TryGetValue<string>(out var s) && s == "delete")
        {
            if (parent is JsonObject o) o.Remove((string)key); else ((JsonArray)parent).RemoveAt((int)key);
        }
        else if (parent is JsonObject o) o[(string)key] = replacement;
        else ((JsonArray)parent)[(int)key] = replacement;
        return root.ToJsonString();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Mutated_import_files_fail_with_well_formed_lines_and_change_nothing_or_import_cleanly(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        using var files = new ImportFolder();
        var random = new Random(20261214);
        var sample = Trellis.Framework.FrameworkStore.SampleJson();
        var originals = new Dictionary<ImportFileKind, (string Name, string Text)>
        {
            [ImportFileKind.Framework] = ("framework.json", sample),
            [ImportFileKind.Employees] = ("employees.csv", EmployeesCsv),
            [ImportFileKind.Observations] = ("observations.csv", ObservationsCsv),
            [ImportFileKind.Results] = ("results.csv", ResultsCsv),
        };
        var (failed, succeeded) = (0, 0);
        for (var n = 0; n < Cases; n++)
        {
            // Each case: one file mutated, the others as they were (sometimes left out).
            var target = originals.Keys.ElementAt(random.Next(originals.Count));
            var request = new List<(ImportFileKind, string)>();
            foreach (var (kind, (name, text)) in originals)
            {
                if (kind != target && random.Next(3) == 0) continue;
                var content = kind != target ? text : kind == ImportFileKind.Framework ? MutateFramework(text, random) : Mutate(text, random);
                var path = Path.Combine(files.Path, $"{n}-{name}");
                await File.WriteAllTextAsync(path, content, new UTF8Encoding(false));
                request.Add((kind, path));
            }
            var before = await app.SnapshotAsync();
            var context = $"case {n} (mutated {originals[target].Name}):\n{await File.ReadAllTextAsync(request.First(r => r.Item1 == target).Item2)}";

            int code;
            IReadOnlyList<string> lines;
            if (n % 25 == 0)
            {
                var args = new List<string> { "import", "--db", app.Database.Value };
                foreach (var (kind, path) in request) args.AddRange([CsvFormats.All.FirstOrDefault(f => f.Kind == kind)?.Option ?? "--framework", path]);
                var (exit, _, error) = await CliRunner.RunAsync([.. args]);
                code = exit;
                lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            }
            else
            {
                var report = await app.ImportAsync([.. request]);
                code = report.Succeeded ? 0 : 1;
                lines = report.ProblemLines().ToList();
            }
            Assert.True(code is 0 or 1, $"exit {code} in {context}");
            if (code == 0)
            {
                succeeded++;
                continue;
            }
            failed++;
            Assert.NotEmpty(lines);
            foreach (var line in lines)
                Assert.True(ProblemLine().IsMatch(line) || MoreLine().IsMatch(line), $"malformed error line '{line}' in {context}");
            Assert.True(before.SequenceEqual(await app.SnapshotAsync()), $"the database changed although the import failed, in {context}");
        }
        // The mutations must exercise both outcomes.
        Assert.True(failed > Cases / 2, $"{failed} of {Cases} cases failed");
        Assert.True(succeeded > 0, "no mutation was still valid");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Mutated_json_bodies_never_get_a_server_error(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var e1 = await app.ClientForAsync("E1");
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var created = await hr.PostAsJsonAsync("/api/v1/cycles", new { name = "FUZZ", opens_on = today, closes_on = "2099-01-01", budget = 3, committee = new[] { "C1" } });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        var bodies = new (HttpClient Client, string Method, string Path, string Json)[]
        {
            (e1, "POST", "/api/v1/observations", """{"subject_id":"E2","behavior":"asks-why","rating":4,"comment":"Asked why first.","visibility":"shared"}"""),
            (e1, "POST", "/api/v1/feedback/check", """{"comment":"She is always so nice."}"""),
            (e1, "POST", "/api/v1/feedback-requests", """{"subject_id":"E1","rater_ids":["E2","X1"],"behaviors":["asks-why"],"message":"Please"}"""),
            (e1, "POST", "/api/v1/recognitions", """{"to_id":"E2","value":"curiosity","behavior":"asks-why","message":"Thanks"}"""),
            (hr, "POST", "/api/v1/results", """{"employee_id":"E1","period":"2025-H2","period_end":"2025-12-31","score":3.5}"""),
            (hr, "POST", "/api/v1/concerns", """{"employee_id":"E1","category":"conduct","substantiated":false,"recorded_on":"2025-01-01"}"""),
            (hr, "POST", "/api/v1/cycles", """{"name":"C2","opens_on":"2026-01-01","closes_on":"2026-03-01","budget":2,"committee":["C1"],"eligible_levels":["e3"]}"""),
            (hr, "POST", "/api/v1/cycles/FUZZ/phase", """{"phase":"responses"}"""),
            (hr, "POST", "/api/v1/cycles/FUZZ/nominations", """{"employee_id":"E1","target_level":"e3","rationale":"Ready."}"""),
            (hr, "POST", "/api/v1/cycles/FUZZ/publish", """{"override_reason":"Because."}"""),
            (hr, "PUT", "/api/v1/framework/behaviors/asks-why", """{"name":"Asks why","description":"d","anchors":{"1":"a","2":"b","3":"c","4":"d","5":"e"},"note":"n"}"""),
            (hr, "PUT", "/api/v1/framework/levels/e3", """{"name":"Senior","expectations":{"asks-why":3},"note":"n"}"""),
            (hr, "PUT", "/api/v1/framework", Trellis.Framework.FrameworkStore.SampleJson()),
        };
        var random = new Random(1414);
        var errors = new List<string>();
        for (var n = 0; n < Cases; n++)
        {
            var (client, method, path, json) = bodies[n % bodies.Length];
            var body = random.Next(3) == 0 ? Mutate(json, random) : MutateFramework(json, random);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
                errors.Add($"{method} {path} {(int)response.StatusCode} for {body}\n{await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(errors.Count == 0, $"{errors.Count} of {Cases} bodies got a server error:\n{string.Join("\n\n", errors.Take(10))}");
    }

    /// <summary>What the body fuzzing found first: a null inside a list of text reached a service and answered 500.</summary>
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_null_inside_a_list_of_text_is_a_bad_request(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var admin = await app.ClientForAsync("A1");
        var e1 = await app.ClientForAsync("E1");
        var cases = new (HttpClient Client, string Path, string Json)[]
        {
            (hr, "/api/v1/cycles", """{"name":"C2","opens_on":"2026-01-01","closes_on":"2026-03-01","budget":2,"committee":["C1"],"eligible_levels":[null]}"""),
            (hr, "/api/v1/cycles", """{"name":"C3","opens_on":"2026-01-01","closes_on":"2026-03-01","budget":2,"committee":[null]}"""),
            (admin, "/api/v1/admin/accounts", """{"employee_id":"X1","roles":[null]}"""),
            (e1, "/api/v1/feedback-requests", """{"subject_id":"E1","rater_ids":["E2",null],"behaviors":["asks-why"]}"""),
        };
        foreach (var (client, path, json) in cases)
        {
            var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{path} {json}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.False(await app.WithDbAsync(db => db.Cycles.AnyAsync(c => c.Name == "C2" || c.Name == "C3")));
    }
}
