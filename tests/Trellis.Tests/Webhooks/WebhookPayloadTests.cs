using System.Net;
using System.Net.Http.Json;
using Trellis.Tests.Infrastructure;
using Trellis.Webhooks;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Webhooks;

/// <summary>What leaves Trellis in a webhook: ids, names, levels, outcomes, phases, dates and counts; never feedback text, notes, rationales or concerns.</summary>
public sealed class WebhookPayloadTests
{
    /// <summary>Every field any payload may carry. A new field must be added here on purpose, after asking whether it can carry someone's words.</summary>
    private static readonly HashSet<string> Allowed =
    [
        "NominationId", "RequestId", "EndpointId", "Cycle", "EmployeeId", "EmployeeName", "Name", "ManagerId", "Department", "Track", "Level",
        // Not the target level, nominator, answer or decision of a nomination: those are read through the API, where the roles apply.
        "FromLevel", "ToLevel", "Outcome", "FromPhase", "ToPhase", "PublishedOn", "EffectiveOn", "Nominations", "Promoted", "Status", "Change",
        "Message", // the test event's fixed sentence
        "Link", // where a thin event's subject is read, with the receiver's own token
        // A published promotion story: its id, the values and behaviours it names (keys), when, and the headline its person approved to publish.
        "StoryId", "Values", "Behaviors", "PublishedAt", "Headline",
        "WithdrawnAt", // when its person withdrew a published story
    ];

    [Fact]
    public void Payload_types_have_only_fields_that_cannot_carry_feedback_notes_or_concerns()
    {
        var payloads = typeof(WebhookEvents).Assembly.GetTypes()
            .Where(t => t.Namespace == "Trellis.Webhooks" && t.Name.EndsWith("Data", StringComparison.Ordinal) && t.IsClass)
            .ToList();
        Assert.Equal(11, payloads.Count); // the ten event types and the test event
        foreach (var type in payloads)
            foreach (var property in type.GetProperties().Where(p => p.Name != "EqualityContract"))
            {
                Assert.True(Allowed.Contains(property.Name), $"{type.Name}.{property.Name} is not an allowed payload field");
                Assert.DoesNotMatch("(?i)note|comment|rationale|reason|concern|feedback|text|description|evidence", property.Name);
            }
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task No_event_carries_feedback_text_notes_rationales_reasons_or_concerns(Provider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TrellisApp.StartAsync(provider);
        var c = await ClientsAsync(app, "A1", "H1", "M2", "E1", "E2", "C1");
        var created = await c["A1"].PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events = EventTypes.All });
        await AssertStatusAsync(HttpStatusCode.Created, created);
        receiver.Secrets["current"] = (await JsonAsync(created)).GetProperty("secret").GetString()!;

        // Words people wrote, before and during a cycle that promotes E1 and a track return that moves M2.
        string[] words =
        [
            "Feedback-words-that-stay-inside", "Concern-category-that-stays-inside", "Nomination-case-that-stays-inside",
            "Private-answer-note-that-stays-inside", "Committee-rationale-that-stays-inside", "Track-return-reason-that-stays-inside",
            "Publication-override-reason-that-stays-inside", "Promotion-story-text-that-stays-inside",
        ];
        await AssertStatusAsync(HttpStatusCode.Created, await c["E2"].PostAsJsonAsync("/api/v1/observations",
            new { subject_id = "E1", behavior = "asks-why", rating = 5, comment = words[0] }));
        await AssertStatusAsync(HttpStatusCode.Created, await c["H1"].PostAsJsonAsync("/api/v1/concerns", new { employee_id = "E1", category = words[1] }));
        await CycleAsync(c["H1"], "c1");
        var nominated = await NominateAsync(c["M2"], "c1", "E1", "l3", rationale: words[2]);
        await AssertStatusAsync(HttpStatusCode.Created, nominated);
        var id = (await JsonAsync(nominated)).GetProperty("id").GetInt32();
        await AssertStatusAsync(HttpStatusCode.OK, await RespondAsync(c["E1"], id, "accept", note: words[3]));
        await PhaseAsync(c["H1"], "c1", "calibration");
        await AssertStatusAsync(HttpStatusCode.OK, await DecideAsync(c["C1"], id, "promoted", rationale: words[4]));
        // Published before the response deadline, so with an override reason (issue 11).
        await AssertStatusAsync(HttpStatusCode.OK, await PublishAsync(c["H1"], "c1", words[6]));
        // Eli tells the story of his promotion and approves it: the event names it, its text stays inside.
        var story = await c["E1"].PostAsJsonAsync("/api/v1/promotion-stories", new { cycle = "c1" });
        await AssertStatusAsync(HttpStatusCode.Created, story);
        var storyId = (await JsonAsync(story)).GetProperty("id").GetInt32();
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PutAsJsonAsync($"/api/v1/promotion-stories/{storyId}", new { text = words[7] }));
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{storyId}/approve", null));
        // ... and then withdraws it: the withdrawal is an event too (so that a receiver showing it takes it down).
        await AssertStatusAsync(HttpStatusCode.OK, await c["E1"].PostAsync($"/api/v1/promotion-stories/{storyId}/decline", null));
        var requested = await c["M2"].PostAsJsonAsync("/api/v1/track-returns", new { reason = words[5] });
        await AssertStatusAsync(HttpStatusCode.OK, requested);
        await AssertStatusAsync(HttpStatusCode.OK, await c["H1"].PostAsync($"/api/v1/track-returns/{(await JsonAsync(requested)).GetProperty("id").GetInt32()}/approve", null));

        // The cycle's eight events, the story's two, then the track return's (its team's new manager, the approval, M2's own change, last).
        await receiver.WaitForAsync(r => r.Any(x => x.Type == EventTypes.EmployeeChanged && x.Data.GetProperty("employee_id").GetString() == "M2"));
        await Task.Delay(500);
        var got = receiver.Accepted;
        Assert.Equal(EventTypes.All.Order(), got.Select(r => r.Type).Distinct().Order());
        foreach (var r in got)
            foreach (var w in words)
                Assert.DoesNotContain(w, r.Body);
    }
}
