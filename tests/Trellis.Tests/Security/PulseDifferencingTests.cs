using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// The differencing attack on the new leader's upward pulse: reading the summary after every answer would give each
/// answer exactly (k·mean_k − (k−1)·mean_k−1) and its comment alone. The summary moves only in whole batches of the
/// anonymity threshold, for the leader, their manager and HR alike.
/// </summary>
public sealed class PulseDifferencingTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task The_pulse_summary_moves_only_in_whole_batches_of_the_threshold(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        // M2 became a people leader last month (their manager is M1).
        var plan = await app.WithDbAsync(async db =>
        {
            var p = new TransitionPlan { EmployeeId = "M2", ManagerId = "M1", Cycle = "c0", Level = "l3", StartsOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-31) };
            db.TransitionPlans.Add(p);
            await db.SaveChangesAsync();
            return p.Id;
        });
        var readers = new Dictionary<string, HttpClient> { ["M2"] = await app.ClientForAsync("M2"), ["M1"] = await app.ClientForAsync("M1"), ["H1"] = await app.ClientForAsync("H1") };
        async Task<JsonElement> PulseAsync(string who) => (await readers[who].GetFromJsonAsync<JsonElement>($"/api/v1/transitions/{plan}")).GetProperty("pulse");
        var k = (await PulseAsync("M2")).GetProperty("threshold").GetInt32();

        // A team of 2k who will answer, one after the other.
        var team = Enumerable.Range(1, 2 * k).Select(i => $"P{i}").ToList();
        await app.WithDbAsync(async db =>
        {
            foreach (var id in team)
                db.Employees.Add(new Employee
                {
                    Id = id, Name = $"Teammate {id}", Email = $"{id.ToLowerInvariant()}@example.test", ManagerId = "M2", Department = "Engineering",
                    Track = "expert", Level = "e2", HireDate = TestOrganisation.Hired,
                });
            await db.SaveChangesAsync();
            var accounts = new AccountService(db, TimeProvider.System);
            foreach (var id in team) await accounts.AddUserAsync(id, [Roles.Employee], TestOrganisation.Password);
        });
        static (int Clarity, int Safety, int Growth) Answer(int i) => (i % 5 + 1, 5 - i % 5, i * 3 % 5 + 1);

        // Everything of the summary but the number of answers received (which is who-answered-how-many, not what).
        static string Summary(JsonElement pulse) =>
            string.Join(";", pulse.EnumerateObject().Where(p => p.Name != "respondents").Select(p => $"{p.Name}={p.Value.GetRawText()}"));
        Dictionary<string, string>? firstBatch = null;
        for (var i = 1; i <= 2 * k; i++)
        {
            var (clarity, safety, growth) = Answer(i);
            var client = await app.ClientForAsync(team[i - 1]);
            var answered = await client.PostAsJsonAsync($"/api/v1/transitions/{plan}/pulse", new { clarity, safety, growth, comment = $"pulse comment {i}." });
            Assert.True(answered.StatusCode == HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
            var page = WebUtility.HtmlDecode(await readers["M2"].GetStringAsync($"/transitions/{plan}"));
            var seen = new Dictionary<string, JsonElement>();
            foreach (var who in readers.Keys) seen[who] = await PulseAsync(who);
            foreach (var (who, pulse) in seen)
            {
                Assert.Equal(i, pulse.GetProperty("respondents").GetInt32());
                if (i < k)
                {
                    Assert.False(pulse.GetProperty("shown").GetBoolean(), who);
                    Assert.Equal(0, pulse.GetProperty("summarised").GetInt32());
                    Assert.Equal(JsonValueKind.Null, pulse.GetProperty("clarity").ValueKind);
                    Assert.Equal(0, pulse.GetProperty("comments").GetArrayLength());
                }
                else if (i == k || i == 2 * k)
                {
                    // Exactly the first i answers, in the order they came.
                    var batch = Enumerable.Range(1, i).Select(Answer).ToList();
                    Assert.True(pulse.GetProperty("shown").GetBoolean(), who);
                    Assert.Equal(i, pulse.GetProperty("summarised").GetInt32());
                    Assert.Equal(Math.Round(batch.Average(a => a.Clarity), 2), pulse.GetProperty("clarity").GetDouble());
                    Assert.Equal(Math.Round(batch.Average(a => a.Safety), 2), pulse.GetProperty("safety").GetDouble());
                    Assert.Equal(Math.Round(batch.Average(a => a.Growth), 2), pulse.GetProperty("growth").GetDouble());
                    Assert.Equal(Enumerable.Range(1, i).Select(n => $"pulse comment {n}.").Order(StringComparer.Ordinal), pulse.GetProperty("comments").EnumerateArray().Select(c => c.GetString()!));
                }
                else
                    // Answers k+1 … 2k−1 wait for a whole batch: nothing of them shows, for the leader, their manager or HR.
                    Assert.Equal(firstBatch![who], Summary(pulse));
            }
            if (i == k) firstBatch = seen.ToDictionary(s => s.Key, s => Summary(s.Value));

            if (i < k) Assert.Contains($"{i} of {k} needed", page);
            else
            {
                Assert.Contains($"{i / k * k} answers.", page);
                for (var n = 1; n <= i; n++)
                    Assert.Equal(n <= i / k * k, page.Contains($"pulse comment {n}.", StringComparison.Ordinal));
                if (i % k != 0) Assert.Contains($"{i % k} newer answer(s) will be added once {k - i % k} more people have answered", page);
            }
        }
    }
}
