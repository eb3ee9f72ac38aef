using System.Buffers;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Pkce;

namespace Clavex.Core.Protocol;

/// <summary>
/// The OpenID Provider Metadata of one organisation (OIDC Discovery 1.0 §3, RFC 8414 §2), derived from what
/// Clavex implements: the authorization code flow only, public subjects, plain-JSON userinfo, no request objects,
/// no claims parameter, no front- or back-channel logout. Members whose default already says "not supported"
/// are omitted, except where the default is wrong for Clavex.
/// </summary>
public static class DiscoveryDocument
{
    // OIDC Core §2 and §3.1.3.6: the ID token claims Clavex writes besides the user's.
    private static readonly JsonEncodedText[] s_protocolClaims =
    [
        JwtClaimNames.Sub,
        JwtClaimNames.Iss,
        JwtClaimNames.Aud,
        JwtClaimNames.Exp,
        JwtClaimNames.Iat,
        JwtClaimNames.AuthTime,
        JwtClaimNames.Nonce,
        JwtClaimNames.Acr,
        JwtClaimNames.Amr,
        JwtClaimNames.Azp,
        JwtClaimNames.Sid,
        JwtClaimNames.AtHash,
    ];

    // Algorithms Clavex verifies in a private_key_jwt client assertion: the asymmetric ones (RFC 7523 §3).
    private static readonly JwsAlgorithm[] s_clientAssertionAlgorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    public static void Write(Utf8JsonWriter writer, Organization organization, DiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(options);
        ValidateIssuer(organization);
        ValidateSigningAlgorithms(options);
        string issuer = organization.Issuer;

        writer.WriteStartObject();

        // OIDC Discovery §3: exactly the iss of Clavex's tokens; relying parties compare it as a string (§4.3).
        writer.WriteString("issuer"u8, issuer);
        writer.WriteString("authorization_endpoint"u8, issuer + EndpointPaths.Authorize);
        writer.WriteString("token_endpoint"u8, issuer + EndpointPaths.Token);
        writer.WriteString("userinfo_endpoint"u8, issuer + EndpointPaths.Userinfo);
        writer.WriteString("jwks_uri"u8, issuer + EndpointPaths.Jwks);
        if (options.EndSessionSupported)
        {
            // OIDC RP-Initiated Logout 1.0 §2.1.
            writer.WriteString("end_session_endpoint"u8, issuer + EndpointPaths.Logout);
        }

        // RFC 8414 §2 (RFC 7009, RFC 7662).
        writer.WriteString("revocation_endpoint"u8, issuer + EndpointPaths.Revoke);
        writer.WriteString("introspection_endpoint"u8, issuer + EndpointPaths.Introspect);

        WriteArray(writer, "scopes_supported"u8, Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Phone, Scopes.Address, Scopes.Groups, Scopes.OfflineAccess);

        // The authorization code flow only (OIDC Core §3.1): no implicit or hybrid response types, so no fragment
        // response mode either.
        WriteArray(writer, "response_types_supported"u8, "code");
        WriteArray(writer, "response_modes_supported"u8, ResponseModes.Query, ResponseModes.FormPost);
        WriteArray(writer, "grant_types_supported"u8, GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials);

        // OIDC Core §8: one sub per user for every client; no pairwise identifiers.
        WriteArray(writer, "subject_types_supported"u8, "public");
        // OIDC Discovery §3: the levels an acr_values request may ask for (and the acr claim says).
        WriteArray(writer, "acr_values_supported"u8, Factors.AuthenticationMethods.PasswordLevel, Factors.AuthenticationMethods.MfaLevel);
        WriteAlgorithms(writer, "id_token_signing_alg_values_supported"u8, options.IdTokenSigningAlgorithms);
        WriteClaimsSupported(writer);
        WriteUiLocales(writer, options.UiLocales);

        // The same client authentication at the token, revocation and introspection endpoints. RFC 8414 §2: the
        // signing algorithms must be listed wherever private_key_jwt is.
        WriteClientAuthentication(writer, "token_endpoint_auth_methods_supported"u8, "token_endpoint_auth_signing_alg_values_supported"u8);
        WriteClientAuthentication(writer, "revocation_endpoint_auth_methods_supported"u8, "revocation_endpoint_auth_signing_alg_values_supported"u8);
        WriteClientAuthentication(writer, "introspection_endpoint_auth_methods_supported"u8, "introspection_endpoint_auth_signing_alg_values_supported"u8);

        // RFC 7636 §4.2: plain is allowed only for clients registered for it, so only S256 is advertised.
        WriteArray(writer, "code_challenge_methods_supported"u8, CodeChallenge.MethodS256);
        WriteArray(writer, "prompt_values_supported"u8, "none", "login", "consent", "select_account");

        // OIDC Discovery §3 defaults request_uri_parameter_supported to true, so all three are stated.
        writer.WriteBoolean("claims_parameter_supported"u8, false);
        writer.WriteBoolean("request_parameter_supported"u8, false);
        writer.WriteBoolean("request_uri_parameter_supported"u8, false);

        // RFC 9207 §3: every authorization response carries iss.
        writer.WriteBoolean("authorization_response_iss_parameter_supported"u8, true);

        writer.WriteEndObject();
    }

