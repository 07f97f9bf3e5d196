using System.Net;
using System.Text;
using System.Text.Json;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Shared;

/// <summary>A body or query value the API cannot read is a 400 whose field errors name the field, like every other refusal.</summary>
public sealed class RequestBodyProblemsTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Unreadable_values_are_field_errors_naming_the_field(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var employee = await app.ClientForAsync("E2");
        var hr = await app.ClientForAsync("H1");
        var cases = new (HttpClient Client, string Path, string Body, string Field, string Says)[]
        {
            (employee, "/api/v1/observations", """{"subject_id":"E1","behavior":"asks-why","rating":"three"}""", "rating", "must be a number"),
            (employee, "/api/v1/observations", """{"subject_id":"E1","behavior":"asks-why","rating":1e400}""", "rating", "number"),
            (employee, "/api/v1/observations", """{"subject_id":["E1"],"behavior":"asks-why","rating":3}""", "subject_id", "text"),
            (employee, "/api/v1/observations", """{"subject_id":"E1","behavior":"asks-why","rat""", "body", "not valid JSON"),
            (employee, "/api/v1/observations", "", "body", "JSON body is required"),
            (hr, "/api/v1/cycles", """{"name":"Q1","opens_on":"2026-13-01","closes_on":"2027-01-31","budget":2}""", "opens_on", "date (YYYY-MM-DD)"),
            (hr, "/api/v1/cycles", """{"name":"Q1","opens_on":"2026-12-01","closes_on":"2027-01-31","budget":"two"}""", "budget", "whole number"),
        };
        foreach (var (client, path, body, field, says) in cases)
        {
            var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {body}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"{body}: no error on '{field}' in {text}");
            Assert.Contains(says, messages[0].GetString()!, StringComparison.Ordinal);
        }

        // A query value that does not parse names its parameter too.
        var query = await hr.GetAsync("/api/v1/employees?page_size=lots");
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        Assert.True(JsonDocument.Parse(await query.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("page_size", out _));
    }
}
