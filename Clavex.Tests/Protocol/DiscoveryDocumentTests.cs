using System.Text;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Tests.Claims;

namespace Clavex.Tests.Protocol;

public class DiscoveryDocumentTests
{
    private const string Issuer = "https://id.acme.eu/acme";

    private static readonly Organization Acme = new(1, "acme", Issuer);

    private static readonly string[] ProtocolClaims = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash"];

    [Test]
    public void Issuer_is_exactly_the_organisations_issuer_without_a_trailing_slash()
    {
        using JsonDocument document = Discover();

        string? issuer = document.RootElement.GetProperty("issuer").GetString();

        Assert.That(issuer, Is.EqualTo(Issuer));
        Assert.That(issuer, Does.Not.EndWith("/"));
    }

    [TestCase("authorization_endpoint", "https://id.acme.eu/acme/authorize")]
    [TestCase("token_endpoint", "https://id.acme.eu/acme/token")]
    [TestCase("userinfo_endpoint", "https://id.acme.eu/acme/userinfo")]
    [TestCase("jwks_uri", "https://id.acme.eu/acme/jwks")]
    [TestCase("revocation_endpoint", "https://id.acme.eu/acme/revoke")]
    [TestCase("introspection_endpoint", "https://id.acme.eu/acme/introspect")]
    [TestCase("end_session_endpoint", "https://id.acme.eu/acme/logout")]
    public void Endpoints_are_under_the_issuer(string member, string url)
    {
        using JsonDocument document = Discover();

        Assert.That(document.RootElement.GetProperty(member).GetString(), Is.EqualTo(url));
    }

    [Test]
    public void Token_endpoint_is_the_one_client_assertions_are_addressed_to()
    {
        using JsonDocument document = Discover();

        Assert.That(document.RootElement.GetProperty("token_endpoint").GetString(), Is.EqualTo(Acme.TokenEndpoint));
    }

    [TestCase("issuer")]
    [TestCase("authorization_endpoint")]
    [TestCase("token_endpoint")]
    [TestCase("jwks_uri")]
    [TestCase("response_types_supported")]
    [TestCase("subject_types_supported")]
    [TestCase("id_token_signing_alg_values_supported")]
    public void Members_required_by_discovery_section_3_are_present(string member)
    {
        using JsonDocument document = Discover();

        Assert.That(document.RootElement.TryGetProperty(member, out _), Is.True);
    }

    [TestCase("response_types_supported", new[] { "code" })]
    [TestCase("response_modes_supported", new[] { "query", "form_post" })]
    [TestCase("grant_types_supported", new[] { "authorization_code", "refresh_token", "client_credentials" })]
    [TestCase("subject_types_supported", new[] { "public" })]
    [TestCase("id_token_signing_alg_values_supported", new[] { "RS256" })]
    [TestCase("scopes_supported", new[] { "openid", "profile", "email", "phone", "address", "groups", "offline_access" })]
    [TestCase("token_endpoint_auth_methods_supported", new[] { "client_secret_basic", "client_secret_post", "private_key_jwt", "none" })]
    [TestCase("token_endpoint_auth_signing_alg_values_supported", new[] { "RS256", "PS256", "ES256" })]
    [TestCase("revocation_endpoint_auth_methods_supported", new[] { "client_secret_basic", "client_secret_post", "private_key_jwt", "none" })]
    [TestCase("revocation_endpoint_auth_signing_alg_values_supported", new[] { "RS256", "PS256", "ES256" })]
    [TestCase("introspection_endpoint_auth_methods_supported", new[] { "client_secret_basic", "client_secret_post", "private_key_jwt", "none" })]
    [TestCase("introspection_endpoint_auth_signing_alg_values_supported", new[] { "RS256", "PS256", "ES256" })]
    [TestCase("code_challenge_methods_supported", new[] { "S256" })]
    [TestCase("prompt_values_supported", new[] { "none", "login", "consent", "select_account" })]
    public void List_members_have_exactly_these_values(string member, string[] values)
    {
        using JsonDocument document = Discover();

        Assert.That(Strings(document.RootElement.GetProperty(member)), Is.EqualTo(values));
    }

