using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Data;
using Trellis.Import;

namespace Trellis.Provisioning;

/// <summary>
/// SCIM Groups: pushed groups and their members (employees). A group whose display name maps to a role
/// (<see cref="ScimOptions"/>) gives that role to its members; membership changes change roles (<see cref="ScimRoles"/>).
/// Groups are few, so lists are filtered in memory with the same filter evaluator as PATCH paths.
/// </summary>
public sealed class ScimGroups(TrellisDb db, ScimRoles roles, TimeProvider clock)
{
    public async Task<JsonObject> ListAsync(string? filter, int? startIndex, int? count, bool withMembers, string baseUrl, CancellationToken ct)
    {
        var parsed = string.IsNullOrWhiteSpace(filter) ? null : ScimFilterParser.Parse(filter);
        var groups = await db.Set<ScimGroup>().AsNoTracking().OrderBy(g => g.Id).ToListAsync(ct);
        // Members are read only when returned or filtered on: a group can hold everyone.
        var needMembers = withMembers || (filter?.Contains("members", StringComparison.OrdinalIgnoreCase) ?? false);
        var rendered = await RenderAsync(groups, needMembers, baseUrl, ct);
        var matching = parsed is null ? rendered : rendered.Where(g => ScimFilterEvaluator.Matches(parsed, g, caseExactValue: true)).ToList();
        var start = Math.Max(1, startIndex ?? 1);
        var take = Math.Clamp(count ?? 100, 0, Scim.MaxResults);
        var page = matching.Skip(start - 1).Take(take).ToList();
        if (!withMembers) foreach (var g in page) g.Remove("members");
        return ScimLists.Response(matching.Count, start, page);
    }

