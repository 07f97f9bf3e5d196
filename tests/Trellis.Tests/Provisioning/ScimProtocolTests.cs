using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Trellis.Provisioning;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Provisioning.ScimKit;

namespace Trellis.Tests.Provisioning;

/// <summary>Discovery, authentication, filters, paging and errors of /scim/v2.</summary>
public sealed class ScimProtocolTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Only_a_provisioning_token_opens_scim_and_it_opens_nothing_else(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var (status, error) = await app.AnonymousClient().SendAsync("GET", "/scim/v2/Users");
        Assert.Equal(401, status);
        Assert.Equal(Scim.Error, error!["schemas"]![0]!.GetValue<string>());
        Assert.Equal("401", error["status"]!.GetValue<string>());

        // A person's token, even an admin's, is not a provisioning token.
        (status, _) = await (await app.ClientForAsync("A1")).SendAsync("GET", "/scim/v2/Users");
        Assert.Equal(401, status);

        var scim = await app.ScimClientAsync();
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users");
        Assert.Equal(200, status);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await scim.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await scim.GetAsync("/api/v1/employees")).StatusCode);

        // A revoked token stops working.
        var id = await app.WithDbAsync(db => db.Set<ProvisioningToken>().Select(t => t.Id).SingleAsync());
        await app.WithDbAsync(db => new ProvisioningTokens(db, TimeProvider.System).RevokeAsync(id, "A1"));
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Users");
        Assert.Equal(401, status);
        Assert.Equal(2, await app.AuditCountAsync("scim_token_"));
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Discovery_documents_describe_users_groups_and_the_extensions(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await app.ScimClientAsync();
        var (status, config) = await scim.SendAsync("GET", "/scim/v2/ServiceProviderConfig");
        Assert.Equal(200, status);
        Assert.True(config!["patch"]!["supported"]!.GetValue<bool>());
        Assert.True(config["filter"]!["supported"]!.GetValue<bool>());
        Assert.False(config["bulk"]!["supported"]!.GetValue<bool>());

        var (_, types) = await scim.SendAsync("GET", "/scim/v2/ResourceTypes");
        Assert.Equal(2, types!["totalResults"]!.GetValue<int>());
        var user = types["Resources"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "User")!;
        Assert.Equal("/Users", user["endpoint"]!.GetValue<string>());
        Assert.Contains(user["schemaExtensions"]!.AsArray(), e => e!["schema"]!.GetValue<string>() == Scim.TrellisUser);

        var (_, schemas) = await scim.SendAsync("GET", "/scim/v2/Schemas");
        Assert.Equal(4, schemas!["totalResults"]!.GetValue<int>());
        var (_, enterprise) = await scim.SendAsync("GET", "/scim/v2/Schemas/" + Enterprise);
        Assert.Contains(enterprise!["attributes"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "employeeNumber");
        (status, _) = await scim.SendAsync("GET", "/scim/v2/Schemas/urn:nope");
        Assert.Equal(404, status);
    }

    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task Filters_and_paging_work_on_the_database(Provider provider)
    {
        await using var app = await TrellisApp.StartAsync(provider);
        var scim = await app.ScimClientAsync();
        async Task<List<string>> Ids(string query)
        {
            var (status, list) = await scim.SendAsync("GET", "/scim/v2/Users?" + query);
            Assert.True(status == 200, $"{query}: {status} {list}");
            return list!["Resources"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        }
        string F(string filter) => "filter=" + Uri.EscapeDataString(filter);

        // Imported people are Users too; their userName is their email, compared without case.
        Assert.Equal(["E1"], await Ids(F("userName eq \"E1@EXAMPLE.test\"")));
        Assert.Equal(["E1"], await Ids(F("emails.value eq \"e1@example.test\"")));
        Assert.Equal(["E1"], await Ids(F("emails[type eq \"work\"].value eq \"e1@example.test\"")));
        Assert.Equal(["E1", "E2", "E3"], await Ids(F("displayName sw \"E\" and displayName co \"engineer\"")));
        Assert.Equal(["E1", "X1"], await Ids(F("displayName co \"eli\" or displayName ew \"sales\"")));
        Assert.Equal(["E2", "E3"], await Ids(F("displayName co \"engineer\" and not (userName eq \"e1@example.test\")")));
        // and binds tighter than or
        Assert.Equal(["E1", "X1"], await Ids(F("userName eq \"x1@example.test\" or displayName co \"engineer\" and userName sw \"e1\"")));
        Assert.Equal(["M2"], await Ids(F($"{Enterprise}:manager.value eq \"M1\" and title eq \"Milo\"")));
        Assert.Equal(["M1"], await Ids(F($"{Enterprise}:employeeNumber eq \"M1\"")));
        Assert.Empty(await Ids(F("externalId pr")));
        Assert.Empty(await Ids(F("userName eq \"nobody@example.test\"")));

        var (_, page) = await scim.SendAsync("GET", "/scim/v2/Users?startIndex=3&count=2");
        Assert.Equal(9, page!["totalResults"]!.GetValue<int>());
        Assert.Equal(2, page["itemsPerPage"]!.GetValue<int>());
        Assert.Equal(3, page["startIndex"]!.GetValue<int>());
        Assert.Equal(["A1", "C1", "E1", "E2", "E3", "H1", "M1", "M2", "X1"], ["A1", .. await Ids("startIndex=2&count=100")]);
        Assert.Empty(await Ids("count=0"));

        foreach (var bad in new[] { "userName eq", "userName zz \"x\"", "(userName eq \"x\"", "userName eq x", "password eq \"x\"" })
        {
            var (status, error) = await scim.SendAsync("GET", "/scim/v2/Users?" + F(bad));
            Assert.Equal(400, status);
            Assert.Equal("invalidFilter", error!["scimType"]!.GetValue<string>());
        }
        // attributes and excludedAttributes
        var (_, slim) = await scim.SendAsync("GET", "/scim/v2/Users/E1?attributes=userName");
        Assert.Equal(["schemas", "id", "userName"], slim!.Select(kv => kv.Key).ToList());
        var (_, noEmails) = await scim.SendAsync("GET", "/scim/v2/Users/E1?excludedAttributes=emails");
        Assert.False(noEmails!.ContainsKey("emails"));
    }

    [Fact]
    public void The_filter_parser_reads_the_grammar_and_refuses_the_rest()
    {
        var f = ScimFilterParser.Parse("not (a eq \"x\") and b pr or c[type eq \"work\" and value co \"@\"]");
        var or = Assert.IsType<ScimOr>(f);
        var and = Assert.IsType<ScimAnd>(or.Left);
        Assert.IsType<ScimNot>(and.Left);
        Assert.Equal("pr", Assert.IsType<ScimComparison>(and.Right).Op);
        Assert.IsType<ScimAnd>(Assert.IsType<ScimValuePath>(or.Right).Filter);

        var path = ScimFilterParser.ParsePath("emails[type eq \"work\"].value");
        Assert.Equal("emails", path.Path.Attribute);
        Assert.Equal("value", path.SubAttribute);
        var urn = ScimFilterParser.ParsePath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:Manager");
        Assert.Equal((Enterprise, "manager"), (urn.Path.Schema, urn.Path.Attribute));
        Assert.Equal("\"quoted\" \\ text", ((JsonValue)((ScimComparison)ScimFilterParser.Parse("a eq \"\\\"quoted\\\" \\\\ text\"")).Value!).GetValue<string>());
        Assert.True(((ScimComparison)ScimFilterParser.Parse("active eq true")).Value!.GetValue<bool>());
        foreach (var bad in new[] { "", "a", "a eq", "a eq \"x", "a eq \"x\" and", "(a pr", "a[b eq \"c\"", "a eq \"x\" b" })
            Assert.Equal("invalidFilter", Assert.Throws<ScimException>(() => ScimFilterParser.Parse(bad)).ScimType);
    }
}
