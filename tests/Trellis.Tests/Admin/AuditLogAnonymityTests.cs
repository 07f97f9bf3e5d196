using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Admin;

/// <summary>
/// The audit log names the rater as the actor of a change to feedback and its subject as the subject. Read by the
/// subject (HR is also an employee), that pair names who gave feedback about them; read by an admin, who has no access
/// to evidence, it names who rates whom. Xavi, outside everyone's line, gives anonymous ("other") feedback about Hana (HR)
/// and about Eli, edits the first and withdraws the second.
/// </summary>
public sealed class AuditLogAnonymityTests
{
    private static async Task<string> GivenAsync(HttpClient rater, string subject)
    {
        var r = await rater.PostAsJsonAsync("/api/v1/observations",
            new { subject_id = subject, behavior = "asks-why", rating = 4, comment = "In the review they asked who the report was for; we cut two fields." });
        await AssertStatusAsync(HttpStatusCode.Created, r);
        return (await JsonAsync(r)).GetProperty("id").GetString()!;
    }

    private static async Task<List<JsonElement>> ItemsAsync(HttpClient reader, string query) =>
        (await JsonAsync(await reader.GetAsync("/api/v1/audit-log?page_size=200&" + query))).GetProperty("items").EnumerateArray().ToList();

    /// <summary>The page's table of entries (the action filter lists every action name).</summary>
    private static async Task<string> TableAsync(HttpClient reader, string query) =>
        System.Text.RegularExpressions.Regex.Match(await reader.GetStringAsync("/admin/audit-log?" + query), "<table id=\"audit-log\">.*?</table>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Value;

    private static bool IsChange(JsonElement e) => e.GetProperty("action").GetString() is "observation.edited" or "observation.withdrawn";

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Nobody_reads_who_changed_feedback_about_them_and_an_admin_reads_no_rater_subject_pair(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "X1", "H1", "A1");
        var aboutHana = await GivenAsync(c["X1"], "H1");
        var aboutEli = await GivenAsync(c["X1"], "E1");
        await AssertStatusAsync(HttpStatusCode.OK, await c["X1"].PutAsJsonAsync($"/api/v1/observations/{aboutHana}", new { rating = 2 }));
        await AssertStatusAsync(HttpStatusCode.OK, await c["X1"].PostAsync($"/api/v1/observations/{aboutEli}/withdraw", null));

        // Hana (HR) is the subject of the edit: it is not in her log however she filters it, nor counted.
        foreach (var query in new[] { "", "actor=X1", "subject=H1", "action=observation.edited" })
            Assert.DoesNotContain(await ItemsAsync(c["H1"], query), e => IsChange(e) && e.GetProperty("subject_id").GetString() == "H1");
        Assert.Equal(0, (await JsonAsync(await c["H1"].GetAsync("/api/v1/audit-log?action=observation.edited"))).GetProperty("total").GetInt32());
        var hanasPage = await TableAsync(c["H1"], "actor=X1");
        Assert.DoesNotContain("observation.edited", hanasPage);
        Assert.DoesNotContain(aboutHana, hanasPage);
        // She still investigates everyone else's trail: Xavi withdrew feedback about Eli.
        var eli = Assert.Single(await ItemsAsync(c["H1"], "subject=E1"), IsChange);
        Assert.Equal(("X1", "observation.withdrawn"), (eli.GetProperty("actor_id").GetString(), eli.GetProperty("action").GetString()));
        Assert.Contains(aboutEli, eli.GetProperty("detail").GetString());
        Assert.Contains("observation.withdrawn", hanasPage);

        // The admin sees that Xavi changed feedback, never about whom: no subject, no observation id, not found by subject.
        var changes = (await ItemsAsync(c["A1"], "actor=X1")).Where(IsChange).ToList();
        Assert.Equal(["observation.edited", "observation.withdrawn"], changes.Select(e => e.GetProperty("action").GetString()).Order());
        Assert.All(changes, e => Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null),
            (e.GetProperty("subject_id").ValueKind, e.GetProperty("subject_name").ValueKind, e.GetProperty("detail").ValueKind)));
        foreach (var subject in new[] { "H1", "E1" })
            Assert.DoesNotContain(await ItemsAsync(c["A1"], $"subject={subject}"), IsChange);
        var adminsPage = await TableAsync(c["A1"], "actor=X1");
        Assert.Contains("observation.edited", adminsPage);
        foreach (var hidden in new[] { aboutHana, aboutEli, "Hana Hr", "Eli Engineer" }) Assert.DoesNotContain(hidden, adminsPage);
    }
}
