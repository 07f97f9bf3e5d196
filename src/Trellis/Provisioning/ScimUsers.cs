using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Trellis.Accounts;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Import;

namespace Trellis.Provisioning;

/// <summary>
/// SCIM Users are employees. <c>id</c> and the enterprise <c>employeeNumber</c> are the employee id; <c>userName</c>,
/// <c>externalId</c> and the name parts are kept beside the employee (<see cref="ScimUser"/>); <c>displayName</c>,
/// <c>emails</c>, <c>title</c>, <c>active</c>, <c>department</c> and <c>manager</c> are the employee's own fields;
/// track, level, hire date and location come in the Trellis extension. An attribute a request leaves out keeps its
/// value (identity providers send only what they map); an explicit null or a PATCH remove clears it.
/// <c>active: false</c> and DELETE set the employee's status to left and delete nothing.
/// </summary>
public sealed class ScimUsers(TrellisDb db, FrameworkStore frameworks, IOptions<ScimOptions> options, ScimRoles roles, TimeProvider clock,
    Evidence.EvidenceChanges changes, Accounts.AccountStates? sessions = null)
{
    /// <summary>A deleted User's userName is freed for someone else (the unique index covers every row).</summary>
    private const string FreedUserName = "\u001fdeleted\u001f";

    private IQueryable<ScimUserRow> Rows() =>
        from e in db.Employees.AsNoTracking()
        join s in db.Set<ScimUser>().AsNoTracking() on e.Id equals s.EmployeeId into g
        from s in g.DefaultIfEmpty()
        where s == null || s.DeletedAt == null
        select new ScimUserRow
        {
            Id = e.Id, UserNameKey = s != null ? s.UserNameKey : e.Email.ToLower(), ExternalId = s != null ? s.ExternalId : null,
            DisplayName = e.Name, EmailKey = e.Email.ToLower(), Active = e.Status == EmployeeStatus.Active, Title = e.Title,
            Department = e.Department, ManagerId = e.ManagerId,
        };

    public async Task<JsonObject> ListAsync(string? filter, int? startIndex, int? count, string baseUrl, CancellationToken ct)
    {
        var query = Rows();
        if (!string.IsNullOrWhiteSpace(filter)) query = query.Where(ScimUserFilter.ToPredicate(ScimFilterParser.Parse(filter)));
        var total = await query.CountAsync(ct);
        var start = Math.Max(1, startIndex ?? 1);
        var take = Math.Clamp(count ?? 100, 0, Scim.MaxResults);
        List<string> ids = take == 0 ? [] : await query.OrderBy(r => r.Id).Skip(start - 1).Take(take).Select(r => r.Id).ToListAsync(ct);
        return ScimLists.Response(total, start, await RenderAsync(ids, baseUrl, ct));
    }

    public async Task<JsonObject> GetAsync(string id, string baseUrl, CancellationToken ct) =>
        (await RenderAsync([id], baseUrl, ct)) is [var user] ? user : throw ScimException.NotFound($"User '{id}'");

    private async Task<List<JsonObject>> RenderAsync(List<string> ids, string baseUrl, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var people = await (from e in db.Employees.AsNoTracking()
                            join s in db.Set<ScimUser>().AsNoTracking() on e.Id equals s.EmployeeId into g
                            from s in g.DefaultIfEmpty()
                            where ids.Contains(e.Id) && (s == null || s.DeletedAt == null)
                            select new { Employee = e, Scim = s }).ToListAsync(ct);
        var managerIds = people.Select(p => p.Employee.ManagerId).OfType<string>().Distinct().ToList();
        var managerNames = await db.Employees.AsNoTracking().Where(e => managerIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        var groups = (await (from m in db.Set<ScimGroupMember>().AsNoTracking()
                             join gr in db.Set<ScimGroup>().AsNoTracking() on m.GroupId equals gr.Id
                             where ids.Contains(m.EmployeeId)
                             select new { m.EmployeeId, gr.Id, gr.DisplayName }).ToListAsync(ct))
            .ToLookup(x => x.EmployeeId);
        var byId = people.ToDictionary(p => p.Employee.Id);
        var result = new List<JsonObject>();
        foreach (var id in ids)
        {
            if (!byId.TryGetValue(id, out var p)) continue;
            var e = p.Employee;
            var s = p.Scim;
            var user = new JsonObject { ["schemas"] = new JsonArray(Scim.UserSchema, Scim.EnterpriseUser, Scim.TrellisUser), ["id"] = e.Id }
                .Put("externalId", s?.ExternalId)
                .Put("userName", s?.UserName ?? e.Email)
                .Put("name", new JsonObject().Put("formatted", e.Name).Put("givenName", s?.GivenName).Put("familyName", s?.FamilyName))
                .Put("displayName", e.Name)
                .Put("emails", new JsonArray(new JsonObject { ["value"] = e.Email, ["type"] = "work", ["primary"] = true }))
                .Put("title", e.Title);
            user["active"] = e.Status == EmployeeStatus.Active;
            var memberOf = groups[e.Id].OrderBy(x => x.DisplayName, StringComparer.Ordinal)
                .Select(x => (JsonNode)new JsonObject { ["value"] = x.Id, ["display"] = x.DisplayName, ["$ref"] = $"{baseUrl}/Groups/{x.Id}" }).ToArray();
            if (memberOf.Length > 0) user["groups"] = new JsonArray(memberOf);
            var manager = e.ManagerId is null ? null
                : new JsonObject { ["value"] = e.ManagerId, ["$ref"] = $"{baseUrl}/Users/{e.ManagerId}" }.Put("displayName", managerNames.GetValueOrDefault(e.ManagerId));
            user[Scim.EnterpriseUser] = new JsonObject { ["employeeNumber"] = e.Id }.Put("department", e.Department).Put("manager", manager);
            user[Scim.TrellisUser] = new JsonObject { ["track"] = e.Track, ["level"] = e.Level, ["hireDate"] = e.HireDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }
                .Put("location", e.Location);
            var meta = new JsonObject { ["resourceType"] = "User" };
            if (s is not null)
            {
                meta["created"] = s.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
                meta["lastModified"] = s.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            }
            meta["location"] = $"{baseUrl}/Users/{e.Id}";
            user["meta"] = meta;
            result.Add(user);
        }
        return result;
    }

    public async Task<(JsonObject User, bool Created)> CreateAsync(JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        var id = Scim.Text((body[Scim.EnterpriseUser] as JsonObject)?["employeeNumber"], "employeeNumber")?.Trim();
        if (string.IsNullOrEmpty(id))
            throw new ScimException(400, "invalidValue", $"{Scim.EnterpriseUser}:employeeNumber is required: it is the employee id (map the HR system's employee id to it)");
        var created = await WriteAsync(id, body, before: null, WriteMode.Create, caller, ct);
        return (await GetAsync(id, baseUrl, ct), created);
    }

    public async Task<JsonObject> ReplaceAsync(string id, JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        var before = await GetAsync(id, baseUrl, ct);
        await WriteAsync(id, body, before, WriteMode.Replace, caller, ct);
        return await GetAsync(id, baseUrl, ct);
    }

    public async Task<JsonObject> PatchAsync(string id, JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        var operations = ScimPatch.Operations(body);
        var before = await GetAsync(id, baseUrl, ct);
        var patched = (JsonObject)before.DeepClone();
        ScimPatch.Apply(patched, operations);
        await WriteAsync(id, patched, before, WriteMode.Patch, caller, ct);
        return await GetAsync(id, baseUrl, ct);
    }

    /// <summary>DELETE: the employee becomes a leaver and SCIM forgets them (404 from now on); nothing is deleted.</summary>
    public async Task DeleteAsync(string id, ScimCaller caller, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var employee = await db.Employees.FirstOrDefaultAsync(e => e.Id == id, ct);
        var scim = await db.Set<ScimUser>().FirstOrDefaultAsync(s => s.EmployeeId == id, ct);
        if (employee is null || scim?.DeletedAt is not null) throw ScimException.NotFound($"User '{id}'");
        var now = clock.GetUtcNow();
        if (scim is null)
        {
            scim = new ScimUser { EmployeeId = id, UserName = employee.Email, UserNameKey = "", CreatedAt = now };
            db.Set<ScimUser>().Add(scim);
        }
        scim.UserNameKey = FreedUserName + id;
        scim.DeletedAt = now;
        scim.UpdatedAt = now;
        var wasActive = employee.Status == EmployeeStatus.Active;
        employee.Status = EmployeeStatus.Left;
        var memberships = await db.Set<ScimGroupMember>().Where(m => m.EmployeeId == id).ToListAsync(ct);
        var groupNames = await db.Set<ScimGroup>().Where(g => memberships.Select(m => m.GroupId).Contains(g.Id)).Select(g => g.DisplayName).ToListAsync(ct);
        db.Set<ScimGroupMember>().RemoveRange(memberships);
        db.AuditLog.Add(new AuditLogEntry { At = now, Action = "scim_user_deleted", SubjectEmployeeId = id, Detail = $"status left, history kept; by {caller.Describe}" });
        if (wasActive) db.Outbox.Add(Webhooks.WebhookEvents.EmployeeChanged(employee));
        await db.SaveChangesAsync(ct);
        await roles.SyncAsync([id], groupNames.Select(roles.RoleOf).OfType<string>().ToList(), caller, ct);
        // Also when deactivated before: whatever is still open closes (an account of a leaver from before this rule).
        if ((await Leavers.CloseAccessAsync(db, [id], options.Value.GroupRoles(), now, null, $"by {caller.Describe}", ct)).Count > 0)
            await db.SaveChangesAsync(ct);
        if (wasActive) await changes.RecordAsync(Evidence.EvidenceChanges.Everything, ct);
        await tx.CommitAsync(ct);
        // A deactivated person's open sessions end on their next request, not when the cached state expires.
        sessions?.ForgetAll();
    }

    private enum WriteMode { Create, Replace, Patch }

    /// <summary>Checks and writes one User in one transaction; true when a new employee was created.</summary>
    private async Task<bool> WriteAsync(string id, JsonObject input, JsonObject? before, WriteMode mode, ScimCaller caller, CancellationToken ct)
    {
        var framework = (await frameworks.GetAsync(ct))?.Framework
            ?? throw new ScimException(400, "invalidValue", "no career framework has been imported yet; import framework.json before provisioning people");
        var keys = FrameworkKeys.Of(framework);
        var problems = new List<string>();
        void Problem(string attribute, string message) => problems.Add($"{attribute}: {message}");

        if (mode == WriteMode.Create && EmployeeIdProblem(id) is { } badId) Problem("employeeNumber", badId);
        if (mode != WriteMode.Create && Scim.Text((input[Scim.EnterpriseUser] as JsonObject)?["employeeNumber"], "employeeNumber") is { } number && number.Trim() != id)
            throw new ScimException(400, "mutability", $"employeeNumber is the employee id '{id}' and cannot change (got '{number}')");
        if (problems.Count > 0) throw new ScimException(400, "invalidValue", string.Join("; ", problems));

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var employee = await db.Employees.FirstOrDefaultAsync(e => e.Id == id, ct);
            var scim = await db.Set<ScimUser>().FirstOrDefaultAsync(s => s.EmployeeId == id, ct);
            if (mode != WriteMode.Create && (employee is null || scim?.DeletedAt is not null)) throw ScimException.NotFound($"User '{id}'");
            if (mode == WriteMode.Create && employee is not null && scim is { DeletedAt: null })
                throw new ScimException(409, "uniqueness", $"a User with employeeNumber '{id}' exists already (id '{id}')");

            var isNew = employee is null;
            var revived = scim?.DeletedAt is not null;
            var wasActive = employee?.Status == EmployeeStatus.Active;
            employee ??= new Employee { Id = id, Name = "", Email = "", Track = "", Level = "", HireDate = DateOnly.FromDateTime(now.UtcDateTime) };
            if (scim is null)
            {
                scim = new ScimUser { EmployeeId = id, UserName = employee.Email, UserNameKey = employee.Email.ToLowerInvariant(), CreatedAt = now, UpdatedAt = now };
                db.Set<ScimUser>().Add(scim);
            }
            if (isNew) db.Employees.Add(employee);

            // userName
            var userName = Present(input, "userName", out var un) ? Scim.Text(un, "userName")?.Trim() : null;
            if (!string.IsNullOrEmpty(userName))
            {
                scim.UserName = userName;
                scim.UserNameKey = userName.ToLowerInvariant();
            }
            else if (mode == WriteMode.Create || input.ContainsKey("userName")) Problem("userName", "is required");
            if (Present(input, "externalId", out var ext)) scim.ExternalId = Blank(Scim.Text(ext, "externalId"));

            // name
            var name = input["name"] as JsonObject;
            if (Present(input, "name", out var nameNode) && nameNode is not null && nameNode is not JsonObject) Problem("name", "must be an object");
            if (name is not null && Present(name, "givenName", out var given)) scim.GivenName = Blank(Scim.Text(given, "name.givenName"));
            if (name is not null && Present(name, "familyName", out var family)) scim.FamilyName = Blank(Scim.Text(family, "name.familyName"));
            if (ResolveName(input, before) is { } resolved) employee.Name = resolved;
            if (string.IsNullOrWhiteSpace(employee.Name)) Problem("displayName", "a name is required (displayName, name.formatted or name.givenName and name.familyName)");

            // emails
            if (Present(input, "emails", out var emailsNode))
                employee.Email = PickEmail(emailsNode) ?? "";
            // Okta's userName is the login email: a new person without emails gets it.
            if (employee.Email.Length == 0 && isNew && userName is not null && EmployeeRules.Email(userName) is null) employee.Email = userName;
            if (employee.Email.Length == 0) Problem("emails", "a work email is required");
            else if (EmployeeRules.Email(employee.Email) is { } badEmail) Problem("emails", badEmail);

            if (Present(input, "title", out var title)) employee.Title = Blank(Scim.Text(title, "title"));
            // active: true or false sets the status; left out (PUT included) it stays as it is. null is refused: "unknown"
            // must neither bring a leaver back nor make anyone a leaver.
            if (Present(input, "active", out var active))
            {
                var on = Scim.Boolean(active, "active")
                    ?? throw new ScimException(400, "invalidValue", "active: must be true or false, not null (false makes the person a leaver)");
                employee.Status = on ? EmployeeStatus.Active : EmployeeStatus.Left;
            }
            else if (revived) employee.Status = EmployeeStatus.Active;

            // the extensions are objects of their attributes; anything else would be dropped without a word
            foreach (var schema in Scim.ExtensionSchemas)
                if (input[schema] is { } node && node is not JsonObject) Problem(schema, "must be an object of its attributes");

            // the enterprise extension
            var enterprise = input[Scim.EnterpriseUser] as JsonObject;
            if (enterprise is not null && Present(enterprise, "department", out var dept)) employee.Department = Blank(Scim.Text(dept, "department"));
            var managerChanged = false;
            if (enterprise is not null && Present(enterprise, "manager", out var managerNode))
            {
                var manager = managerNode switch
                {
                    JsonObject o => Blank(Scim.Text(o["value"], "manager.value")),
                    _ => Blank(Scim.Text(managerNode, "manager")), // Entra ID sends the manager's id as a plain string
                };
                managerChanged = manager != employee.ManagerId;
                // Who reports to whom decides who reads whose evidence: a change of manager is logged on its own.
                if (managerChanged && !isNew)
                    db.AuditLog.Add(People.ManagerChangeLog.Entry(clock.GetUtcNow(), null, id, employee.ManagerId, manager, $"by {caller.Describe}"));
                employee.ManagerId = manager;
            }

            // the Trellis extension: track, level, hire date, location
            var trellis = input[Scim.TrellisUser] as JsonObject;
            string? track = null, level = null;
            if (trellis is not null && Present(trellis, "track", out var t)) track = Blank(Scim.Text(t, "track"));
            if (trellis is not null && Present(trellis, "level", out var l)) level = Blank(Scim.Text(l, "level"));
            if (isNew && track is null && level is null) level = EntryLevel(framework);
            if (level is not null && track is null && keys.LevelTrack.TryGetValue(level, out var onTrack)) track = level == employee.Level ? employee.Track : onTrack;
            if (track is not null && EmployeeRules.Track(keys, track) is { } badTrack) Problem("track", badTrack);
            var finalTrack = track ?? employee.Track;
            var finalLevel = level ?? employee.Level;
            if ((track is not null || level is not null) && EmployeeRules.Level(keys, finalLevel, finalTrack) is { } badLevel) Problem("level", badLevel);
            if (finalLevel != employee.Level && !isNew) employee.LevelSince = DateOnly.FromDateTime(now.UtcDateTime);
            employee.Track = finalTrack;
            employee.Level = finalLevel;
            if (trellis is not null && Present(trellis, "hireDate", out var hired) && Blank(Scim.Text(hired, "hireDate")) is { } hireText)
            {
                if (DateOnly.TryParseExact(hireText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var hireDate)) employee.HireDate = hireDate;
                else Problem("hireDate", $"'{CsvValues.Shorten(hireText)}' is not a date (use YYYY-MM-DD)");
            }
            if (isNew) employee.LevelSince ??= employee.HireDate;
            if (trellis is not null && Present(trellis, "location", out var loc)) employee.Location = Blank(Scim.Text(loc, "location"));

            // references and the manager chain, with the import's words
            if (employee.ManagerId is { } managerId && managerChanged)
            {
                if (managerId == id) Problem("manager", EmployeeRules.OwnManager);
                else if (!await db.Employees.AnyAsync(e => e.Id == managerId, ct)) Problem("manager", EmployeeRules.UnknownEmployee(managerId));
                else
                {
                    // Walk up from the new manager until the top, a known person, or back to this one.
                    var chain = new Dictionary<string, string?>(StringComparer.Ordinal) { [id] = managerId };
                    var at = managerId;
                    while (at is not null && !chain.ContainsKey(at))
                    {
                        var up = await db.Employees.AsNoTracking().Where(e => e.Id == at).Select(e => e.ManagerId).FirstOrDefaultAsync(ct);
                        chain[at] = up;
                        at = up;
                    }
                    foreach (var cycle in EmployeeRules.ManagerCycles([id], x => chain.GetValueOrDefault(x)))
                        Problem("manager", EmployeeRules.Loop(cycle));
                }
            }
            // Export writes these into employees.csv, and an export must import again: the import's rules for those columns hold
            // here too. A value this request leaves as stored is not judged again, so a deactivation is never refused for it.
            var entry = db.Entry(employee);
            foreach (var (attribute, property, column) in ExportedText)
            {
                var value = (string?)entry.Property(property).CurrentValue;
                if (string.IsNullOrEmpty(value) || (!isNew && Equals(entry.Property(property).OriginalValue, value))) continue;
                if (CsvValues.StoredTextProblem(CsvFormats.Employees, column, value) is { } bad) Problem(attribute, bad);
            }
            if (scim.UserNameKey.Length > 0 && await Rows().AnyAsync(r => r.UserNameKey == scim.UserNameKey && r.Id != id, ct))
                throw new ScimException(409, "uniqueness", $"userName '{scim.UserName}' belongs to another User already");
            // Sign-in by email refuses an address two accounts have, so, as the import does, an email another employee
            // holds (a leaver included) is refused; one this request leaves as stored is not judged again.
            if (employee.Email.Length > 0 && (isNew || !string.Equals((string?)entry.Property(nameof(Employee.Email)).OriginalValue, employee.Email, StringComparison.OrdinalIgnoreCase)))
            {
                var emailKey = EmployeeRules.EmailKey(employee.Email);
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL lower(); the StringComparison overloads do not translate.
                if (await db.Employees.AnyAsync(e => e.Id != id && e.Email.ToLower() == emailKey, ct))
#pragma warning restore CA1862
                    throw new ScimException(409, "uniqueness", $"emails: '{employee.Email}' is another employee's work email already");
            }
            if (problems.Count > 0) throw new ScimException(400, "invalidValue", string.Join("; ", problems));

            if (revived) scim.DeletedAt = null;
            var employeeEntry = db.Entry(employee);
            db.ChangeTracker.DetectChanges();
            var changedFields = isNew ? [] : employeeEntry.Properties.Where(p => p.IsModified).Select(p => TrellisDb.SnakeCase(p.Metadata.Name)).ToList();
            var employeeChanged = isNew || changedFields.Count > 0;
            if (!db.ChangeTracker.HasChanges()) return false; // the same request again: nothing to write
            scim.UpdatedAt = now;
            if (isNew && !await db.Accounts.AnyAsync(a => a.EmployeeId == id, ct))
                // No local password: the person signs in through single sign-on (or an admin sets one).
                db.Accounts.Add(new Account { EmployeeId = id, PasswordHash = "", Roles = Roles.Employee, CreatedAt = now });
            var action = isNew || revived ? "scim_user_created"
                : wasActive && employee.Status == EmployeeStatus.Left ? "scim_user_deactivated"
                : !wasActive && employee.Status == EmployeeStatus.Active ? "scim_user_reactivated"
                : "scim_user_updated";
            db.AuditLog.Add(new AuditLogEntry
            {
                At = now, Action = action, SubjectEmployeeId = id,
                Detail = (changedFields.Count > 0 ? string.Join(", ", changedFields) + "; " : "") + $"by {caller.Describe}",
            });
            if (employeeChanged) db.Outbox.Add(Webhooks.WebhookEvents.EmployeeChanged(employee, isNew || revived ? "added" : "updated"));
            if (action == "scim_user_deactivated")
                await Leavers.CloseAccessAsync(db, [id], options.Value.GroupRoles(), now, null, $"by {caller.Describe}", ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                throw new ScimException(409, "uniqueness", $"userName '{scim.UserName}' or employeeNumber '{id}' belongs to another User already");
            }
            if (employeeChanged) await changes.RecordAsync(Evidence.EvidenceChanges.Everything, ct);
            await tx.CommitAsync(ct);
            if (employeeChanged) sessions?.ForgetAll(); // a deactivation ends open sessions at once
            return isNew;
        });
    }

    /// <summary>The level a new person gets without a Trellis extension: <c>Scim:EntryLevel</c>, else the lowest level of the first individual track.</summary>
    private string EntryLevel(Core.Framework.CareerFramework framework)
    {
        if (options.Value.EntryLevel is { Length: > 0 } configured) return configured;
        var track = framework.Tracks.FirstOrDefault(t => !t.IsPeopleLeader) ?? (framework.Tracks.Count > 0 ? framework.Tracks[0] : null);
        return track?.Levels.OrderBy(l => l.Band).FirstOrDefault()?.Key
            ?? throw new ScimException(400, "invalidValue", "the framework has no level to start a new person on; set Scim:EntryLevel or send the Trellis extension's level");
    }

    /// <summary>
    /// The employee's name from displayName, name.formatted or name.givenName + name.familyName: the first of them that
    /// the request changes (a PATCH of the given name alone renames the person), else the first one present.
    /// </summary>
    private static string? ResolveName(JsonObject input, JsonObject? before)
    {
        string? Joined(JsonObject? o)
        {
            var n = o?["name"] as JsonObject;
            var parts = new[] { Scim.Text(n?["givenName"], "name.givenName"), Scim.Text(n?["familyName"], "name.familyName") }.Where(p => !string.IsNullOrWhiteSpace(p));
            return Blank(string.Join(' ', parts));
        }
        var candidates = new (string? Now, string? Before)[]
        {
            (Blank(Scim.Text(input["displayName"], "displayName")), Blank(Scim.Text(before?["displayName"], "displayName"))),
            (Blank(Scim.Text((input["name"] as JsonObject)?["formatted"], "name.formatted")), Blank(Scim.Text((before?["name"] as JsonObject)?["formatted"], "name.formatted"))),
            (Joined(input), Joined(before)),
        };
        if (before is null) return candidates.Select(c => c.Now).FirstOrDefault(n => n is not null);
        return candidates.Where(c => c.Now is not null && c.Now != c.Before).Select(c => c.Now).FirstOrDefault();
    }

    private static string? PickEmail(JsonNode? emails)
    {
        if (emails is not JsonArray list) return emails is null ? null : throw new ScimException(400, "invalidValue", "emails must be a list");
        var items = list.OfType<JsonObject>().Where(o => !string.IsNullOrWhiteSpace(Scim.Text(o["value"], "emails.value"))).ToList();
        var chosen = items.FirstOrDefault(o => Scim.Boolean(o["primary"], "emails.primary") == true)
            ?? items.FirstOrDefault(o => string.Equals(Scim.Text(o["type"], "emails.type"), "work", StringComparison.OrdinalIgnoreCase))
            ?? items.FirstOrDefault();
        return Scim.Text(chosen?["value"], "emails.value")?.Trim();
    }

    /// <summary>Ids are path segments and CSV cells: the import's rule for an employee_id, since what SCIM creates export writes and import must read back.</summary>
    private static string? EmployeeIdProblem(string id) => CsvValues.StoredTextProblem(CsvFormats.Employees, "employee_id", id);

    /// <summary>The text attributes SCIM writes that export writes into employees.csv: SCIM attribute, entity property, CSV column.</summary>
    private static readonly (string Attribute, string Property, string Column)[] ExportedText =
    [
        ("displayName", nameof(Employee.Name), "name"), ("emails", nameof(Employee.Email), "email"), ("title", nameof(Employee.Title), "title"),
        ("department", nameof(Employee.Department), "department"), ("location", nameof(Employee.Location), "location"),
    ];

    private static bool Present(JsonObject o, string name, out JsonNode? value) => o.TryGetPropertyValue(name, out value);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

public static class ScimLists
{
    public static JsonObject Response(int total, int startIndex, IReadOnlyList<JsonObject> resources) => new()
    {
        ["schemas"] = new JsonArray(Scim.ListResponse),
        ["totalResults"] = total,
        ["itemsPerPage"] = resources.Count,
        ["startIndex"] = startIndex,
        ["Resources"] = new JsonArray(resources.Cast<JsonNode>().ToArray()),
    };
}
