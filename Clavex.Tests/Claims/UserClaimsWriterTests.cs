using System.Buffers;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;
using static Clavex.Tests.Claims.TestUsers;

namespace Clavex.Tests.Claims;

public class UserClaimsWriterTests
{
    private static readonly string[] ReservedNames =
        ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash", "client_id", "scope", "cnf"];

    private static readonly string[] OpenIdOnly = [Scopes.OpenId];

    // Profile, OIDC Core §5.4.

    [Test]
    public void Profile_scope_writes_every_profile_claim_the_user_has()
    {
        string json = WriteClaims(Jane(), [Scopes.OpenId, Scopes.Profile]);

        Assert.That(json, Is.EqualTo(
            """{"name":"Jane Doe","given_name":"Jane","family_name":"Doe","middle_name":"Quinn","nickname":"JD","preferred_username":"jdoe","picture":"https://id.acme.eu/avatars/jdoe.png","website":"https://jane.example","locale":"de-AT","zoneinfo":"Europe/Vienna","updated_at":1704164645}"""));
    }

    [Test]
    public void Profile_claims_without_a_value_are_omitted_never_written_as_null()
    {
        Assert.That(WriteClaims(Minimal(), [Scopes.Profile]), Is.EqualTo("""{"preferred_username":"jdoe"}"""));
    }

