using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Security;

/// <summary>
/// The permission matrix generated from the app itself: every operation of the OpenAPI document (/openapi/v1.json) and
/// every page route, called by each kind of caller, against the status written in <see cref="Table"/>. An operation
/// without a row fails the test (and prints the row to add, with the statuses it answered), as does a row whose
/// operation is gone. Requests carry a bearer token; state-changing operations get an empty JSON object as body, so
/// that what is checked is who gets past authorisation (a 400 for a caller who may, a 403 for one who may not).
/// </summary>
/// <remarks>
/// The subject of every per-person route is E1 (employee, reporting to M2). The callers:
/// admin A1; hr H1; CC, committee on the open cycle 2026-H1 (E1 is nominated in it); CN, committee on no cycle;
/// M2, E1's manager; MO, a manager of another line (X1's); E1 themselves; X1, an unrelated employee; LV, a leaver (an
/// account whose employee record has status left, with a token made before they left); and an anonymous caller.
/// </remarks>
public sealed class OperationMatrixTests
{
    private static readonly string[] Callers = ["A1", "H1", "CC", "CN", "M2", "MO", "E1", "X1", "LV", "anonymous"];

    private const string Cycle = "2026-H1";

    // Reviewed line by line (see docs/security.md). Columns: admin, hr, committee on the cycle, committee on no cycle,
    // E1's manager, a manager of another line, E1 (the subject), an unrelated employee, a leaver, anonymous.
    //  method path                                                   A1   H1   CC   CN   M2   MO   E1   X1   LV   anon
    private static readonly string[] Table =
    [
        "GET    /                                                      200  200  200  200  200  200  200  200  401  302",
        "GET    /account                                               200  200  200  200  200  200  200  200  401  302",
        "GET    /admin                                                 200  200  403  403  403  403  403  403  401  302",
        "GET    /admin/accounts/{employeeId}                           200  403  403  403  403  403  403  403  401  302",
        "GET    /admin/audit-log                                       200  200  403  403  403  403  403  403  401  302",
        "GET    /admin/tokens                                          200  403  403  403  403  403  403  403  401  302",
        "GET    /admin/webhooks                                        200  403  403  403  403  403  403  403  401  302",
        "GET    /api/v1/admin/accounts                                 200  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/admin/scim-tokens                              200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/admin/sso                                      200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/admin/tokens                                   200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/audit                                          200  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/audit-log                                      200  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/audit/status                                   200  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/concerns                                       403  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/concerns/flags                                 403  200  200  403  403  403  403  403  401  401",
        "GET    /api/v1/cycles                                         200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/cycles/{name}                                  200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/cycles/{name}/board                            403  200  200  403  403  403  403  403  401  401",
        "GET    /api/v1/cycles/{name}/grid                             403  200  200  403  403  403  403  403  401  401",
        "GET    /api/v1/cycles/{name}/nominations                      200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/cycles/{name}/nominees                         200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/cycles/{name}/publication                      403  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/cycles/{name}/suggestions                      403  200  403  403  200  200  403  403  401  401",
        "GET    /api/v1/development-plans                              200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/development-plans/summary                      403  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/development-plans/{id}                         403  200  403  403  200  403  200  403  401  401",
        "GET    /api/v1/employees                                      200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/employees/{employeeId}/history                 403  200  403  403  200  403  200  403  401  401",
        "GET    /api/v1/employees/{id}                                 200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/employees/{id}/evidence                        403  200  200  403  200  403  200  403  401  401",
        "GET    /api/v1/employees/{id}/readiness                       403  200  200  403  200  403  200  403  401  401",
        "GET    /api/v1/employees/{id}/recognitions                    200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/evidence/colleagues                            200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/feedback-requests/inbox                        200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/feedback-requests/sent                         200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/framework                                      200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/framework/diff                                 400  400  400  400  400  400  400  400  401  401",
        "GET    /api/v1/framework/versions                             200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/framework/versions/{id}                        200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/me                                             200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/nominations/{id}                               403  200  200  403  200  403  200  403  401  401",
        "GET    /api/v1/nominations/{id}/conversation-partners         403  403  403  403  403  403  200  403  401  401",
        "GET    /api/v1/nominations/{id}/conversations                 403  403  403  403  403  403  200  403  401  401",
        "GET    /api/v1/nominations/{id}/decisions                     403  200  200  403  403  403  403  403  401  401",
        "GET    /api/v1/nominations/{id}/evidence                      403  200  200  403  403  403  403  403  401  401",
        "GET    /api/v1/nominations/{id}/notes                         403  403  403  403  403  403  200  403  401  401",
        "GET    /api/v1/nominations/{id}/where-you-lead                403  403  403  403  403  403  200  403  401  401",
        "GET    /api/v1/notifications                                  200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/observations/given                             200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/observations/{id}                              403  200  403  403  403  403  403  200  401  401",
        "GET    /api/v1/observations/{id}/versions                     403  200  403  403  403  403  403  200  401  401",
        "GET    /api/v1/org/nodes                                      200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/org/path/{id}                                  200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/promotion-stories                              200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/promotion-stories/mine                         200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/promotion-stories/summary                      403  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/promotion-stories/{id}                         403  403  403  403  403  403  200  403  401  401",
        "GET    /api/v1/recognitions                                   200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/results                                        403  200  403  403  403  403  403  403  401  401",
        "GET    /api/v1/span-of-control                                200  200  403  403  200  200  403  403  401  401",
        "GET    /api/v1/team/readiness                                 403  200  403  403  200  200  403  403  401  401",
        "GET    /api/v1/tokens                                         200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/track-returns                                  200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/transitions                                    200  200  200  200  200  200  200  200  401  401",
        "GET    /api/v1/transitions/{id}                               404  404  404  404  404  404  404  404  401  401",
        "GET    /api/v1/webhooks                                       200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/webhooks/events                                200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/webhooks/{id}                                  200  403  403  403  403  403  403  403  401  401",
        "GET    /api/v1/webhooks/{id}/deliveries                       200  403  403  403  403  403  403  403  401  401",
        "GET    /audit                                                 200  200  403  403  403  403  403  403  401  302",
        "GET    /audit/flags/{cycle}/{employeeId}                      404  404  403  403  403  403  403  403  401  302",
        "GET    /audit/report                                          200  200  403  403  403  403  403  403  401  302",
        "GET    /cycles                                                200  200  200  200  200  200  200  200  401  302",
        "GET    /cycles/{name}                                         200  200  200  200  200  200  200  200  401  302",
        "GET    /cycles/{name}/board                                   403  200  200  403  403  403  403  403  401  302",
        "GET    /cycles/{name}/board/{id:int}                          403  200  200  403  403  403  403  403  401  302",
        "GET    /cycles/{name}/grid                                    403  200  200  403  403  403  403  403  401  302",
        "GET    /denied                                                403  403  403  403  403  403  403  403  401  302",
        "GET    /error/{code:int}                                      404  404  404  404  404  404  404  404  401  302",
        "GET    /evidence/concerns                                     403  200  403  403  403  403  403  403  401  302",
        "GET    /evidence/results                                      403  200  403  403  403  403  403  403  401  302",
        "GET    /feedback/give                                         200  200  200  200  200  200  200  200  401  302",
        "GET    /feedback/given                                        200  200  200  200  200  200  200  200  401  302",
        "GET    /feedback/inbox                                        200  200  200  200  200  200  200  200  401  302",
        "GET    /feedback/request                                      200  200  200  200  200  200  200  200  401  302",
        "GET    /framework                                             200  200  200  200  200  200  200  200  401  302",
        "GET    /framework/behaviors/{key}/edit                        403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/diff                                        200  200  200  200  200  200  200  200  401  302",
        "GET    /framework/levels/{key}/edit                           403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/tracks                                      200  200  200  200  200  200  200  200  401  302",
        "GET    /framework/tracks/{key}/levels/new                     403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/values/new                                  403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/values/{key}/behaviors/new                  403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/values/{key}/edit                           403  200  403  403  403  403  403  403  401  302",
        "GET    /framework/versions                                    200  200  200  200  200  200  200  200  401  302",
        "GET    /framework/versions/{id:int}                           200  200  200  200  200  200  200  200  401  302",
        "GET    /growth/{employeeId?}                                  403  200  200  403  200  403  200  403  401  302",
        "GET    /growth/{employeeId}/evidence/{behavior}               403  200  200  403  200  403  200  403  401  302",
        "GET    /import                                                200  200  403  403  403  403  403  403  401  302",
        "GET    /inbox                                                 200  200  200  200  200  200  200  200  401  302",
        "GET    /nominations/{id:int}                                  403  200  200  403  200  403  200  403  401  302",
        "GET    /org                                                   200  200  200  200  200  200  200  200  401  302",
        "GET    /people                                                200  200  200  200  200  200  200  200  401  302",
        "GET    /people/{id}                                           200  200  200  200  200  200  200  200  401  302",
        "GET    /plans                                                 200  200  200  200  200  200  200  200  401  302",
        "GET    /plans/new                                             200  200  200  200  200  200  200  200  401  302",
        "GET    /plans/summary                                         403  200  403  403  403  403  403  403  401  302",
        "GET    /plans/{id:int}                                        403  200  403  403  200  403  200  403  401  302",
        "GET    /promotions                                            200  200  200  200  200  200  200  200  401  302",
        "GET    /promotions/story/{cycle}                              404  404  404  404  404  404  200  404  401  302",
        "GET    /recognition                                           200  200  200  200  200  200  200  200  401  302",
        "GET    /returns                                               200  200  200  200  200  200  200  200  401  302",
        "GET    /signin                                                200  200  200  200  200  200  200  200  200  200",
        "GET    /signin/refused                                        403  403  403  403  403  403  403  403  403  403",
        "GET    /span                                                  200  200  403  403  200  200  403  403  401  302",
        "GET    /team                                                  403  200  403  403  200  200  403  403  401  302",
        "GET    /transitions/{id:int?}                                 404  404  404  404  404  404  404  404  401  302",
        "POST   /api/v1/admin/accounts                                 400  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/accounts/{employeeId}/disable            200  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/accounts/{employeeId}/enable             200  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/accounts/{employeeId}/password           200  403  403  403  403  403  403  403  401  401",
        "PUT    /api/v1/admin/accounts/{employeeId}/roles              400  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/accounts/{employeeId}/unlock             200  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/scim-tokens                              403  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/scim-tokens/{id}/revoke                  204  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/admin/tokens/{id}/revoke                       204  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/concerns                                       403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/concerns/{id}/substantiated                    403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/cycles                                         403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/cycles/{name}/nominations                      400  400  400  400  400  400  400  400  401  401",
        "POST   /api/v1/cycles/{name}/phase                            403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/cycles/{name}/publish                          403  409  403  403  403  403  403  403  401  401",
        "POST   /api/v1/development-plans                              400  400  400  400  400  400  400  400  401  401",
        "PUT    /api/v1/development-plans/{id}                         403  200  403  403  200  403  200  403  401  401",
        "POST   /api/v1/feedback-requests                              400  400  400  400  400  400  400  400  401  401",
        "POST   /api/v1/feedback-requests/{id}/withdraw                403  403  403  403  403  403  200  403  401  401",
        "POST   /api/v1/feedback/check                                 200  200  200  200  200  200  200  200  401  401",
        "PUT    /api/v1/framework                                      403  400  403  403  403  403  403  403  401  401",
        "PUT    /api/v1/framework/behaviors/{key}                      403  400  403  403  403  403  403  403  401  401",
        "PUT    /api/v1/framework/levels/{key}                         403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/behaviors/{key}/move                 403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/behaviors/{key}/restore              403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/behaviors/{key}/retire               403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/tracks/{track}/levels                403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/values                               403  400  403  403  403  403  403  403  401  401",
        "PUT    /api/v1/framework/values/{key}                         403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/values/{key}/behaviors               403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/values/{key}/move                    403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/framework/values/{key}/retire                  403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/nominations/{id}/conversations                 403  403  403  403  403  403  400  403  401  401",
        "POST   /api/v1/nominations/{id}/decision                      403  403  409  403  403  403  403  403  401  401",
        "PUT    /api/v1/nominations/{id}/notes                         403  403  403  403  403  403  200  403  401  401",
        "POST   /api/v1/nominations/{id}/response                      403  403  403  403  403  403  400  403  401  401",
        "POST   /api/v1/notifications/{id}/read                        404  404  404  404  404  404  204  404  401  401",
        "POST   /api/v1/observations                                   400  400  400  400  400  400  400  400  401  401",
        "PUT    /api/v1/observations/{id}                              403  403  403  403  403  403  403  400  401  401",
        "POST   /api/v1/observations/{id}/withdraw                     403  403  403  403  403  403  403  200  401  401",
        "POST   /api/v1/promotion-stories                              400  400  400  400  400  400  400  400  401  401",
        "PUT    /api/v1/promotion-stories/{id}                         403  403  403  403  403  403  200  403  401  401",
        "POST   /api/v1/promotion-stories/{id}/approve                 403  403  403  403  403  403  200  403  401  401",
        "POST   /api/v1/promotion-stories/{id}/decline                 403  403  403  403  403  403  200  403  401  401",
        "POST   /api/v1/recognitions                                   400  400  400  400  400  400  400  400  401  401",
        "POST   /api/v1/results                                        403  400  403  403  403  403  403  403  401  401",
        "POST   /api/v1/track-returns                                  400  200  200  200  200  200  400  400  401  401",
        "POST   /api/v1/track-returns/{id}/approve                     403  200  403  403  403  403  403  403  401  401",
        "POST   /api/v1/track-returns/{id}/reject                      403  409  403  403  403  403  403  403  401  401",
        "POST   /api/v1/transitions/{id}/check-ins/{day}               404  404  404  404  404  404  404  404  401  401",
        "POST   /api/v1/transitions/{id}/pulse                         404  404  404  404  404  404  404  404  401  401",
        "POST   /api/v1/webhooks                                       400  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay   404  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/webhooks/{id}/rotate-secret                    200  403  403  403  403  403  403  403  401  401",
        "POST   /api/v1/webhooks/{id}/test                             202  403  403  403  403  403  403  403  401  401",
        "PATCH  /api/v1/webhooks/{id}                                  400  403  403  403  403  403  403  403  401  401",
        "DELETE /api/v1/framework/behaviors/{key}                      403  400  403  403  403  403  403  403  401  401",
        "DELETE /api/v1/framework/levels/{key}                         403  400  403  403  403  403  403  403  401  401",
        "DELETE /api/v1/framework/values/{key}                         403  400  403  403  403  403  403  403  401  401",
        "DELETE /api/v1/tokens/{id}                                    204  403  403  403  403  403  403  403  401  401",
        "DELETE /api/v1/webhooks/{id}                                  204  403  403  403  403  403  403  403  401  401",
    ];