    [Test]
    public void Claims_supported_lists_the_protocol_and_standard_claims_and_groups()
    {
        using JsonDocument document = Discover();

        Assert.That(Strings(document.RootElement.GetProperty("claims_supported")), Is.EqualTo(new[]
        {
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash",
            "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "picture", "website",
            "locale", "zoneinfo", "updated_at", "email", "email_verified", "phone_number", "phone_number_verified",
            "address", "groups",
        }));
    }

    [TestCase("claims_parameter_supported", false)]
    [TestCase("request_parameter_supported", false)]
    [TestCase("request_uri_parameter_supported", false)]
    [TestCase("authorization_response_iss_parameter_supported", true)]
    public void Boolean_members_are_stated_explicitly(string member, bool value)
    {
        using JsonDocument document = Discover();

        Assert.That(document.RootElement.GetProperty(member).GetBoolean(), Is.EqualTo(value));
    }

    [Test]
    public void Nothing_else_is_advertised()
    {
        using JsonDocument document = Discover();

        Assert.That(MemberNames(document.RootElement), Is.EqualTo(new[]
        {
            "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint",
            "revocation_endpoint", "introspection_endpoint", "scopes_supported", "response_types_supported",
            "response_modes_supported", "grant_types_supported", "subject_types_supported", "acr_values_supported",
            "id_token_signing_alg_values_supported", "claims_supported", "token_endpoint_auth_methods_supported",
            "token_endpoint_auth_signing_alg_values_supported", "revocation_endpoint_auth_methods_supported",
            "revocation_endpoint_auth_signing_alg_values_supported", "introspection_endpoint_auth_methods_supported",
            "introspection_endpoint_auth_signing_alg_values_supported", "code_challenge_methods_supported",
            "prompt_values_supported", "claims_parameter_supported", "request_parameter_supported",
            "request_uri_parameter_supported", "authorization_response_iss_parameter_supported",
        }));
    }

    [Test]
    public void The_hosts_page_languages_are_advertised_as_ui_locales_supported_after_the_claims()
    {
        using JsonDocument document = Discover(DiscoveryOptions.Default with { UiLocales = ["en", "de"] });

        Assert.That(Strings(document.RootElement.GetProperty("ui_locales_supported")), Is.EqualTo(new[] { "en", "de" }));
        string[] members = MemberNames(document.RootElement);
        Assert.That(Array.IndexOf(members, "ui_locales_supported"), Is.EqualTo(Array.IndexOf(members, "claims_supported") + 1));
    }

    [TestCase("userinfo_signing_alg_values_supported")]
    [TestCase("frontchannel_logout_supported")]
    [TestCase("backchannel_logout_supported")]
    [TestCase("registration_endpoint")]
    [TestCase("request_object_signing_alg_values_supported")]
    public void Unimplemented_features_are_not_advertised(string member)
    {
        using JsonDocument document = Discover();

        Assert.That(document.RootElement.TryGetProperty(member, out _), Is.False);
    }

    [Test]
    public void Plain_pkce_is_not_advertised()
    {
        Assert.That(Json(), Does.Not.Contain("\"plain\""));
    }

    [Test]
    public void End_session_endpoint_is_left_out_when_the_host_does_not_support_it()
    {
        using JsonDocument document = Discover(new DiscoveryOptions { EndSessionSupported = false });

        Assert.That(document.RootElement.TryGetProperty("end_session_endpoint", out _), Is.False);
    }

    [Test]
    public void Id_token_signing_algorithms_come_from_the_options_in_order()
    {
        using JsonDocument document = Discover(new DiscoveryOptions { IdTokenSigningAlgorithms = [JwsAlgorithm.ES256, JwsAlgorithm.RS256, JwsAlgorithm.PS256] });

        Assert.That(Strings(document.RootElement.GetProperty("id_token_signing_alg_values_supported")), Is.EqualTo(new[] { "ES256", "RS256", "PS256" }));
    }

