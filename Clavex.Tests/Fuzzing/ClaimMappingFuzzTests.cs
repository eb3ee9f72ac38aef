using System.Buffers;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;
using Clavex.Server.Admin;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// Claim-mapping rules: as the admin API reads them (Server/Admin/ClientMetadata.cs, <c>claim_mapping</c>), a rule set is
/// refused when it names a reserved claim or gives an extra claim both or neither of a value and an attribute; as the
/// core applies them (Claims/UserClaimsWriter.cs, GroupsClaim.cs), any rule set over any user writes one JSON object with
/// unique names, no reserved claim, nothing userinfo-only in an ID token, and a groups claim that is an array of the
/// user's (possibly renamed) groups that passed the filters.
/// </summary>
public class ClaimMappingFuzzTests
{
    private static readonly string[] Reserved = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash", "client_id", "scope", "cnf"];

    /// <summary>Claim names a rule may use: reserved, standard, the default groups name, a namespaced one, anything.</summary>
    private static readonly Gen<string> ClaimName = Gen.Frequency(
        (2, Gen.OneOf(Reserved)),
        (3, Gen.OneOf("groups", "email", "name", "preferred_username", "address", "email_verified", "department", "https://app.hoop.dev/groups", "roles", "")),
        (1, FuzzGen.HostileString.Where(name => !FuzzGen.HasLoneSurrogate(name))));

    private static readonly Gen<string> GroupName = Gen.Frequency(
        (3, Gen.OneOf("jira-users", "jira-admins", "confluence-users", "acme-staff", "")),
        (1, FuzzGen.HostileString.Where(name => !FuzzGen.HasLoneSurrogate(name))));

    private static readonly Gen<string> Storable = FuzzGen.HostileString.Where(text => !FuzzGen.HasLoneSurrogate(text));

    private static readonly Gen<ExtraClaim> Extra = Gen.Select(ClaimName, Gen.Null(Storable), Gen.Null(Gen.OneOf("department", "cost_center", "missing")), Gen.Null(Gen.OneOf("profile", "groups", "custom")))
        .Select(parts => new ExtraClaim(parts.Item1, parts.Item2, parts.Item3, parts.Item4));