    private sealed record Row(string Method, string Template, int[] Expected);

    private static Dictionary<(string, string), Row> ParseTable()
    {
        var rows = new Dictionary<(string, string), Row>();
        foreach (var line in Table)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(parts.Length == 2 + Callers.Length, $"row '{line}' needs a method, a path and {Callers.Length} statuses");
            var row = new Row(parts[0], parts[1], parts[2..].Select(int.Parse).ToArray());
            Assert.True(rows.TryAdd((row.Method, row.Template), row), $"{row.Method} {row.Template} has two rows");
        }
        return rows;
    }

    private sealed record Fixture(Dictionary<string, HttpClient> Clients, Dictionary<string, string> Ids);

    private static async Task<Fixture> SetUpAsync(TrellisApp app)
    {
        await app.WithDbAsync(async db =>
        {
            Employee Person(string id, string name, string? manager, string track, string level) => new()
            {
                Id = id, Name = name, Email = $"{id.ToLowerInvariant()}@example.test", ManagerId = manager, Department = "Engineering",
                Track = track, Level = level, HireDate = TestOrganisation.Hired, LevelSince = TestOrganisation.Hired,
            };
            db.Employees.AddRange(
                Person("CC", "Cleo Committee", null, "leader", "l6"),
                Person("CN", "Cian Committee", null, "leader", "l6"),
                Person("MO", "Mona Other", null, "leader", "l4"),
                Person("LV", "Levi Leaver", "M2", "expert", "e3"));
            await db.SaveChangesAsync();
            var x1 = await db.Employees.FindAsync("X1");
            x1!.ManagerId = "MO";
            await db.SaveChangesAsync();
            var accounts = new AccountService(db, TimeProvider.System);
            await accounts.AddUserAsync("CC", [Roles.Committee], TestOrganisation.Password);
            await accounts.AddUserAsync("CN", [Roles.Committee], TestOrganisation.Password);
            await accounts.AddUserAsync("MO", [Roles.Manager], TestOrganisation.Password);
            await accounts.AddUserAsync("LV", [Roles.Employee], TestOrganisation.Password);
        });
        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = app.AnonymousClient() };
        foreach (var caller in Callers.Where(c => c != "anonymous")) clients[caller] = await app.ClientForAsync(caller);
        await app.WithDbAsync(async db =>
        {
            (await db.Employees.FindAsync("LV"))!.Status = EmployeeStatus.Left;
            await db.SaveChangesAsync();
        });

        async Task<string> Create(string caller, string path, object body, string idProperty = "id")
        {
            var response = await clients[caller].PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"setting up: {caller} POST {path}: {(int)response.StatusCode} {text}");
            var id = JsonDocument.Parse(text).RootElement.GetProperty(idProperty);
            return id.ValueKind == JsonValueKind.Number ? id.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : id.GetString()!;
        }
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var ids = new Dictionary<string, string>
        {
            ["cycle"] = await Create("H1", "/api/v1/cycles", new { name = Cycle, opens_on = today.AddDays(-1), closes_on = today.AddDays(60), budget = 5, committee = new[] { "CC" } }, "name"),
        };
        ids["nomination"] = await Create("M2", $"/api/v1/cycles/{Cycle}/nominations", new { employee_id = "E1", target_level = "e3", rationale = "Asks why, every time, and the team follows." });
        ids["observation"] = await Create("X1", "/api/v1/observations", new { subject_id = "E1", behavior = "asks-why", rating = 4 });
        ids["feedback_request"] = await Create("E1", "/api/v1/feedback-requests", new { subject_id = "E1", rater_ids = new[] { "X1" }, behaviors = new[] { "asks-why" } });
        ids["concern"] = await Create("H1", "/api/v1/concerns", new { employee_id = "E1", category = "conduct" });
        ids["plan"] = await Create("E1", "/api/v1/development-plans", new
        {
            employee_id = "E1", behaviors = new[] { "asks-why" },
            actions = new[] { new { behavior = "asks-why", text = "Ask why before every planning decision.", due_on = today.AddDays(30) } },
        });
        // E1's promotion in an earlier cycle, and the story of it they started: a draft, theirs alone.
        await app.WithDbAsync(async db =>
        {
            db.Promotions.Add(new PromotionRecord { Cycle = "2025-H2", EmployeeId = "E1", DecidedOn = today.AddDays(-60), FromLevel = "e1", ToLevel = "e2", Outcome = "promoted" });
            await db.SaveChangesAsync();
        });
        ids["story"] = await Create("E1", "/api/v1/promotion-stories", new { cycle = "2025-H2" });
        ids["story_cycle"] = "2025-H2";
        ids["webhook"] = await Create("A1", "/api/v1/webhooks", new { url = "https://93.184.216.34/hook", events = new[] { "cycle.published" } });
        // Operations that change an account, a token or a reporting line act on people who are not callers (E2, M1), so
        // that running them does not change what the callers may do in the rows after them.
        clients["E2"] = await app.ClientForAsync("E2");
        clients["M1"] = await app.ClientForAsync("M1");
        ids["account"] = "E2";
        ids["token"] = await FirstId("E2", "/api/v1/tokens");
        ids["track_return"] = await Create("M1", "/api/v1/track-returns", new { reason = "I miss the craft." });
        ids["notification"] = await FirstId("E1", "/api/v1/notifications");
        // Only a cookie session with the password again may create one (a bearer token gets 403, row below).
        ids["scim_token"] = (await app.CreateScimTokenAsync("A1", "matrix"))["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new(clients, ids);

        // The first record of a list the caller owns (E1's own token, their nomination notice).
        async Task<string> FirstId(string caller, string path)
        {
            using var list = JsonDocument.Parse(await clients[caller].GetStringAsync(path));
            var items = list.RootElement.ValueKind == JsonValueKind.Array ? list.RootElement : list.RootElement.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value;
            Assert.True(items.GetArrayLength() > 0, $"setting up: {caller} GET {path} is empty");
            return items[0].GetProperty("id").GetRawText().Trim('"');
        }
    }

    /// <summary>A concrete path for a route template: each parameter filled by what the segment before it names.</summary>
    private static string Fill(string template, Dictionary<string, string> ids)
    {
        var segments = template.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (!s.StartsWith('{')) continue;
            var name = s.Trim('{', '}', '?').Split(':')[0].ToLowerInvariant();
            var before = i > 0 ? segments[i - 1] : "";
            segments[i] = (before, name) switch
            {
                ("cycles", _) => ids["cycle"],
                ("nominations", _) => ids["nomination"],
                ("observations", _) => ids["observation"],
                ("feedback-requests", _) => ids["feedback_request"],
                ("concerns", _) => ids["concern"],
                ("board", _) => ids["nomination"],
                ("plans", _) or ("development-plans", _) => ids["plan"],
                ("webhooks", _) => ids["webhook"],
                ("promotion-stories", _) => ids["story"],
                ("story", _) => ids["story_cycle"],
                ("track-returns", _) => ids["track_return"],
                ("tokens", _) => ids["token"],
                ("accounts", _) => ids["account"],
                ("scim-tokens", _) => ids["scim_token"],
                // No transition or webhook delivery exists: these rows check who is refused before the lookup.
                ("transitions", _) or ("deliveries", _) => "1",
                ("check-ins", _) => "30",
                ("notifications", _) => ids["notification"],
                ("flags", _) => ids["cycle"],
                ("versions", _) or ("version", _) => "1",
                ("behaviors", _) or ("evidence", "behavior") => "asks-why",
                ("levels", _) => "e3",
                // The framework editor's rows act on the sample framework: a value with evidence, the expert track.
                ("values", _) => "curiosity",
                ("tracks", _) => "expert",
                (_, "employeeid") or (_, "id") => "E1",
                _ => "UNKNOWN-" + name,
            };
        }
        var path = string.Join('/', segments);
        // Flags are asked per cycle: without it every caller would get the same 400.
        return template == "/api/v1/concerns/flags" ? $"{path}?cycle={ids["cycle"]}" : path;
    }

    /// <summary>Every operation: (method, path template) from the OpenAPI document, and GET of every page route.</summary>
    private static async Task<List<(string Method, string Template)>> OperationsAsync(TrellisApp app, HttpClient client)
    {
        var operations = new List<(string, string)>();
        using var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        foreach (var path in openApi.RootElement.GetProperty("paths").EnumerateObject())
            foreach (var method in path.Value.EnumerateObject())
                if (method.Name is "get" or "post" or "put" or "patch" or "delete")
                    operations.Add((method.Name.ToUpperInvariant(), path.Name));
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is null && endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>() is null) continue;
            var template = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!operations.Contains(("GET", template))) operations.Add(("GET", template));
        }
        // Reads first, deletions last: a write may end what a later row reads (a withdrawn observation, a deleted webhook).
        return operations.OrderBy(o => o.Item1 switch { "GET" => 0, "DELETE" => 2, _ => 1 })
            .ThenBy(o => o.Item2, StringComparer.Ordinal).ThenBy(o => o.Item1, StringComparer.Ordinal).ToList();
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Every_operation_and_page_answers_every_kind_of_caller_as_the_table_says(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var fixture = await SetUpAsync(app);
        var table = ParseTable();
        var operations = await OperationsAsync(app, fixture.Clients["H1"]);

        var problems = new List<string>();
        var observed = new StringBuilder();
        foreach (var (method, template) in operations)
        {
            var statuses = new int[Callers.Length];
            for (var c = 0; c < Callers.Length; c++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), Fill(template, fixture.Ids));
                if (method is not ("GET" or "DELETE")) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await fixture.Clients[Callers[c]].SendAsync(request);
                statuses[c] = (int)response.StatusCode;
                if (statuses[c] >= 500) problems.Add($"{method} {template} as {Callers[c]}: {statuses[c]} {await response.Content.ReadAsStringAsync()}");
            }
            var line = $"        \"{method,-6} {template,-54} {string.Join(" ", statuses.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(4)))}\",";
            observed.AppendLine(line.TrimEnd());
            if (!table.TryGetValue((method, template), out var row))
            {
                problems.Add($"{method} {template} has no row in the table (a new endpoint or page?): add the statuses each caller must get");
                continue;
            }
            for (var c = 0; c < Callers.Length; c++)
                if (statuses[c] != row.Expected[c])
                    problems.Add($"{method} {template} as {Callers[c]}: expected {row.Expected[c]}, got {statuses[c]}");
        }
        foreach (var gone in table.Keys.Where(k => !operations.Contains(k)))
            problems.Add($"{gone.Item1} {gone.Item2} has a row but is no longer an operation: remove the row");

        Assert.True(problems.Count == 0,
            $"{problems.Count} problems:\n{string.Join("\n", problems)}\n\nWhat each caller got ({string.Join(" ", Callers)}):\n{observed}");
    }

    /// <summary>
    /// Writes whose scope is in the body (whom a nomination, plan or feedback request is about), sent with a valid body
    /// about E2 (in M2's line, not a caller), so the table shows who may write about whom. Callers write in the order of
    /// the columns, so after the first success a write that may be done once answers 409 to those who come later.
    /// <c>{due}</c> is a date a month from today (an action's due date must be near the plan, not a fixed year).
    /// </summary>
    private static readonly (string Method, string Path, string Body, int[] Expected)[] Writes =
    [
        ("POST", "/api/v1/cycles/{cycle}/nominations", """{"employee_id":"E2","target_level":"e4","rationale":"Explains the hard parts so that others can carry them."}""", [403, 201, 403, 403, 409, 403, 403, 403, 401, 401]),
        ("POST", "/api/v1/development-plans", """{"employee_id":"E2","behaviors":["asks-why"],"actions":[{"behavior":"asks-why","text":"Ask why in planning.","due_on":"{due}"}]}""", [403, 201, 403, 403, 201, 403, 403, 403, 401, 401]),
        ("POST", "/api/v1/feedback-requests", """{"subject_id":"E2","rater_ids":["E3"],"behaviors":["asks-why"]}""", [403, 403, 403, 403, 201, 403, 403, 403, 401, 401]),
        ("POST", "/api/v1/observations", """{"subject_id":"E2","behavior":"asks-why","rating":4,"comment":"Asked why the release slipped and fixed the cause."}""", [201, 201, 201, 201, 201, 201, 201, 201, 401, 401]),
        ("POST", "/api/v1/recognitions", """{"to_id":"E2","value":"curiosity","message":"Found the root cause."}""", [201, 201, 201, 201, 201, 201, 201, 201, 401, 401]),
        ("POST", "/api/v1/concerns", """{"employee_id":"E2","category":"conduct"}""", [403, 201, 403, 403, 403, 403, 403, 403, 401, 401]),
    ];

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Writes_about_someone_answer_every_kind_of_caller_as_the_table_says(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var fixture = await SetUpAsync(app);
        var problems = new List<string>();
        var observed = new StringBuilder();
        foreach (var (method, path, body, expected) in Writes)
        {
            var statuses = new int[Callers.Length];
            for (var c = 0; c < Callers.Length; c++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{cycle}", Cycle, StringComparison.Ordinal));
                var due = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                request.Content = new StringContent(body.Replace("{due}", due, StringComparison.Ordinal), Encoding.UTF8, "application/json");
                using var response = await fixture.Clients[Callers[c]].SendAsync(request);
                statuses[c] = (int)response.StatusCode;
                if (statuses[c] != expected[c])
                    problems.Add($"{method} {path} {body} as {Callers[c]}: expected {expected[c]}, got {statuses[c]} {await response.Content.ReadAsStringAsync()}");
            }
            observed.AppendLine($"        (\"{method}\", \"{path}\", \"\"\"{body}\"\"\", [{string.Join(", ", statuses)}]),");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n{string.Join("\n", problems)}\n\nWhat each caller got ({string.Join(" ", Callers)}):\n{observed}");
    }
}
