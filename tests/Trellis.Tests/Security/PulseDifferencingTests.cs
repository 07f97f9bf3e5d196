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

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Changing_the_threshold_keeps_released_batches_and_never_isolates_an_answer(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var plan = await app.WithDbAsync(async db =>
        {
            var p = new TransitionPlan { EmployeeId = "M2", ManagerId = "M1", Cycle = "c0", Level = "l3", StartsOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-31) };
            db.TransitionPlans.Add(p);
            await db.SaveChangesAsync();
            return p.Id;
        });
        var team = Enumerable.Range(1, 12).Select(i => $"P{i}").ToList();
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
        var hr = await app.ClientForAsync("H1");
        var leader = await app.ClientForAsync("M2");
        var versions = 0;
        async Task ThresholdAsync(int k)
        {
            var document = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Trellis.Framework.FrameworkStore.SampleJson())!;
            var rules = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(document["rules"].GetRawText())!;
            rules["anonymity_threshold"] = JsonSerializer.SerializeToElement(k);
            document["rules"] = JsonSerializer.SerializeToElement(rules);
            document["version"] = JsonSerializer.SerializeToElement($"2026.{10 + ++versions}");
            var response = await hr.PutAsJsonAsync("/api/v1/framework", document);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        var answered = 0;
        async Task AnswerAsync(int count)
        {
            for (var n = 0; n < count; n++)
            {
                var i = ++answered;
                var client = await app.ClientForAsync(team[i - 1]);
                var response = await client.PostAsJsonAsync($"/api/v1/transitions/{plan}/pulse", new { clarity = i % 5 + 1, safety = 5 - i % 5, growth = i * 3 % 5 + 1, comment = $"pulse comment {i}." });
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
        }
        // What the leader sees after each step, and the threshold in force when it changed.
        var seen = new List<(int Summarised, int Threshold, string Comments)>();
        async Task<int> SummarisedAsync()
        {
            var pulse = (await leader.GetFromJsonAsync<JsonElement>($"/api/v1/transitions/{plan}")).GetProperty("pulse");
            var summarised = pulse.GetProperty("summarised").GetInt32();
            seen.Add((summarised, pulse.GetProperty("threshold").GetInt32(), pulse.GetProperty("comments").GetRawText()));
            return summarised;
        }

        await ThresholdAsync(3);
        await AnswerAsync(6);
        Assert.Equal(6, await SummarisedAsync());
        // The attack: the threshold goes to 4, then 5. Recomputing ⌊6/k⌋·k would show 4 answers, then 5: answer 5 alone.
        await ThresholdAsync(4);
        Assert.Equal(6, await SummarisedAsync());
        await ThresholdAsync(5);
        Assert.Equal(6, await SummarisedAsync());
        // With k = 5, four more answers wait.
        await AnswerAsync(4);
        Assert.Equal(6, await SummarisedAsync());
        // Lowered to 3, one batch of three of them is added; the tenth waits.
        await ThresholdAsync(3);
        Assert.Equal(9, await SummarisedAsync());
        await AnswerAsync(1);
        Assert.Equal(9, await SummarisedAsync());
        await AnswerAsync(1);
        Assert.Equal(12, await SummarisedAsync());

        // Every change anyone could see is at least the threshold in force when it came.
        for (var n = 1; n < seen.Count; n++)
        {
            var step = seen[n].Summarised - seen[n - 1].Summarised;
            Assert.True(step == 0 ? seen[n].Comments == seen[n - 1].Comments : step >= seen[n].Threshold, $"the summary moved by {step} answer(s) at step {n}");
        }
        // And the same for the leader's manager and HR, who read the same released batches.
        foreach (var who in new[] { "M1", "H1" })
        {
            var pulse = (await (await app.ClientForAsync(who)).GetFromJsonAsync<JsonElement>($"/api/v1/transitions/{plan}")).GetProperty("pulse");
            Assert.Equal(12, pulse.GetProperty("summarised").GetInt32());
        }
    }
}
