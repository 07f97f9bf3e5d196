using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Framework;

/// <summary>
/// The complete framework editor (issue 11): HR adds, renames, moves and retires values, behaviours and levels, each a
/// new version with its diff and an audit-log entry, under the checks of an import, with 409 on a stale version.
/// </summary>
public sealed class FrameworkEditorTests
{
    private static readonly string[] Ratings = ["1", "2", "3", "4", "5"];

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static object NewBehavior(string key, string name, int? baseVersion = null) => new
    {
        key, name, description = "Tells the team what they learned, while they learn it.",
        anchors = Ratings.ToDictionary(r => r, r => $"Rating {r}: shares {r} things a month"),
        note = "added from the API", base_version = baseVersion,
    };

    private static JsonElement.ArrayEnumerator Changes(JsonElement saved) => saved.GetProperty("changes").EnumerateArray();

    private static JsonElement Behavior(JsonElement framework, string key) =>
        framework.GetProperty("values").EnumerateArray().SelectMany(v => v.GetProperty("behaviors").EnumerateArray()).Single(b => b.GetProperty("key").GetString() == key);

    private static JsonElement Level(JsonElement framework, string key) =>
        framework.GetProperty("tracks").EnumerateArray().SelectMany(t => t.GetProperty("levels").EnumerateArray()).Single(l => l.GetProperty("key").GetString() == key);

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_adds_renames_moves_and_retires_through_the_api_each_a_version_with_its_diff_and_audit_entry(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var added = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values/curiosity/behaviors", NewBehavior("shares-learning", "Shares what they learn", 1)), HttpStatusCode.OK);
        Assert.Equal(2, added.GetProperty("version").GetInt32());
        Assert.Contains(Changes(added), c => c.GetProperty("kind").GetString() == "added" && c.GetProperty("path").GetString() == "values[curiosity].behaviors[shares-learning]");

        var renamed = await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/shares-learning", new
        {
            name = "Learns out loud", description = "Shares what they learn.", anchors = Ratings.ToDictionary(r => r, r => $"Anchor {r}"), base_version = 2,
        }), HttpStatusCode.OK);
        var name = Assert.Single(Changes(renamed), c => c.GetProperty("path").GetString() == "values[curiosity].behaviors[shares-learning].name");
        Assert.Equal(("Shares what they learn", "Learns out loud"), (name.GetProperty("before").GetString(), name.GetProperty("after").GetString()));

        var moved = await Json(await hr.PostAsJsonAsync("/api/v1/framework/behaviors/shares-learning/move", new { position = 1, base_version = 3 }), HttpStatusCode.OK);
        var order = Assert.Single(Changes(moved));
        Assert.Equal("values[curiosity].behaviors.order", order.GetProperty("path").GetString());
        Assert.StartsWith("Learns out loud\n", order.GetProperty("after").GetString());

        var valueMoved = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values/curiosity/move", new { position = 99, base_version = 4 }), HttpStatusCode.OK);
        Assert.Equal("values.order", Assert.Single(Changes(valueMoved)).GetProperty("path").GetString());
        var valueRenamed = await Json(await hr.PutAsJsonAsync("/api/v1/framework/values/curiosity", new { name = "Curiosity first", description = "We ask.", base_version = 5 }), HttpStatusCode.OK);
        Assert.Contains(Changes(valueRenamed), c => c.GetProperty("path").GetString() == "values[curiosity].name");

        var retired = await Json(await hr.PostAsJsonAsync("/api/v1/framework/behaviors/asks-why/retire", new { base_version = 6 }), HttpStatusCode.OK);
        Assert.Contains(Changes(retired), c => c.GetProperty("path").GetString() == "values[curiosity].behaviors[asks-why].retired" && c.GetProperty("before").ValueKind == JsonValueKind.Null);
        Assert.Contains(Changes(retired), c => c.GetProperty("area").GetString() == "expectation" && c.GetProperty("kind").GetString() == "removed");

        var current = await Json(await hr.GetAsync("/api/v1/framework"), HttpStatusCode.OK);
        Assert.Equal("curiosity", current.GetProperty("values")[current.GetProperty("values").GetArrayLength() - 1].GetProperty("key").GetString());
        Assert.Equal("shares-learning", current.GetProperty("values").EnumerateArray().Last().GetProperty("behaviors")[0].GetProperty("key").GetString());
        Assert.True(DateOnly.TryParse(Behavior(current, "asks-why").GetProperty("retired").GetString(), out _));
        Assert.False(Behavior(current, "shares-learning").TryGetProperty("retired", out _));
        Assert.All(current.GetProperty("tracks").EnumerateArray().SelectMany(t => t.GetProperty("levels").EnumerateArray()),
            l => Assert.False(l.GetProperty("expectations").TryGetProperty("asks-why", out _)));

        // Putting it back in use clears the date; levels expect it again only when HR says so.
        var restored = await Json(await hr.PostAsJsonAsync("/api/v1/framework/behaviors/asks-why/restore", new { base_version = 7 }), HttpStatusCode.OK);
        Assert.Contains(Changes(restored), c => c.GetProperty("path").GetString() == "values[curiosity].behaviors[asks-why].retired" && c.GetProperty("after").ValueKind == JsonValueKind.Null);

        var actions = await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action.StartsWith("framework.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Equal(["framework.behavior_added", "framework.behavior_edited", "framework.behavior_moved", "framework.value_moved", "framework.value_edited",
            "framework.behavior_retired", "framework.behavior_restored"], actions);
        Assert.All(await app.WithDbAsync(db => db.AuditLog.Where(a => a.Action.StartsWith("framework.")).ToListAsync()), a => Assert.Equal("H1", a.ActorEmployeeId));
        Assert.Equal(8, await app.WithDbAsync(db => db.FrameworkVersions.CountAsync()));

        // A change made on an older version is refused, not applied over the newer one.
        var stale = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values/craft/move", new { position = 1, base_version = 7 }), HttpStatusCode.Conflict);
        Assert.Contains("version 8", stale.GetProperty("detail").GetString());
        Assert.Equal(8, await app.WithDbAsync(db => db.FrameworkVersions.CountAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Values_and_levels_are_added_and_removed_under_the_checks_of_an_import(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var value = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values", new
        {
            key = "candour", name = "Candour", description = "We say what we see.",
            behavior = new { key = "names-the-problem", name = "Names the problem", anchors = Ratings.ToDictionary(r => r, r => $"Anchor {r}") },
        }), HttpStatusCode.OK);
        Assert.Contains(Changes(value), c => c.GetProperty("path").GetString() == "values[candour]" && c.GetProperty("kind").GetString() == "added");
        var missingAnchor = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values/candour/behaviors", new { key = "Bad Key", name = "", anchors = new Dictionary<string, string> { ["1"] = "x" } }), HttpStatusCode.BadRequest);
        var errors = missingAnchor.GetProperty("errors");
        Assert.True(errors.TryGetProperty("key", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("name", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("anchors.5", out _), errors.ToString());

        var level = await Json(await hr.PostAsJsonAsync("/api/v1/framework/tracks/expert/levels", new
        {
            key = "e7", name = "Distinguished engineer", band = 7,
            scope = new { direct_reports = new[] { 0, 0 }, responsibilities = new[] { "Sets technical direction across the company" }, time_split = "80% hands-on" },
            expectations = new Dictionary<string, int> { ["asks-why"] = 5 },
        }), HttpStatusCode.OK);
        Assert.Contains(Changes(level), c => c.GetProperty("path").GetString() == "tracks[expert].levels[e7]" && c.GetProperty("kind").GetString() == "added");
        var framework = await Json(await hr.GetAsync("/api/v1/framework"), HttpStatusCode.OK);
        var expert = framework.GetProperty("tracks").EnumerateArray().Single(t => t.GetProperty("key").GetString() == "expert").GetProperty("levels");
        Assert.Equal("e7", expert[expert.GetArrayLength() - 1].GetProperty("key").GetString());
        Assert.Equal(5, Level(framework, "e7").GetProperty("expectations").GetProperty("asks-why").GetInt32());

        // A level somebody holds cannot go; one nobody holds can. A behaviour with feedback can only be retired.
        var held = await Json(await hr.DeleteAsync("/api/v1/framework/levels/e3"), HttpStatusCode.BadRequest);
        Assert.Contains("is still held by 3 people", held.GetProperty("errors").GetProperty("$.tracks")[0].GetString());
        var removed = await Json(await hr.DeleteAsync("/api/v1/framework/levels/e7"), HttpStatusCode.OK);
        Assert.Contains(Changes(removed), c => c.GetProperty("path").GetString() == "tracks[expert].levels[e7]" && c.GetProperty("kind").GetString() == "removed");
        var m2 = await app.ClientForAsync("M2");
        Assert.Equal(HttpStatusCode.Created, (await m2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "names-the-problem", rating = 4 })).StatusCode);
        var withEvidence = await Json(await hr.DeleteAsync("/api/v1/framework/values/candour"), HttpStatusCode.BadRequest);
        Assert.Contains("retire it instead", withEvidence.GetProperty("errors").GetProperty("$.values")[0].GetString());
        var retiredValue = await Json(await hr.PostAsJsonAsync("/api/v1/framework/values/candour/retire", new { }), HttpStatusCode.OK);
        Assert.Contains(Changes(retiredValue), c => c.GetProperty("path").GetString() == "values[candour].behaviors[names-the-problem].retired");
        Assert.Equal(HttpStatusCode.NotFound, (await hr.DeleteAsync("/api/v1/framework/levels/z9")).StatusCode);

        var employee = await app.ClientForAsync("E1");
        Assert.Equal(HttpStatusCode.Forbidden, (await employee.PostAsJsonAsync("/api/v1/framework/behaviors/asks-why/retire", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await employee.DeleteAsync("/api/v1/framework/levels/e7")).StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_retired_behaviour_keeps_its_evidence_readable_and_takes_no_new_feedback(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var m2 = await app.ClientForAsync("M2");
        Assert.Equal(HttpStatusCode.Created, (await m2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 4, comment = "In planning he asked who the report was for." })).StatusCode);

        var hr = await app.ClientForAsync("H1");
        var removal = await Json(await hr.DeleteAsync("/api/v1/framework/behaviors/asks-why"), HttpStatusCode.BadRequest);
        Assert.Contains("has feedback given on it", removal.GetProperty("errors").GetProperty("$.values")[0].GetString());
        await Json(await hr.PostAsJsonAsync("/api/v1/framework/behaviors/asks-why/retire", new { note = "folded into another behaviour" }), HttpStatusCode.OK);

        var evidence = await Json(await m2.GetAsync("/api/v1/employees/E1/evidence?behavior=asks-why"), HttpStatusCode.OK);
        var asksWhy = Assert.Single(evidence.GetProperty("behaviors").EnumerateArray());
        Assert.Equal("Asks why before acting", asksWhy.GetProperty("name").GetString());
        Assert.Equal(4, Assert.Single(asksWhy.GetProperty("attributed").EnumerateArray()).GetProperty("rating").GetInt32());

        var again = await Json(await m2.PostAsJsonAsync("/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 3 }), HttpStatusCode.BadRequest);
        Assert.Contains("retired", again.GetProperty("errors").GetProperty("behavior")[0].GetString());
        var e1 = await app.ClientForAsync("E1");
        var request = await Json(await e1.PostAsJsonAsync("/api/v1/feedback-requests", new { subject_id = "E1", rater_ids = new[] { "E2" }, behaviors = new[] { "asks-why" } }), HttpStatusCode.BadRequest);
        Assert.Contains("has been retired", request.GetProperty("errors").GetProperty("behaviors")[0].GetString());

        // The give-feedback page no longer offers it; the evidence page still names it.
        var session = await CookieSession.SignedInAsync(app, "M2");
        var give = await (await session.GetAsync("/feedback/give")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("value=\"asks-why\"", give);
        Assert.Contains("value=\"learns-in-the-open\"", give);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_adds_renames_moves_retires_and_removes_on_the_pages(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await CookieSession.SignedInAsync(app, "H1");

        var token = await hr.TokenFromAsync("/framework/values/curiosity/behaviors/new");
        var fields = new Dictionary<string, string>
        {
            ["BaseVersion"] = "1", ["BehaviorKey"] = "shares-learning", ["Name"] = "Shares what they learn", ["Description"] = "Out loud.", ["Note"] = "new behaviour",
        };
        foreach (var r in Ratings) fields[$"Anchors[{r}]"] = $"What rating {r} looks like";
        var added = await hr.PostFormAsync("/framework/values/curiosity/behaviors/new", fields, token);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal("/framework?saved=2&created=true#shares-learning", added.Headers.Location?.OriginalString);
        var page = await (await hr.GetAsync("/framework")).Content.ReadAsStringAsync();
        Assert.Contains("Shares what they learn", page);
        Assert.Contains("What rating 5 looks like", page);

        // Missing anchors are told next to their field, in words, and nothing is saved.
        fields["BehaviorKey"] = "second-one";
        fields["Anchors[3]"] = "";
        var invalid = await hr.PostFormAsync("/framework/values/curiosity/behaviors/new", fields, token);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("missing anchor for rating 3", await invalid.Content.ReadAsStringAsync());

        var renamed = await hr.PostFormAsync("/framework/values/curiosity/edit", new() { ["BaseVersion"] = "2", ["Name"] = "Curiosity, always", ["Description"] = "We ask." }, token);
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        var moved = await hr.PostFormAsync("/framework", new() { ["Act"] = "move-behavior", ["Target"] = "shares-learning", ["Position"] = "1", ["BaseVersion"] = "3" }, token);
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        var retired = await hr.PostFormAsync("/framework", new() { ["Act"] = "retire-behavior", ["Target"] = "asks-why", ["BaseVersion"] = "4" }, token);
        Assert.Equal(HttpStatusCode.Redirect, retired.StatusCode);
        page = await (await hr.GetAsync("/framework")).Content.ReadAsStringAsync();
        Assert.Contains("Curiosity, always", page);
        Assert.Contains("badge retired", page);
        Assert.True(page.IndexOf("Shares what they learn", StringComparison.Ordinal) < page.IndexOf("Asks why before acting", StringComparison.Ordinal));

        // A stale action says so (409) and changes nothing.
        var stale = await hr.PostFormAsync("/framework", new() { ["Act"] = "move-value", ["Target"] = "craft", ["Position"] = "1", ["BaseVersion"] = "2" }, token);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("nothing was changed", await stale.Content.ReadAsStringAsync());

        var diff = await (await hr.GetAsync("/framework/diff?from=4&to=5")).Content.ReadAsStringAsync();
        Assert.Contains("Behaviour &#x27;Asks why before acting&#x27; retired", diff);

        // A level somebody holds cannot be removed: the tracks page says why, in words.
        var held = await hr.PostFormAsync("/framework/tracks", new() { ["Act"] = "remove-level", ["Target"] = "e3", ["BaseVersion"] = "5" }, token);
        Assert.Equal(HttpStatusCode.BadRequest, held.StatusCode);
        var heldPage = await held.Content.ReadAsStringAsync();
        Assert.Contains("is still held by 3 people: move them to another level first", heldPage);

        var levelFields = new Dictionary<string, string>
        {
            ["BaseVersion"] = "5", ["LevelKey"] = "e7", ["Name"] = "Distinguished engineer", ["BandText"] = "7",
            ["DirectReportsMin"] = "0", ["DirectReportsMax"] = "0", ["Responsibilities"] = "Sets direction", ["TimeSplit"] = "", ["Expectations[raises-the-quality-bar]"] = "5",
        };
        var level = await hr.PostFormAsync("/framework/tracks/expert/levels/new", levelFields, token);
        Assert.True(HttpStatusCode.Redirect == level.StatusCode, await level.Content.ReadAsStringAsync());
        Assert.Contains("data-level=\"e7\"", await (await hr.GetAsync("/framework/tracks")).Content.ReadAsStringAsync());
        var gone = await hr.PostFormAsync("/framework/tracks", new() { ["Act"] = "remove-level", ["Target"] = "e7", ["BaseVersion"] = "6" }, token);
        Assert.Equal(HttpStatusCode.Redirect, gone.StatusCode);
        Assert.DoesNotContain("data-level=\"e7\"", await (await hr.GetAsync("/framework/tracks")).Content.ReadAsStringAsync());

        var employee = await CookieSession.SignedInAsync(app, "E1");
        var employeeToken = await employee.TokenFromAsync("/feedback/give");
        // Signed in with a cookie, a refusal is the "not allowed" page; nothing is saved.
        var refused = await employee.PostFormAsync("/framework", new() { ["Act"] = "retire-behavior", ["Target"] = "learns-in-the-open", ["BaseVersion"] = "7" }, employeeToken);
        Assert.StartsWith("/denied", refused.Headers.Location?.PathAndQuery);
        Assert.StartsWith("/denied", (await employee.GetAsync("/framework/values/new")).Headers.Location?.PathAndQuery);
        Assert.Equal(7, await app.WithDbAsync(db => db.FrameworkVersions.CountAsync()));
        Assert.DoesNotContain("retire-behavior", await (await employee.GetAsync("/framework")).Content.ReadAsStringAsync());
    }
}