    private static readonly Gen<ClaimMapping> Mapping = Gen.Select(
        Gen.Select(Gen.Enum<PreferredUsernameSource>(), ClaimName, Gen.Null(GroupName.Array[0, 4].Select(list => (IReadOnlyList<string>)list)), Gen.Null(Gen.OneOf("jira-", "confluence-", "", "x"))),
        Gen.Select(GroupName, GroupName).Array[0, 4],
        ClaimName.Array[0, 4],
        Extra.Array[0, 6],
        (basics, renames, userinfoOnly, extras) => new ClaimMapping
        {
            PreferredUsernameSource = basics.Item1,
            GroupsClaimName = basics.Item2,
            GroupAllowList = basics.Item3,
            GroupPrefix = basics.Item4,
            GroupRenames = renames.DistinctBy(r => r.Item1).ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal),
            UserinfoOnlyClaims = userinfoOnly,
            ExtraClaims = extras,
        });

    private static readonly Gen<User> AnyUser = Gen.Select(GroupName.Array[0, 40], Gen.Null(Storable), Gen.Bool, Gen.Select(Gen.OneOf("department", "cost_center"), Storable).Array[0, 2])
        .Select(parts =>
        {
            User jane = Claims.TestUsers.Jane();
            return new User
            {
                OrganizationId = 1,
                Subject = jane.Subject,
                Username = jane.Username,
                Name = jane.Name,
                Email = parts.Item3 ? parts.Item2 : jane.Email,
                EmailVerified = true,
                PhoneNumber = jane.PhoneNumber,
                Address = parts.Item3 ? null : jane.Address,
                Groups = parts.Item1,
                Attributes = parts.Item4.DistinctBy(a => a.Item1).ToDictionary(a => a.Item1, a => a.Item2, StringComparer.Ordinal),
            };
        });

    private static readonly Gen<string[]> GrantedScopes = Gen.OneOf(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Phone, Scopes.Address, Scopes.Groups, "custom").Array[0, 7];

    private static readonly Gen<string> NameJson = ClaimName.Select(name => "\"" + FuzzGen.Escape(name) + "\"");

    /// <summary>A <c>claim_mapping</c> member as an admin might send it, valid or not.</summary>
    internal static readonly Gen<string> MappingJson = Gen.Select(
        Gen.OneOf("preferred_username_source", "groups_claim_name", "group_allow_list", "group_prefix", "group_renames", "userinfo_only_claims", "extra_claims", "unknown"),
        Gen.Frequency(
            (3, NameJson),
            (2, Gen.OneOf("\"username\"", "\"email\"", "\"upn\"", "null", "[]", "{}", "1", "[\"g\",\"g\"]", "{\"jira-users\":\"users\",\"a\":1}", "[\"\"]")),
            (3, Gen.Select(NameJson, Gen.OneOf("\"value\":\"v\"", "\"from_attribute\":\"department\"", "\"value\":\"v\",\"from_attribute\":\"department\"", "", "\"scope\":\"groups\",\"value\":\"v\"", "\"value\":\"\""))
                .Array[0, 3].Select(extras => "[" + string.Join(",", extras.Select(e => "{\"name\":" + e.Item1 + (e.Item2.Length > 0 ? "," + e.Item2 : "") + "}")) + "]")),
            (1, FuzzGen.Json(2))))
        .Array[0, 6]
        .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}");

    [Test]
    public void Any_rule_set_is_read_or_refused_and_an_accepted_one_names_no_reserved_claim()
    {
        Fuzz.Check(MappingJson, json =>
        {
            string body = "{\"client_id\":\"app-1\",\"redirect_uris\":[\"https://app.example/cb\"],\"claim_mapping\":" + json + "}";
            (JsonDocument? document, _) = AdminJsonFuzzTests.ReadJson(FuzzGen.RawUtf8(body));
            if (document is null)
            {
                return; // AdminRequest answers 400 before any reader runs.
            }

            using (document)
            {
                (Client? client, AdminError? error) = ClientMetadata.Read(document.RootElement, organizationId: 1);
                if (client is null)
                {
                    Assert.That(error, Is.Not.Null);
                    return;
                }

                ClaimMapping mapping = client.ClaimMapping;
                Assert.That(UserClaimsWriter.IsReservedClaimName(mapping.GroupsClaimName), Is.False);
                foreach (ExtraClaim extra in mapping.ExtraClaims)
                {
                    Assert.That(UserClaimsWriter.IsReservedClaimName(extra.Name), Is.False);
                    Assert.That(extra.StaticValue is null, Is.Not.EqualTo(extra.FromAttribute is null), "exactly one of value and from_attribute");
                }
            }
        }, iterations: 2000);
    }

    [Test]
    public void Any_rule_set_over_any_user_writes_unique_permitted_claims()
    {
        Fuzz.Check(Gen.Select(Mapping, AnyUser, GrantedScopes, Gen.Enum<ClaimTarget>()), (mapping, user, scopes, target) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
            {
                writer.WriteStartObject();
                UserClaimsWriter.Write(writer, user, scopes, mapping, target);
                writer.WriteEndObject();
            }

            // RFC 7519 §4: claim names are unique; the parser refuses a duplicate.
            using JsonDocument claims = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { AllowDuplicateProperties = false });
            foreach (JsonProperty claim in claims.RootElement.EnumerateObject())
            {
                Assert.That(UserClaimsWriter.IsReservedClaimName(claim.Name), Is.False, claim.Name);
                if (target == ClaimTarget.IdToken)
                {
                    Assert.That(mapping.UserinfoOnlyClaims, Does.Not.Contain(claim.Name));
                }
            }

            bool groupsGranted = scopes.Contains(Scopes.Groups);
            if (groupsGranted && claims.RootElement.TryGetProperty(mapping.GroupsClaimName, out JsonElement groups) && groups.ValueKind == JsonValueKind.Array)
            {
                var names = groups.EnumerateArray().Select(g => g.GetString()!).ToList();
                Assert.That(names, Is.Unique);
                Assert.That(names, Has.None.Empty);
                var permitted = user.Groups
                    .Where(g => (mapping.GroupAllowList is null || mapping.GroupAllowList.Contains(g)) && g.StartsWith(mapping.GroupPrefix ?? "", StringComparison.Ordinal))
                    .Select(g => mapping.GroupRenames.TryGetValue(g, out string? renamed) ? renamed : g);
                Assert.That(names, Is.SubsetOf(permitted));
            }
        }, iterations: 3000);
    }
}