    public async Task<JsonObject> GetAsync(string id, bool withMembers, string baseUrl, CancellationToken ct)
    {
        var group = await db.Set<ScimGroup>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct) ?? throw ScimException.NotFound($"Group '{id}'");
        return (await RenderAsync([group], withMembers, baseUrl, ct))[0];
    }

    private async Task<List<JsonObject>> RenderAsync(IReadOnlyList<ScimGroup> groups, bool withMembers, string baseUrl, CancellationToken ct)
    {
        var ids = groups.Select(g => g.Id).ToList();
        var members = withMembers
            ? (await (from m in db.Set<ScimGroupMember>().AsNoTracking()
                      join e in db.Employees.AsNoTracking() on m.EmployeeId equals e.Id
                      where ids.Contains(m.GroupId)
                      orderby m.EmployeeId
                      select new { m.GroupId, m.EmployeeId, e.Name }).ToListAsync(ct)).ToLookup(m => m.GroupId)
            : null;
        return groups.Select(g =>
        {
            var o = new JsonObject { ["schemas"] = new JsonArray(Scim.GroupSchema), ["id"] = g.Id, ["displayName"] = g.DisplayName }.Put("externalId", g.ExternalId);
            if (members is not null)
                o["members"] = new JsonArray(members[g.Id].Select(m => (JsonNode)new JsonObject
                    { ["value"] = m.EmployeeId, ["display"] = m.Name, ["$ref"] = $"{baseUrl}/Users/{m.EmployeeId}" }).ToArray());
            o["meta"] = new JsonObject
            {
                ["resourceType"] = "Group",
                ["created"] = g.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["lastModified"] = g.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["location"] = $"{baseUrl}/Groups/{g.Id}",
            };
            return o;
        }).ToList();
    }

    public async Task<JsonObject> CreateAsync(JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        var name = DisplayName(body["displayName"]) ?? throw new ScimException(400, "invalidValue", "displayName: is required");
        var id = Guid.NewGuid().ToString("N");
        await InTransactionAsync(async () =>
        {
            if (await db.Set<ScimGroup>().AnyAsync(g => g.DisplayName == name, ct))
                throw new ScimException(409, "uniqueness", $"a Group named '{name}' exists already");
            var now = clock.GetUtcNow();
            db.Set<ScimGroup>().Add(new ScimGroup { Id = id, DisplayName = name, ExternalId = Blank(Scim.Text(body["externalId"], "externalId")), CreatedAt = now, UpdatedAt = now });
            var added = await MemberIdsAsync(body["members"], ct);
            db.Set<ScimGroupMember>().AddRange(added.Select(m => new ScimGroupMember { GroupId = id, EmployeeId = m }));
            Log("scim_group_created", $"'{name}' with {added.Count} member{(added.Count == 1 ? "" : "s")}", caller);
            await db.SaveChangesAsync(ct);
            if (roles.RoleOf(name) is { } role) await roles.SyncAsync(added, [role], caller, ct);
        }, ct);
        return await GetAsync(id, true, baseUrl, ct);
    }

    public async Task<JsonObject> ReplaceAsync(string id, JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        await InTransactionAsync(async () =>
        {
            var group = await FindAsync(id, ct);
            var name = body.ContainsKey("displayName") ? DisplayName(body["displayName"]) ?? throw new ScimException(400, "invalidValue", "displayName: is required") : group.DisplayName;
            var externalId = body.ContainsKey("externalId") ? Blank(Scim.Text(body["externalId"], "externalId")) : group.ExternalId;
            HashSet<string>? members = body.ContainsKey("members") ? (await MemberIdsAsync(body["members"], ct)).ToHashSet(StringComparer.Ordinal) : null;
            await ApplyAsync(group, name, externalId, current => members ?? current, caller, ct);
        }, ct);
        return await GetAsync(id, true, baseUrl, ct);
    }

    /// <summary>
    /// PATCH: members added or removed (Entra ID: <c>{"op":"Add","path":"members","value":[{"value":"id"}]}</c>; Okta:
    /// <c>{"op":"remove","path":"members[value eq \"id\"]"}</c>) or replaced; displayName and externalId replaced.
    /// Adding a member twice or removing one who is not there changes nothing.
    /// </summary>
    public async Task<JsonObject> PatchAsync(string id, JsonObject body, ScimCaller caller, string baseUrl, CancellationToken ct)
    {
        var operations = ScimPatch.Operations(body);
        await InTransactionAsync(async () =>
        {
            var group = await FindAsync(id, ct);
            var name = group.DisplayName;
            var externalId = group.ExternalId;
            var steps = new List<Action<HashSet<string>>>();
            foreach (var op in operations)
            {
                var targets = op.Path is null
                    ? (op.Value as JsonObject ?? throw new ScimException(400, "invalidValue", $"{op.Op} without a path needs an object value"))
                        .Where(kv => kv.Key is not ("schemas" or "id" or "meta")).Select(kv => (Path: ScimFilterParser.ParsePath(kv.Key), Value: kv.Value)).ToList()
                    : [(ScimFilterParser.ParsePath(op.Path), op.Value)];
                foreach (var (path, value) in targets)
                {
                    switch (path.Path.Attribute)
                    {
                        case "displayName" when op.Op != "remove":
                            name = DisplayName(value) ?? throw new ScimException(400, "invalidValue", "displayName: is required");
                            break;
                        case "displayName":
                            throw new ScimException(400, "mutability", "displayName is required and cannot be removed");
                        case "externalId":
                            externalId = op.Op == "remove" ? null : Blank(Scim.Text(value, "externalId"));
                            break;
                        case "members":
                            var op1 = op.Op;
                            var filter = path.Filter;
                            var listed = value is null ? [] : await MemberIdsAsync(value, ct, mustExist: op1 != "remove");
                            steps.Add(members =>
                            {
                                if (op1 == "replace") members.Clear();
                                if (op1 == "remove" && filter is not null)
                                    members.RemoveWhere(m => ScimFilterEvaluator.Matches(filter, new JsonObject { ["value"] = m }, caseExactValue: true));
                                else if (op1 == "remove" && value is null) members.Clear();
                                else if (op1 == "remove") members.ExceptWith(listed);
                                else members.UnionWith(listed);
                            });
                            break;
                        default:
                            throw new ScimException(400, "invalidPath", $"'{path.Path}' is not an attribute of a Group that can change (displayName, externalId, members)");
                    }
                }
            }
            await ApplyAsync(group, name, externalId, current =>
            {
                foreach (var step in steps) step(current);
                return current;
            }, caller, ct);
        }, ct);
        return await GetAsync(id, false, baseUrl, ct);
    }

    public async Task DeleteAsync(string id, ScimCaller caller, CancellationToken ct)
    {
        await InTransactionAsync(async () =>
        {
            var group = await FindAsync(id, ct);
            var members = await db.Set<ScimGroupMember>().Where(m => m.GroupId == id).Select(m => m.EmployeeId).ToListAsync(ct);
            db.Set<ScimGroup>().Remove(group);
            Log("scim_group_deleted", $"'{group.DisplayName}' ({members.Count} member{(members.Count == 1 ? "" : "s")})", caller);
            await db.SaveChangesAsync(ct);
            if (roles.RoleOf(group.DisplayName) is { } role) await roles.SyncAsync(members, [role], caller, ct);
        }, ct);
    }

    /// <summary>Writes a group's new name, externalId and members (only what differs) and brings roles in line.</summary>
    private async Task ApplyAsync(ScimGroup group, string name, string? externalId, Func<HashSet<string>, HashSet<string>> members, ScimCaller caller, CancellationToken ct)
    {
        if (name != group.DisplayName && await db.Set<ScimGroup>().AnyAsync(g => g.DisplayName == name && g.Id != group.Id, ct))
            throw new ScimException(409, "uniqueness", $"a Group named '{name}' exists already");
        var before = (await db.Set<ScimGroupMember>().Where(m => m.GroupId == group.Id).Select(m => m.EmployeeId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var after = members(new HashSet<string>(before, StringComparer.Ordinal));
        var added = after.Except(before).ToList();
        var removed = before.Except(after).ToList();
        var oldRole = roles.RoleOf(group.DisplayName);
        var renamed = name != group.DisplayName;
        if (!renamed && externalId == group.ExternalId && added.Count == 0 && removed.Count == 0) return; // idempotent: nothing to write
        var oldName = group.DisplayName;
        group.DisplayName = name;
        group.ExternalId = externalId;
        group.UpdatedAt = clock.GetUtcNow();
        db.Set<ScimGroupMember>().AddRange(added.Select(m => new ScimGroupMember { GroupId = group.Id, EmployeeId = m }));
        if (removed.Count > 0) await db.Set<ScimGroupMember>().Where(m => m.GroupId == group.Id && removed.Contains(m.EmployeeId)).ExecuteDeleteAsync(ct);
        var changes = new List<string>();
        if (renamed) changes.Add($"renamed from '{oldName}'");
        if (added.Count > 0) changes.Add("added " + string.Join(", ", added.Order(StringComparer.Ordinal)));
        if (removed.Count > 0) changes.Add("removed " + string.Join(", ", removed.Order(StringComparer.Ordinal)));
        if (changes.Count == 0) changes.Add("externalId");
        Log("scim_group_updated", $"'{name}': {string.Join("; ", changes)}", caller);
        await db.SaveChangesAsync(ct);
        var newRole = roles.RoleOf(name);
        var touchedRoles = new[] { oldRole, newRole }.OfType<string>().Distinct().ToList();
        var touchedPeople = renamed && oldRole != newRole ? before.Union(after).ToList() : added.Concat(removed).ToList();
        await roles.SyncAsync(touchedPeople, touchedRoles, caller, ct);
    }

    private async Task<ScimGroup> FindAsync(string id, CancellationToken ct) =>
        await db.Set<ScimGroup>().FirstOrDefaultAsync(g => g.Id == id, ct) ?? throw ScimException.NotFound($"Group '{id}'");

    /// <summary>The employee ids of a members list; each must be a User (an employee SCIM has not deleted).</summary>
    private async Task<List<string>> MemberIdsAsync(JsonNode? members, CancellationToken ct, bool mustExist = true)
    {
        if (members is null) return [];
        var items = members is JsonArray a ? a.ToList() : [members];
        var ids = items.Select(m => Blank(m is JsonObject o ? Scim.Text(o["value"], "members.value") : Scim.Text(m, "members.value")))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (!mustExist || ids.Count == 0) return ids;
        var known = await (from e in db.Employees.AsNoTracking()
                           join s in db.Set<ScimUser>().AsNoTracking() on e.Id equals s.EmployeeId into g
                           from s in g.DefaultIfEmpty()
                           where ids.Contains(e.Id) && (s == null || s.DeletedAt == null)
                           select e.Id).ToListAsync(ct);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0)
            throw new ScimException(400, "invalidValue", "members: " + string.Join("; ", unknown.Take(5).Select(EmployeeRules.UnknownEmployee)));
        return ids;
    }

    private void Log(string action, string detail, ScimCaller caller) =>
        db.AuditLog.Add(new AuditLogEntry { At = clock.GetUtcNow(), Action = action, Detail = $"group {detail}; by {caller.Describe}" });

    private async Task InTransactionAsync(Func<Task> work, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await work();
        }
        catch (DbUpdateException)
        {
            throw new ScimException(409, "uniqueness", "another request changed the same Group at the same time; send it again");
        }
        await tx.CommitAsync(ct);
    }

    private static string? DisplayName(JsonNode? node)
    {
        var name = Blank(Scim.Text(node, "displayName"));
        if (name is { Length: > 256 }) throw new ScimException(400, "invalidValue", "displayName: is longer than 256 characters");
        return name;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
