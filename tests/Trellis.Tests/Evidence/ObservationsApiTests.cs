using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Evidence;

public sealed class ObservationsApiTests
{
    private static object Observation(string subject, string behavior = "asks-why", object? rating = null, string? comment = null, string? visibility = null) =>
        new { subject_id = subject, behavior, rating = rating ?? 4, comment, visibility };

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_relationship_is_derived_from_the_organisation_for_every_kind(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // M1 → M2 → E1, E2; M1 → E3; X1 outside the line.
        var cases = new (string Rater, string Subject, string Expected)[]
        {
            ("E1", "E1", "self"), ("M2", "E1", "manager"), ("M1", "E1", "skip_level"),
            ("E1", "M2", "report"), ("E2", "E1", "peer"), ("X1", "E1", "other"), ("E3", "E1", "other"),
        };
        foreach (var (rater, subject, expected) in cases)
        {
            var client = await app.ClientForAsync(rater);
            var response = await client.PostAsJsonAsync("/api/v1/observations", Observation(subject));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(expected, body.GetProperty("relationship").GetString());
            Assert.Equal(rater, body.GetProperty("rater_id").GetString());
            Assert.StartsWith("OBS-", body.GetProperty("id").GetString());
            var id = body.GetProperty("id").GetString()!;
            var stored = await app.WithDbAsync(db => db.Observations.AsNoTracking().SingleAsync(o => o.Id == id));
            Assert.Equal(expected, stored.Relationship);
            Assert.Equal(rater, stored.RaterId);
        }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Bad_input_gets_field_errors_named_by_field(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E2");

        var response = await client.PostAsJsonAsync("/api/v1/observations",
            Observation("NOPE", behavior: "juggles", rating: 3.5, comment: new string('x', 4001), visibility: "public"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["behavior", "comment", "rating", "subject_id", "visibility"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("NOPE", errors.GetProperty("subject_id")[0].GetString());
        Assert.Contains("juggles", errors.GetProperty("behavior")[0].GetString());

        foreach (var rating in new object[] { 0, 6, -1 })
        {
            var bad = await client.PostAsJsonAsync("/api/v1/observations", Observation("E1", rating: rating));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("rating", out _));
        }

        var missing = await client.PostAsJsonAsync("/api/v1/observations", new { behavior = "asks-why" });
        var missingErrors = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["rating", "subject_id"], missingErrors.EnumerateObject().Select(p => p.Name).Order());

        await app.WithDbAsync(async db =>
        {
            var e1 = await db.Employees.SingleAsync(e => e.Id == "E1");
            e1.Status = EmployeeStatus.Left;
            await db.SaveChangesAsync();
        });
        var left = await client.PostAsJsonAsync("/api/v1/observations", Observation("E1"));
        Assert.Equal(HttpStatusCode.BadRequest, left.StatusCode);
        Assert.Contains("has left", (await left.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("subject_id")[0].GetString());

        Assert.Equal(0, await app.WithDbAsync(db => db.Observations.CountAsync()));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Quality_warnings_are_returned_but_never_block_saving(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E2");
        const string comment = "Great job, he is so smart.";
        var response = await client.PostAsJsonAsync("/api/v1/observations", Observation("E1", comment: comment, visibility: "private"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var warnings = body.GetProperty("warnings").EnumerateArray().ToList();
        var codes = warnings.Select(w => w.GetProperty("code").GetString()).ToList();
        Assert.Contains("vague_generic_praise", codes);
        Assert.Contains("personality", codes);
        var personality = warnings.First(w => w.GetProperty("code").GetString() == "personality");
        Assert.Equal("is so smart", comment.Substring(personality.GetProperty("start").GetInt32(), personality.GetProperty("length").GetInt32()));

        var stored = await app.WithDbAsync(db => db.Observations.AsNoTracking().SingleAsync());
        Assert.Equal(comment, stored.Comment);
        Assert.Equal("private", stored.Visibility);
        Assert.Equal(4, stored.Rating);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_check_endpoint_answers_warnings_with_spans_and_needs_sign_in(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("X1");
        const string comment = "In the review she was abrasive when people asked about the deadline and the plan.";
        var body = await (await client.PostAsJsonAsync("/api/v1/feedback/check", new { comment })).Content.ReadFromJsonAsync<JsonElement>();
        var w = Assert.Single(body.GetProperty("warnings").EnumerateArray(), x => x.GetProperty("code").GetString() == "gender_coded_feminine");
        Assert.Equal("abrasive", comment.Substring(w.GetProperty("start").GetInt32(), w.GetProperty("length").GetInt32()));

        var good = await (await client.PostAsJsonAsync("/api/v1/feedback/check",
            new { comment = "In the review she asked who the report was for and we dropped two unused fields." })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(good.GetProperty("warnings").EnumerateArray());

        var anonymous = await app.AnonymousClient().PostAsJsonAsync("/api/v1/feedback/check", new { comment });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_single_observation_is_readable_by_its_rater_and_hr_only(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var rater = await app.ClientForAsync("E2");
        var created = await (await rater.PostAsJsonAsync("/api/v1/observations", Observation("E1"))).Content.ReadFromJsonAsync<JsonElement>();
        var url = $"/api/v1/observations/{created.GetProperty("id").GetString()}";
        Assert.Equal(HttpStatusCode.OK, (await rater.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync("H1")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("E1")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync("M2")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await rater.GetAsync("/api/v1/observations/OBS-NONE")).StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "observation.read" && a.ActorEmployeeId == "H1" && a.SubjectEmployeeId == "E1")));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Hr_never_reads_single_observations_about_themselves_but_their_self_ratings_and_reads_others_audited(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var hr = await app.ClientForAsync("H1");
        async Task<string> GivenAsync(HttpClient client, object body)
        {
            var response = await client.PostAsJsonAsync("/api/v1/observations", body);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
        // Feedback about H1 (who holds the HR role): a private comment, and one its rater withdrew (only versions are left).
        var aboutMe = await GivenAsync(await app.ClientForAsync("E2"), Observation("H1", rating: 2, comment: "In the planning meeting she cut me off twice.", visibility: "private"));
        var withdrawer = await app.ClientForAsync("E3");
        var withdrawn = await GivenAsync(withdrawer, Observation("H1", rating: 1, comment: "She skipped the review we had agreed on."));
        Assert.Equal(HttpStatusCode.OK, (await withdrawer.PostAsync($"/api/v1/observations/{withdrawn}/withdraw", null)).StatusCode);
        var self = await GivenAsync(hr, Observation("H1", rating: 4, comment: "I asked who the report was for before writing it."));
        var aboutOther = await GivenAsync(await app.ClientForAsync("E2"), Observation("E1"));

        // The subject rule first: no rater, rating or comment about themselves, from the observation or its versions.
        foreach (var url in new[] { $"/api/v1/observations/{aboutMe}", $"/api/v1/observations/{aboutMe}/versions", $"/api/v1/observations/{withdrawn}/versions" })
        {
            var response = await hr.GetAsync(url);
            Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{url}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("E2", body);
            Assert.DoesNotContain("cut me off", body);
        }
        // Their own self-rating stays theirs to read.
        Assert.Equal(HttpStatusCode.OK, (await hr.GetAsync($"/api/v1/observations/{self}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hr.GetAsync($"/api/v1/observations/{self}/versions")).StatusCode);
        // Someone else's feedback HR still reads, and every such read is in the audit log.
        var other = await hr.GetFromJsonAsync<JsonElement>($"/api/v1/observations/{aboutOther}");
        Assert.Equal("E2", other.GetProperty("rater_id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await hr.GetAsync($"/api/v1/observations/{aboutOther}/versions")).StatusCode);
        var audit = await app.WithDbAsync(db => db.AuditLog.Where(a => a.ActorEmployeeId == "H1").Select(a => new { a.Action, a.SubjectEmployeeId, a.Detail }).ToListAsync());
        Assert.Contains(audit, a => a.Action == "observation.read" && a.SubjectEmployeeId == "E1" && a.Detail == aboutOther);
        Assert.Contains(audit, a => a.Action == "observation.versions" && a.SubjectEmployeeId == "E1" && a.Detail == aboutOther);
        // A refused read discloses nothing, and reading one's own self-rating is no disclosure: neither is logged.
        Assert.DoesNotContain(audit, a => a.Action.StartsWith("observation.", StringComparison.Ordinal) && a.SubjectEmployeeId == "H1");
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Colleague_search_finds_active_people_by_name_or_id(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var client = await app.ClientForAsync("E1");
        var found = await client.GetFromJsonAsync<JsonElement>("/api/v1/evidence/colleagues?q=engin");
        Assert.Equal(["E1", "E2", "E3"], found.EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order());
        var byId = await client.GetFromJsonAsync<JsonElement>("/api/v1/evidence/colleagues?q=x1");
        Assert.Equal("Xavi Sales", Assert.Single(byId.EnumerateArray()).GetProperty("name").GetString());
    }
}