    [Test]
    public void An_organisation_whose_keys_are_es256_advertises_es256_alone()
    {
        // Issue 6: discovery is truthful for the organisation's keys rather than naming an RS256 it never signs with.
        using JsonDocument document = Discover(new DiscoveryOptions { IdTokenSigningAlgorithms = [JwsAlgorithm.ES256] });

        Assert.That(Strings(document.RootElement.GetProperty("id_token_signing_alg_values_supported")), Is.EqualTo(new[] { "ES256" }));
    }

    [TestCase(new JwsAlgorithm[0], TestName = "No ID token signing algorithm is refused")]
    [TestCase(new[] { JwsAlgorithm.RS256, JwsAlgorithm.HS256 }, TestName = "HS256 as an ID token signing algorithm is refused")]
    [TestCase(new[] { JwsAlgorithm.RS256, JwsAlgorithm.RS256 }, TestName = "A repeated ID token signing algorithm is refused")]
    public void Unusable_signing_algorithms_are_refused(JwsAlgorithm[] algorithms)
    {
        var options = new DiscoveryOptions { IdTokenSigningAlgorithms = algorithms };

        Assert.That(() => DiscoveryDocument.ToUtf8Json(Acme, options), Throws.ArgumentException);
    }

    [TestCase("https://id.acme.eu/acme/")]
    [TestCase("https://id.acme.eu/acme?tenant=1")]
    [TestCase("https://id.acme.eu/acme#top")]
    [TestCase("id.acme.eu/acme")]
    public void An_issuer_that_cannot_be_an_issuer_is_refused(string issuer)
    {
        var organization = new Organization(1, "acme", issuer);

        Assert.That(() => DiscoveryDocument.ToUtf8Json(organization, DiscoveryOptions.Default), Throws.ArgumentException);
    }

    [Test]
    public void Json_parses_and_urls_read_without_escapes()
    {
        string json = Json();

        Assert.That(() => JsonDocument.Parse(json).Dispose(), Throws.Nothing);
        Assert.That(json, Does.Not.Contain("\\u"));
        Assert.That(json, Does.Contain("\"jwks_uri\":\"https://id.acme.eu/acme/jwks\""));
    }

    [Test]
    public void Every_supported_claim_is_a_protocol_claim_or_one_the_claims_writer_emits()
    {
        HashSet<string> emitted = EmittedClaimNames();
        using JsonDocument document = Discover();

        foreach (string claim in Strings(document.RootElement.GetProperty("claims_supported")))
        {
            Assert.That(emitted.Contains(claim) || ProtocolClaims.Contains(claim), Is.True, claim);
        }
    }

    [Test]
    public void Every_claim_the_claims_writer_emits_is_supported()
    {
        using JsonDocument document = Discover();
        string[] supported = Strings(document.RootElement.GetProperty("claims_supported"));

        Assert.That(supported, Is.SupersetOf(EmittedClaimNames()));
    }

    [Test]
    public void Protocol_claims_in_claims_supported_are_all_reserved_for_the_protocol()
    {
        foreach (string claim in ProtocolClaims)
        {
            Assert.That(UserClaimsWriter.IsReservedClaimName(claim), Is.True, claim);
        }
    }

    [Test]
    public void Writing_into_a_callers_writer_gives_the_same_document()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            DiscoveryDocument.Write(writer, Acme, DiscoveryOptions.Default);
        }

        Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan), Is.EqualTo(Json()));
    }

    // Every claim a fully populated user produces with every scope granted and the default mapping.
    private static HashSet<string> EmittedClaimNames()
    {
        string json = TestUsers.WriteClaims(TestUsers.Jane(), TestUsers.AllScopes, ClaimMapping.Default, ClaimTarget.Userinfo);
        using var document = JsonDocument.Parse(json);
        return [.. MemberNames(document.RootElement)];
    }

    private static string Json(DiscoveryOptions? options = null) =>
        Encoding.UTF8.GetString(DiscoveryDocument.ToUtf8Json(Acme, options ?? DiscoveryOptions.Default));

    private static JsonDocument Discover(DiscoveryOptions? options = null) =>
        JsonDocument.Parse(DiscoveryDocument.ToUtf8Json(Acme, options ?? DiscoveryOptions.Default));

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string[] MemberNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