    [Test]
    public void Empty_profile_values_are_omitted_like_missing_ones()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Name = "", Nickname = "" };

        Assert.That(WriteClaims(user, [Scopes.Profile]), Is.EqualTo("""{"preferred_username":"jdoe"}"""));
    }

    [Test]
    public void Updated_at_is_a_json_number_of_seconds_since_the_epoch()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(1700000000).AddMilliseconds(999) };

        Assert.That(WriteClaims(user, [Scopes.Profile]), Is.EqualTo("""{"preferred_username":"jdoe","updated_at":1700000000}"""));
    }

    [Test]
    public void Preferred_username_is_the_email_when_the_mapping_says_so()
    {
        var mapping = new ClaimMapping { PreferredUsernameSource = PreferredUsernameSource.Email };
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Email = "jane.doe@acme.eu" };

        Assert.That(WriteClaims(user, [Scopes.Profile], mapping), Is.EqualTo("""{"preferred_username":"jane.doe@acme.eu"}"""));
    }

    [Test]
    public void Preferred_username_falls_back_to_the_username_when_the_user_has_no_email()
    {
        var mapping = new ClaimMapping { PreferredUsernameSource = PreferredUsernameSource.Email };

        Assert.That(WriteClaims(Minimal(), [Scopes.Profile], mapping), Is.EqualTo("""{"preferred_username":"jdoe"}"""));
    }

    // Email, phone and address, OIDC Core §5.4 and §5.1.1.

    [Test]
    public void Email_scope_writes_email_and_email_verified()
    {
        Assert.That(WriteClaims(Jane(), [Scopes.Email]), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true}"""));
    }

    [Test]
    public void An_unverified_email_is_written_with_email_verified_false()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Email = "jdoe@acme.eu", EmailVerified = false };

        Assert.That(WriteClaims(user, [Scopes.Email]), Is.EqualTo("""{"email":"jdoe@acme.eu","email_verified":false}"""));
    }

    [Test]
    public void Email_scope_writes_nothing_when_the_user_has_no_email()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", EmailVerified = true };

        Assert.That(WriteClaims(user, [Scopes.Email]), Is.EqualTo("{}"));
    }

    [Test]
    public void Phone_scope_writes_phone_number_and_phone_number_verified()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", PhoneNumber = "+43 1 234567" };

        Assert.That(WriteClaims(user, [Scopes.Phone]), Is.EqualTo("""{"phone_number":"+43 1 234567","phone_number_verified":false}"""));
    }

    [Test]
    public void Phone_scope_writes_nothing_when_the_user_has_no_phone_number()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", PhoneNumberVerified = true };

        Assert.That(WriteClaims(user, [Scopes.Phone]), Is.EqualTo("{}"));
    }

    [Test]
    public void Address_scope_writes_the_address_object()
    {
        Assert.That(WriteClaims(Jane(), [Scopes.Address]), Is.EqualTo(
            """{"address":{"formatted":"Ringstraße 1\n1010 Wien\nAustria","street_address":"Ringstraße 1","locality":"Wien","region":"Wien","postal_code":"1010","country":"AT"}}"""));
    }

    [Test]
    public void Address_members_without_a_value_are_omitted()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Address = new PostalAddress { Locality = "Wien", Region = "", Country = "AT" } };

        Assert.That(WriteClaims(user, [Scopes.Address]), Is.EqualTo("""{"address":{"locality":"Wien","country":"AT"}}"""));
    }

    [TestCase(false, TestName = "Address scope writes nothing when the user has no address")]
    [TestCase(true, TestName = "Address scope writes nothing when every address member is empty")]
    public void Address_scope_writes_nothing_without_an_address(bool emptyAddress)
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Address = emptyAddress ? new PostalAddress { Country = "" } : null };

        Assert.That(WriteClaims(user, [Scopes.Address]), Is.EqualTo("{}"));
    }

    // Scopes.

    [Test]
    public void No_user_claims_are_written_for_scopes_not_granted()
    {
        Assert.That(WriteClaims(Jane(), [Scopes.OpenId, Scopes.OfflineAccess]), Is.EqualTo("{}"));
    }

    [Test]
    public void Unknown_scopes_are_ignored()
    {
        Assert.That(WriteClaims(Jane(), [Scopes.OpenId, "jira", Scopes.Email, "read:all"]), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true}"""));
    }

    [TestCase("Profile")]
    [TestCase("EMAIL")]
    [TestCase("groups ")]
    public void Scopes_are_compared_ordinally(string scope)
    {
        Assert.That(WriteClaims(Jane(), [Scopes.OpenId, scope]), Is.EqualTo("{}"));
    }

    [Test]
    public void Each_scope_writes_only_its_own_claims_in_a_fixed_order()
    {
        string json = WriteClaims(Jane(), [Scopes.Groups, Scopes.Phone, Scopes.Email]);

        Assert.That(json, Is.EqualTo(
            """{"email":"jane.doe@acme.eu","email_verified":true,"phone_number":"+43 1 234567","phone_number_verified":true,"groups":["jira-software-users","confluence-users","acme-staff"]}"""));
    }

    // Groups: always an array when the scope is granted (Atlassian's JIT provisioning removes missing groups).

    [Test]
    public void Groups_scope_writes_the_groups_as_an_array_in_order()
    {
        Assert.That(WriteClaims(Jane(), [Scopes.Groups]), Is.EqualTo("""{"groups":["jira-software-users","confluence-users","acme-staff"]}"""));
    }

    [Test]
    public void Groups_scope_writes_an_empty_array_when_the_user_has_no_groups()
    {
        Assert.That(WriteClaims(Minimal(), [Scopes.Groups]), Is.EqualTo("""{"groups":[]}"""));
    }

    [Test]
    public void Groups_scope_writes_an_empty_array_when_the_filters_leave_no_group()
    {
        var mapping = new ClaimMapping { GroupPrefix = "bitbucket-" };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":[]}"""));
    }

    [Test]
    public void Groups_claim_takes_the_configured_name()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "https://app.hoop.dev/groups" };

        Assert.That(WriteClaims(Minimal(), [Scopes.Groups], mapping), Is.EqualTo("""{"https://app.hoop.dev/groups":[]}"""));
    }

    [Test]
    public void Group_allow_list_keeps_only_the_listed_groups_in_the_users_order()
    {
        var mapping = new ClaimMapping { GroupAllowList = ["acme-staff", "jira-software-users", "jira-administrators"] };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["jira-software-users","acme-staff"]}"""));
    }

    [Test]
    public void Group_allow_list_matches_exact_names_only()
    {
        var mapping = new ClaimMapping { GroupAllowList = ["Acme-Staff", "jira-software-user", "confluence-users "] };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":[]}"""));
    }

    [Test]
    public void Group_prefix_keeps_only_groups_starting_with_it_case_sensitively()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Groups = ["jira-users", "Jira-admins", "confluence-users", "jira-admins"] };
        var mapping = new ClaimMapping { GroupPrefix = "jira-" };

        Assert.That(WriteClaims(user, [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["jira-users","jira-admins"]}"""));
    }

    [Test]
    public void Allow_list_and_prefix_both_apply()
    {
        var mapping = new ClaimMapping { GroupAllowList = ["confluence-users", "acme-staff"], GroupPrefix = "acme-" };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["acme-staff"]}"""));
    }

    [Test]
    public void Groups_are_renamed_in_place()
    {
        var mapping = new ClaimMapping { GroupRenames = new Dictionary<string, string> { ["confluence-users"] = "confluence-user-access" } };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["jira-software-users","confluence-user-access","acme-staff"]}"""));
    }

    [Test]
    public void Filters_see_the_clavex_name_not_the_renamed_one()
    {
        var mapping = new ClaimMapping
        {
            GroupAllowList = ["acme-staff"],
            GroupPrefix = "acme-",
            GroupRenames = new Dictionary<string, string> { ["acme-staff"] = "staff", ["jira-software-users"] = "acme-jira" },
        };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["staff"]}"""));
    }

    [Test]
    public void Groups_renamed_to_the_same_name_are_written_once()
    {
        var mapping = new ClaimMapping
        {
            GroupRenames = new Dictionary<string, string> { ["jira-software-users"] = "atlassian-users", ["confluence-users"] = "atlassian-users" },
        };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["atlassian-users","acme-staff"]}"""));
    }

    [Test]
    public void A_group_renamed_onto_another_groups_name_is_written_once()
    {
        var mapping = new ClaimMapping { GroupRenames = new Dictionary<string, string> { ["acme-staff"] = "jira-software-users" } };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("""{"groups":["jira-software-users","confluence-users"]}"""));
    }

    [Test]
    public void A_group_listed_twice_is_written_once()
    {
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Groups = ["a", "b", "a"] };

        Assert.That(WriteClaims(user, [Scopes.Groups]), Is.EqualTo("""{"groups":["a","b"]}"""));
    }

    [Test]
    public void Many_groups_with_duplicates_and_a_rename_collision_are_each_written_once_in_order()
    {
        // Past 32 groups the names written are tracked in a set; twice in a row, so the per-thread set is seen cleared.
        string[] groups = [.. Enumerable.Range(0, 40).Select(i => $"g{i:D2}"), "g05", "renamed-away"];
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Groups = groups };
        var mapping = new ClaimMapping { GroupRenames = new Dictionary<string, string> { ["renamed-away"] = "g07", ["g39"] = "g39-renamed" } };
        string expected = "{\"groups\":[" + string.Join(",", Enumerable.Range(0, 39).Select(i => $"\"g{i:D2}\"")) + ",\"g39-renamed\"]}";

        Assert.That(WriteClaims(user, [Scopes.Groups], mapping), Is.EqualTo(expected));
        Assert.That(WriteClaims(user, [Scopes.Groups], mapping), Is.EqualTo(expected));
    }

    [Test]
    public void A_groups_claim_named_like_a_protocol_claim_is_never_written()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "sub" };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("{}"));
    }

    [Test]
    public void A_groups_claim_named_like_a_standard_claim_already_written_is_not_written_twice()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "email" };

        Assert.That(WriteClaims(Jane(), [Scopes.Email, Scopes.Groups], mapping), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true}"""));
    }

    // Userinfo-only claims.

    [Test]
    public void A_userinfo_only_standard_claim_is_left_out_of_the_id_token()
    {
        var mapping = new ClaimMapping { UserinfoOnlyClaims = ["email", "email_verified", "picture"] };

        Assert.That(WriteClaims(Minimal(), [Scopes.Email], mapping), Is.EqualTo("{}"));
        Assert.That(WriteClaims(Jane(), [Scopes.Email, Scopes.Phone], mapping), Is.EqualTo(
            """{"phone_number":"+43 1 234567","phone_number_verified":true}"""));
    }

    [Test]
    public void A_userinfo_only_standard_claim_is_written_at_userinfo()
    {
        var mapping = new ClaimMapping { UserinfoOnlyClaims = ["email", "email_verified"] };

        Assert.That(WriteClaims(Jane(), [Scopes.Email], mapping, ClaimTarget.Userinfo), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true}"""));
    }

    [Test]
    public void A_userinfo_only_address_is_left_out_of_the_id_token()
    {
        var mapping = new ClaimMapping { UserinfoOnlyClaims = ["address"] };

        Assert.That(WriteClaims(Jane(), [Scopes.Address], mapping), Is.EqualTo("{}"));
    }

    [Test]
    public void A_userinfo_only_groups_claim_is_left_out_of_the_id_token()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "roles", UserinfoOnlyClaims = ["roles"] };

        Assert.That(WriteClaims(Jane(), [Scopes.Groups], mapping), Is.EqualTo("{}"));
    }

    [Test]
    public void A_userinfo_only_groups_claim_is_written_at_userinfo()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "roles", UserinfoOnlyClaims = ["roles"] };

        Assert.That(WriteClaims(Minimal(), [Scopes.Groups], mapping, ClaimTarget.Userinfo), Is.EqualTo("""{"roles":[]}"""));
    }

    [Test]
    public void A_userinfo_only_extra_claim_is_left_out_of_the_id_token()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("department", FromAttribute: "department")], UserinfoOnlyClaims = ["department"] };

        Assert.That(WriteClaims(Jane(), OpenIdOnly, mapping), Is.EqualTo("{}"));
    }

    [Test]
    public void A_userinfo_only_extra_claim_is_written_at_userinfo()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("department", FromAttribute: "department")], UserinfoOnlyClaims = ["department"] };

        Assert.That(WriteClaims(Jane(), OpenIdOnly, mapping, ClaimTarget.Userinfo), Is.EqualTo("""{"department":"R&D"}"""));
    }

    [Test]
    public void An_extra_claim_cannot_put_a_userinfo_only_claim_back_into_the_id_token()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("email", StaticValue: "shared@acme.eu")], UserinfoOnlyClaims = ["email"] };

        Assert.That(WriteClaims(Minimal(), OpenIdOnly, mapping), Is.EqualTo("{}"));
    }

    [Test]
    public void Id_token_and_userinfo_get_the_same_claims_when_nothing_is_userinfo_only()
    {
        var mapping = new ClaimMapping
        {
            PreferredUsernameSource = PreferredUsernameSource.Email,
            GroupRenames = new Dictionary<string, string> { ["acme-staff"] = "staff" },
            ExtraClaims = [new ExtraClaim("department", FromAttribute: "department"), new ExtraClaim("tenant", StaticValue: "acme")],
        };

        string idToken = WriteClaims(Jane(), AllScopes, mapping, ClaimTarget.IdToken);
        string userinfo = WriteClaims(Jane(), AllScopes, mapping, ClaimTarget.Userinfo);

        Assert.That(userinfo, Is.EqualTo(idToken));
        Assert.That(idToken, Does.Contain("\"groups\":[").And.Contains("\"tenant\":\"acme\"").And.Contains("\"address\":{"));
    }

    // Extra claims.

    [Test]
    public void A_static_extra_claim_is_written_after_the_standard_claims()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("tenant", StaticValue: "acme")] };

        Assert.That(WriteClaims(Jane(), [Scopes.Email], mapping), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true,"tenant":"acme"}"""));
    }

    [Test]
    public void An_extra_claim_takes_its_value_from_a_user_attribute()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("cost-center", FromAttribute: "cost_center")] };

        Assert.That(WriteClaims(Jane(), OpenIdOnly, mapping), Is.EqualTo("""{"cost-center":"4711"}"""));
    }

    [Test]
    public void An_attribute_derived_extra_claim_is_omitted_when_the_user_lacks_the_attribute()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("department", FromAttribute: "department"), new ExtraClaim("tenant", StaticValue: "acme")] };

        Assert.That(WriteClaims(Minimal(), OpenIdOnly, mapping), Is.EqualTo("""{"tenant":"acme"}"""));
    }

    [Test]
    public void An_attribute_derived_extra_claim_does_not_fall_back_to_a_static_value()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("department", StaticValue: "unknown", FromAttribute: "department")] };

        Assert.That(WriteClaims(Minimal(), OpenIdOnly, mapping), Is.EqualTo("{}"));
    }

    [TestCase(true, """{"jira_role":"agent"}""", TestName = "An extra claim limited to a scope is written when the scope is granted")]
    [TestCase(false, "{}", TestName = "An extra claim limited to a scope is omitted when the scope is not granted")]
    public void An_extra_claim_limited_to_a_scope_needs_it(bool granted, string expected)
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("jira_role", StaticValue: "agent", Scope: "jira")] };
        string[] scopes = granted ? [Scopes.OpenId, "jira"] : OpenIdOnly;

        Assert.That(WriteClaims(Jane(), scopes, mapping), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(ReservedNames))]
    public void An_extra_claim_with_a_reserved_name_is_never_written(string name)
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim(name, StaticValue: "forged")] };

        Assert.That(WriteClaims(Jane(), AllScopes, mapping), Does.Not.Contain("forged"));
    }

    [Test]
    public void An_extra_claim_never_overrides_a_standard_claim_already_written()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("email", StaticValue: "forged@evil.example")] };

        Assert.That(WriteClaims(Jane(), [Scopes.Email], mapping), Is.EqualTo("""{"email":"jane.doe@acme.eu","email_verified":true}"""));
    }

    [Test]
    public void An_extra_claim_may_carry_a_standard_name_whose_scope_was_not_granted()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("email", FromAttribute: "work_email")] };
        User user = new() { OrganizationId = 1, Subject = "u_1", Username = "jdoe", Attributes = new Dictionary<string, string> { ["work_email"] = "jdoe@acme.eu" } };

        Assert.That(WriteClaims(user, OpenIdOnly, mapping), Is.EqualTo("""{"email":"jdoe@acme.eu"}"""));
    }

    [Test]
    public void An_extra_claim_never_overrides_the_groups_claim()
    {
        var mapping = new ClaimMapping { GroupsClaimName = "roles", ExtraClaims = [new ExtraClaim("roles", StaticValue: "admin")] };

        Assert.That(WriteClaims(Minimal(), [Scopes.Groups], mapping), Is.EqualTo("""{"roles":[]}"""));
    }

    [Test]
    public void Of_two_extra_claims_with_one_name_the_first_with_a_value_wins()
    {
        var mapping = new ClaimMapping
        {
            ExtraClaims =
            [
                new ExtraClaim("dept", FromAttribute: "division"),
                new ExtraClaim("dept", FromAttribute: "department"),
                new ExtraClaim("dept", StaticValue: "none"),
            ],
        };

        Assert.That(WriteClaims(Jane(), OpenIdOnly, mapping), Is.EqualTo("""{"dept":"R&D"}"""));
    }

    [TestCaseSource(nameof(ReservedNames))]
    public void Reserved_claim_names_are_recognised(string name)
    {
        Assert.That(UserClaimsWriter.IsReservedClaimName(name), Is.True);
    }

    [TestCase("email")]
    [TestCase("groups")]
    [TestCase("department")]
    [TestCase("SUB")]
    [TestCase("https://app.hoop.dev/groups")]
    public void Other_claim_names_are_not_reserved(string name)
    {
        Assert.That(UserClaimsWriter.IsReservedClaimName(name), Is.False);
    }

    // Hot path.

    [Test]
    public void Every_claim_of_a_fully_mapped_user_parses_as_json_with_the_right_types()
    {
        var mapping = new ClaimMapping { ExtraClaims = [new ExtraClaim("department", FromAttribute: "department")] };

        using var document = JsonDocument.Parse(WriteClaims(Jane(), AllScopes, mapping));
        JsonElement claims = document.RootElement;

        Assert.That(claims.GetProperty("updated_at").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(claims.GetProperty("email_verified").ValueKind, Is.EqualTo(JsonValueKind.True));
        Assert.That(claims.GetProperty("phone_number_verified").ValueKind, Is.EqualTo(JsonValueKind.True));
        Assert.That(claims.GetProperty("address").ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(claims.GetProperty("groups").ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(claims.GetProperty("department").GetString(), Is.EqualTo("R&D"));
    }

    [Test]
    public void Writing_claims_allocates_nothing_once_warm()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions);
        User user = Jane();
        var mapping = new ClaimMapping
        {
            GroupPrefix = "j",
            GroupAllowList = ["jira-software-users"],
            GroupRenames = new Dictionary<string, string> { ["jira-software-users"] = "users" },
            UserinfoOnlyClaims = ["picture"],
            ExtraClaims = [new ExtraClaim("department", FromAttribute: "department"), new ExtraClaim("tenant", StaticValue: "acme", Scope: Scopes.Profile)],
        };

        WriteOnce(writer, buffer, user, mapping);
        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteOnce(writer, buffer, user, mapping);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
    }

    private static void WriteOnce(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, User user, ClaimMapping mapping)
    {
        buffer.ResetWrittenCount();
        writer.Reset();
        writer.WriteStartObject();
        UserClaimsWriter.Write(writer, user, AllScopes, mapping, ClaimTarget.IdToken);
        writer.WriteEndObject();
        writer.Flush();
    }
}
