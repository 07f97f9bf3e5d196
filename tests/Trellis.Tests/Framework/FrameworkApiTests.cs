using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Trellis.Framework;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Framework;

public sealed class FrameworkApiTests
{
    private static readonly string[] Ratings = ["1", "2", "3", "4", "5"];

    /// <summary>The sample's asks-why behaviour with anchor 3 replaced.</summary>
    private static object AsksWhy(string anchor3, string? note = null, int? baseVersion = null) => new
    {
        name = "Asks why before acting",
        description = "Understands the problem and its purpose before committing to a solution.",
        anchors = Ratings.ToDictionary(r => r, r => r == "3" ? anchor3 : $"Anchor {r} text for asks-why"),
        note,
        base_version = baseVersion,
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static StringContent Raw(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Each_edit_stores_a_new_version_and_an_identical_save_stores_none(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var first = await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("Asks why on most tasks.", "clearer anchor 3")), HttpStatusCode.OK);
        Assert.Equal(2, first.GetProperty("version").GetInt32());
        Assert.True(first.GetProperty("created").GetBoolean());

        var again = await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("Asks why on most tasks.", "same again")), HttpStatusCode.OK);
        Assert.Equal(2, again.GetProperty("version").GetInt32());
        Assert.False(again.GetProperty("created").GetBoolean());
        Assert.Equal(0, again.GetProperty("changes").GetArrayLength());

        var level = new
        {
            name = "Senior engineer",
            scope = new { direct_reports = new[] { 0, 0 }, responsibilities = new[] { "Owns a service end to end", "Mentors two people" }, time_split = "85% hands-on, 15% mentoring" },
            expectations = new Dictionary<string, int> { ["asks-why"] = 4, ["grows-others"] = 3 },
            note = "simpler e3",
        };
        var third = await Json(await hr.PutAsJsonAsync("/api/v1/framework/levels/e3", level), HttpStatusCode.OK);
        Assert.Equal(3, third.GetProperty("version").GetInt32());

        var versions = await Json(await hr.GetAsync("/api/v1/framework/versions"), HttpStatusCode.OK);
        Assert.Equal([3, 2, 1], versions.EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));
        var newest = versions[0];
        Assert.Equal("H1", newest.GetProperty("created_by").GetString());
        Assert.Equal("simpler e3", newest.GetProperty("note").GetString());
        Assert.Equal("2026.1", newest.GetProperty("label").GetString());
        Assert.True(newest.TryGetProperty("created_at", out _));
        Assert.True(newest.TryGetProperty("name", out _));

        var current = await Json(await hr.GetAsync("/api/v1/framework"), HttpStatusCode.OK);
        var e3 = current.GetProperty("tracks").EnumerateArray().SelectMany(t => t.GetProperty("levels").EnumerateArray()).Single(l => l.GetProperty("key").GetString() == "e3");
        Assert.Equal("Senior engineer", e3.GetProperty("name").GetString());
        Assert.Equal(2, e3.GetProperty("expectations").EnumerateObject().Count());
        Assert.Equal("Mentors two people", e3.GetProperty("scope").GetProperty("responsibilities")[1].GetString());
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Old_versions_stay_readable_and_the_diff_shows_the_change(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var original = await Json(await hr.GetAsync("/api/v1/framework"), HttpStatusCode.OK);
        var oldAnchor = original.GetProperty("values")[0].GetProperty("behaviors")[0].GetProperty("anchors").GetProperty("3").GetString();

        await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("Asks why whenever the purpose is unclear.")), HttpStatusCode.OK);

        var employee = await app.ClientForAsync("E1");
        var v1 = await Json(await employee.GetAsync("/api/v1/framework/versions/1"), HttpStatusCode.OK);
        Assert.Equal(oldAnchor, v1.GetProperty("values")[0].GetProperty("behaviors")[0].GetProperty("anchors").GetProperty("3").GetString());
        var v2 = await Json(await employee.GetAsync("/api/v1/framework/versions/2"), HttpStatusCode.OK);
        Assert.Equal("Asks why whenever the purpose is unclear.", v2.GetProperty("values")[0].GetProperty("behaviors")[0].GetProperty("anchors").GetProperty("3").GetString());

        var diff = await Json(await employee.GetAsync("/api/v1/framework/diff?from=1&to=2"), HttpStatusCode.OK);
        Assert.Equal(1, diff.GetProperty("from").GetProperty("id").GetInt32());
        Assert.Equal(2, diff.GetProperty("to").GetProperty("id").GetInt32());
        var anchor3 = diff.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "values[curiosity].behaviors[asks-why].anchors.3");
        Assert.Equal("changed", anchor3.GetProperty("kind").GetString());
        Assert.Equal("anchor", anchor3.GetProperty("area").GetString());
        Assert.Equal(oldAnchor, anchor3.GetProperty("before").GetString());
        Assert.Equal("Asks why whenever the purpose is unclear.", anchor3.GetProperty("after").GetString());

        // Defaults: to = current, from = the version before it.
        var latest = await Json(await employee.GetAsync("/api/v1/framework/diff"), HttpStatusCode.OK);
        Assert.Equal(diff.GetProperty("changes").GetArrayLength(), latest.GetProperty("changes").GetArrayLength());
        var backwards = await Json(await employee.GetAsync("/api/v1/framework/diff?from=2&to=1"), HttpStatusCode.OK);
        Assert.Equal(oldAnchor, backwards.GetProperty("changes").EnumerateArray()
            .Single(c => c.GetProperty("path").GetString() == "values[curiosity].behaviors[asks-why].anchors.3").GetProperty("after").GetString());

        await Json(await employee.GetAsync("/api/v1/framework/versions/99"), HttpStatusCode.NotFound);
        await Json(await employee.GetAsync("/api/v1/framework/diff?from=1&to=99"), HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Replacing_the_document_validates_it_and_reports_problems_by_json_path(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var doc = JsonNode.Parse(FrameworkStore.SampleJson())!;

        var bad = doc.DeepClone();
        bad["values"]![0]!["behaviors"]![0]!["anchors"]!.AsObject().Remove("5");
        bad["tracks"]![0]!["levels"]![1]!["expectations"]!["asks-why"] = 7;
        bad["tracks"]![0]!["levels"]![2]!["expectations"]!["no-such-behaviour"] = 3;
        bad["values"]![1]!["behaviors"]![0]!["key"] = "asks-why";
        var response = await hr.PutAsync("/api/v1/framework", Raw(bad.ToJsonString()));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal("missing anchor for rating 5", errors.GetProperty("$.values[0].behaviors[0].anchors.5")[0].GetString());
        Assert.Equal("rating must be between 1 and 5 (got 7)", errors.GetProperty("$.tracks[0].levels[1].expectations.asks-why")[0].GetString());
        Assert.Equal("unknown behaviour 'no-such-behaviour'", errors.GetProperty("$.tracks[0].levels[2].expectations.no-such-behaviour")[0].GetString());
        Assert.Equal("duplicate behaviour key 'asks-why'", errors.GetProperty("$.values[1].behaviors[0].key")[0].GetString());

        var malformed = await Json(await hr.PutAsync("/api/v1/framework", Raw("{ \"name\": \"x\", \"values\": [ }")), HttpStatusCode.BadRequest);
        Assert.Contains("line 1", malformed.GetProperty("errors").EnumerateObject().Single().Value[0].GetString());
        var unknownField = await Json(await hr.PutAsync("/api/v1/framework", Raw(doc.ToJsonString().Replace("\"rules\":", "\"rulez\": {}, \"rules\":"))), HttpStatusCode.BadRequest);
        Assert.Contains("rulez", unknownField.GetProperty("errors").EnumerateObject().Single().Value[0].GetString());
        await Json(await hr.PutAsync("/api/v1/framework", Raw("")), HttpStatusCode.BadRequest);

        // Removing a level that people hold would orphan them.
        var withoutE2 = doc.DeepClone();
        withoutE2["tracks"]![0]!["levels"]!.AsArray().RemoveAt(1);
        var orphaning = await Json(await hr.PutAsync("/api/v1/framework", Raw(withoutE2.ToJsonString())), HttpStatusCode.BadRequest);
        Assert.Contains("the level “Professional” (Expert) is still held by 1 person: move them to another level first", orphaning.GetProperty("errors").GetProperty("$.tracks")[0].GetString());

        Assert.Equal(1, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));

        var good = doc.DeepClone();
        good["version"] = "2026.2";
        good["rules"]!["max_direct_reports"] = 10;
        var saved = await Json(await hr.PutAsync("/api/v1/framework?note=tighter%20span", Raw(good.ToJsonString())), HttpStatusCode.OK);
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        var paths = saved.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("path").GetString()).ToList();
        Assert.Equal(["version", "rules.max_direct_reports"], paths);
        var versions = await Json(await hr.GetAsync("/api/v1/framework/versions"), HttpStatusCode.OK);
        Assert.Equal("2026.2", versions[0].GetProperty("label").GetString());
        Assert.Equal("tighter span", versions[0].GetProperty("note").GetString());

        var same = await Json(await hr.PutAsync("/api/v1/framework", Raw(good.ToJsonString())), HttpStatusCode.OK);
        Assert.False(same.GetProperty("created").GetBoolean());
        Assert.Equal(2, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Editing_one_behaviour_or_level_reports_field_errors_unknown_keys_and_stale_writes(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");

        var behavior = new { name = " ", anchors = new Dictionary<string, string> { ["1"] = "a", ["2"] = "b", ["3"] = "", ["4"] = "d", ["5"] = "e", ["6"] = "f" } };
        var errors = (await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", behavior), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal("is required", errors.GetProperty("name")[0].GetString());
        Assert.Equal("missing anchor for rating 3", errors.GetProperty("anchors.3")[0].GetString());
        Assert.Equal("anchors are keyed \"1\" to \"5\"", errors.GetProperty("anchors.6")[0].GetString());

        var level = new
        {
            name = "Lead",
            scope = new { direct_reports = new[] { 2, 40 }, responsibilities = Array.Empty<string>(), time_split = "" },
            expectations = new Dictionary<string, int> { ["asks-why"] = 9, ["nope"] = 3 },
            note = new string('n', 501),
        };
        errors = (await Json(await hr.PutAsJsonAsync("/api/v1/framework/levels/l3", level), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal("maximum 40 exceeds rules.max_direct_reports (12)", errors.GetProperty("scope.direct_reports")[0].GetString());
        Assert.Equal("rating must be between 1 and 5 (got 9)", errors.GetProperty("expectations.asks-why")[0].GetString());
        Assert.Equal("unknown behaviour 'nope'", errors.GetProperty("expectations.nope")[0].GetString());
        Assert.StartsWith("must be at most 500 characters", errors.GetProperty("note")[0].GetString());

        await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/no-such", AsksWhy("x")), HttpStatusCode.NotFound);
        await Json(await hr.PutAsJsonAsync("/api/v1/framework/levels/z9", level), HttpStatusCode.NotFound);
        Assert.Equal(1, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));

        await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("first", baseVersion: 1)), HttpStatusCode.OK);
        var stale = await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("second", baseVersion: 1)), HttpStatusCode.Conflict);
        Assert.Contains("version 2", stale.GetProperty("detail").GetString());
        Assert.Equal(2, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Concurrent_edits_from_the_same_version_save_once_and_the_rest_conflict(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var clients = new List<HttpClient>();
        for (var i = 0; i < 4; i++) clients.Add(await app.ClientForAsync("H1"));
        var responses = await Task.WhenAll(clients.Select((c, i) =>
            c.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy($"edit number {i}", baseVersion: 1))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(2, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));
    }

    public static TheoryData<Provider, string> NonHrRoles()
    {
        var data = new TheoryData<Provider, string>();
        foreach (var provider in new[] { Provider.Sqlite, Provider.Postgres })
            foreach (var who in new[] { "E1", "M1", "C1", "A1" })
                data.Add(provider, who);
        return data;
    }

    [Theory, MemberData(nameof(NonHrRoles))]
    public async Task Everyone_signed_in_reads_the_framework_but_only_hr_edits_it(Provider provider, string who)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync(who);
        foreach (var path in new[] { "/api/v1/framework", "/api/v1/framework/versions", "/api/v1/framework/versions/1",
                     "/framework", "/framework/tracks", "/framework/versions", "/framework/versions/1", "/framework/diff?from=1&to=1" })
            Assert.True(HttpStatusCode.OK == (await client.GetAsync(path)).StatusCode, path);

        var sample = FrameworkStore.SampleJson().Replace("\"2026.1\"", "\"2026.9\"");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsync("/api/v1/framework", Raw(sample))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("mine"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync("/api/v1/framework/levels/e3", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/framework/behaviors/asks-why/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/framework/levels/e3/edit")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => Task.FromResult(db.FrameworkVersions.Count())));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_gets_the_edit_pages_and_anonymous_callers_get_401_or_the_sign_in_page(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        var behaviorPage = await hr.GetAsync("/framework/behaviors/asks-why/edit");
        Assert.Equal(HttpStatusCode.OK, behaviorPage.StatusCode);
        Assert.Contains("Asks why before acting", await behaviorPage.Content.ReadAsStringAsync());
        var levelPage = await hr.GetAsync("/framework/levels/l4/edit");
        Assert.Equal(HttpStatusCode.OK, levelPage.StatusCode);
        Assert.Contains("name=\"Expectations[grows-others]\"", await levelPage.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync("/framework/behaviors/no-such/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync("/framework/levels/z9/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hr.GetAsync("/framework/versions/42")).StatusCode);
        Assert.Contains("/framework/behaviors/asks-why/edit", await hr.GetStringAsync("/framework"));

        var anonymous = app.AnonymousClient();
        var openApi = await anonymous.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/framework/versions", "/api/v1/framework/diff", "/api/v1/framework/behaviors/{key}", "/api/v1/framework/levels/{key}" })
            Assert.Contains($"\"{path}\"", openApi);
        foreach (var path in new[] { "/api/v1/framework", "/api/v1/framework/versions", "/api/v1/framework/versions/1", "/api/v1/framework/diff" })
            Assert.True(HttpStatusCode.Unauthorized == (await anonymous.GetAsync(path)).StatusCode, path);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("/api/v1/framework", Raw(FrameworkStore.SampleJson()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("x"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/v1/framework/levels/e3", new { name = "x" })).StatusCode);
        foreach (var path in new[] { "/framework", "/framework/tracks", "/framework/versions", "/framework/diff", "/framework/behaviors/asks-why/edit" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin", response.Headers.Location?.PathAndQuery);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_pages_show_the_framework_tracks_versions_and_diff(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        await Json(await hr.PutAsJsonAsync("/api/v1/framework/behaviors/asks-why", AsksWhy("Asks why on purpose.", "anchor 3 reworded")), HttpStatusCode.OK);
        var employee = await app.ClientForAsync("E2");

        var framework = await employee.GetStringAsync("/framework");
        Assert.Contains("Asks why on purpose.", framework);
        Assert.DoesNotContain("/edit", framework);

        var tracks = await employee.GetStringAsync("/framework/tracks");
        Assert.Contains("data-level=\"e4\"", tracks);
        Assert.Contains("data-level=\"l4\"", tracks);
        Assert.Contains("class=\"num  differs\"", tracks);

        var versions = await employee.GetStringAsync("/framework/versions");
        Assert.Contains("anchor 3 reworded", versions);
        Assert.Contains("Hana Hr (H1)", versions);

        var old = await employee.GetStringAsync("/framework/versions/1");
        Assert.Contains("older version", old);
        Assert.DoesNotContain("Asks why on purpose.", old);

        var diff = await employee.GetStringAsync("/framework/diff?from=1&to=2");
        Assert.Contains("values[curiosity].behaviors[asks-why].anchors.3", diff);
        Assert.Contains("<ins>Asks why on purpose.</ins>", diff);
        Assert.Contains("class=\"ins\"", diff);
    }
}