    /// <summary>The document as UTF-8, with URLs unescaped; hosts build it once per organisation and cache it.</summary>
    public static byte[] ToUtf8Json(Organization organization, DiscoveryOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            Write(writer, organization, options);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // OIDC Discovery §3: an https URL (http is left to the host for local development) without query or fragment.
    // A trailing slash would double every endpoint's and break the exact match of iss (§4.3), so it is a bug.
    private static void ValidateIssuer(Organization organization)
    {
        string issuer = organization.Issuer;
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out Uri? uri)
            || uri.Scheme is not ("https" or "http")
            || issuer.Contains('?', StringComparison.Ordinal)
            || issuer.Contains('#', StringComparison.Ordinal)
            || issuer.EndsWith('/'))
        {
            throw new ArgumentException($"The issuer '{issuer}' is not an absolute URL without query, fragment and trailing slash.", nameof(organization));
        }
    }

    private static void ValidateSigningAlgorithms(DiscoveryOptions options)
    {
        IReadOnlyList<JwsAlgorithm> algorithms = options.IdTokenSigningAlgorithms;
        if (algorithms is null)
        {
            throw new ArgumentException("No ID token signing algorithms are configured.", nameof(options));
        }

        // OIDC Discovery §3 asks for RS256 in this list, but an organisation that chose ES256 or PS256 has no RS256
        // key: advertising an algorithm Clavex would never sign with would only mislead, so the list is exactly the
        // algorithms of the organisation's keys (RS256 unless an administrator chose otherwise).
        if (algorithms.Count == 0)
        {
            throw new ArgumentException("No ID token signing algorithms are configured.", nameof(options));
        }

        for (int i = 0; i < algorithms.Count; i++)
        {
            JwsAlgorithm algorithm = algorithms[i];
            if (!Enum.IsDefined(algorithm) || JwsAlgorithms.IsSymmetric(algorithm))
            {
                throw new ArgumentException($"ID tokens cannot be signed with {algorithm}.", nameof(options));
            }

            for (int j = 0; j < i; j++)
            {
                if (algorithms[j] == algorithm)
                {
                    throw new ArgumentException($"{algorithm} is listed twice.", nameof(options));
                }
            }
        }
    }

    // Protocol claims, then every claim UserClaimsWriter can emit under its default mapping.
    private static void WriteClaimsSupported(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("claims_supported"u8);
        foreach (JsonEncodedText claim in s_protocolClaims)
        {
            writer.WriteStringValue(claim);
        }

        for (int i = 0; i < StandardClaims.Count; i++)
        {
            writer.WriteStringValue(StandardClaims.GetName((StandardClaim)i));
        }

        writer.WriteStringValue(JwtClaimNames.Groups);
        writer.WriteEndArray();
    }

    private static void WriteUiLocales(Utf8JsonWriter writer, IReadOnlyList<string> locales)
    {
        if (locales.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("ui_locales_supported"u8);
        for (int i = 0; i < locales.Count; i++)
        {
            writer.WriteStringValue(locales[i]);
        }

        writer.WriteEndArray();
    }

    private static void WriteClientAuthentication(Utf8JsonWriter writer, ReadOnlySpan<byte> methodsName, ReadOnlySpan<byte> algorithmsName)
    {
        WriteArray(
            writer,
            methodsName,
            TokenEndpointAuthMethods.ClientSecretBasic,
            TokenEndpointAuthMethods.ClientSecretPost,
            TokenEndpointAuthMethods.PrivateKeyJwt,
            TokenEndpointAuthMethods.None);
        WriteAlgorithms(writer, algorithmsName, s_clientAssertionAlgorithms);
    }

    private static void WriteAlgorithms(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<JwsAlgorithm> algorithms)
    {
        writer.WriteStartArray(name);
        for (int i = 0; i < algorithms.Count; i++)
        {
            writer.WriteStringValue(JwsAlgorithms.GetEncodedName(algorithms[i]));
        }

        writer.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter writer, ReadOnlySpan<byte> name, params ReadOnlySpan<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
