using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>Pre-encoded claim names (RFC 7519 §4.1, OIDC Core §2 and §5.1, RFC 9068 §2.2), and Clavex's one private claim.</summary>
public static class JwtClaimNames
{
    public static readonly JsonEncodedText Iss = JsonEncodedText.Encode("iss");
    public static readonly JsonEncodedText Sub = JsonEncodedText.Encode("sub");
    public static readonly JsonEncodedText Aud = JsonEncodedText.Encode("aud");
    public static readonly JsonEncodedText Exp = JsonEncodedText.Encode("exp");
    public static readonly JsonEncodedText Nbf = JsonEncodedText.Encode("nbf");
    public static readonly JsonEncodedText Iat = JsonEncodedText.Encode("iat");
    public static readonly JsonEncodedText Jti = JsonEncodedText.Encode("jti");
    public static readonly JsonEncodedText AuthTime = JsonEncodedText.Encode("auth_time");
    public static readonly JsonEncodedText Nonce = JsonEncodedText.Encode("nonce");
    public static readonly JsonEncodedText Acr = JsonEncodedText.Encode("acr");
    public static readonly JsonEncodedText Amr = JsonEncodedText.Encode("amr");
    public static readonly JsonEncodedText Azp = JsonEncodedText.Encode("azp");
    public static readonly JsonEncodedText Sid = JsonEncodedText.Encode("sid");
    public static readonly JsonEncodedText AtHash = JsonEncodedText.Encode("at_hash");
    public static readonly JsonEncodedText CHash = JsonEncodedText.Encode("c_hash");
    public static readonly JsonEncodedText ClientId = JsonEncodedText.Encode("client_id");
    public static readonly JsonEncodedText Scope = JsonEncodedText.Encode("scope");

    /// <summary>Private: the grant id in Clavex access tokens, so userinfo, introspection and revocation can honour revocation.</summary>
    public static readonly JsonEncodedText Gid = JsonEncodedText.Encode("gid");

    public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    public static readonly JsonEncodedText GivenName = JsonEncodedText.Encode("given_name");
    public static readonly JsonEncodedText FamilyName = JsonEncodedText.Encode("family_name");
    public static readonly JsonEncodedText MiddleName = JsonEncodedText.Encode("middle_name");
    public static readonly JsonEncodedText Nickname = JsonEncodedText.Encode("nickname");
    public static readonly JsonEncodedText PreferredUsername = JsonEncodedText.Encode("preferred_username");
    public static readonly JsonEncodedText Picture = JsonEncodedText.Encode("picture");
    public static readonly JsonEncodedText Website = JsonEncodedText.Encode("website");
    public static readonly JsonEncodedText Locale = JsonEncodedText.Encode("locale");
    public static readonly JsonEncodedText Zoneinfo = JsonEncodedText.Encode("zoneinfo");
    public static readonly JsonEncodedText UpdatedAt = JsonEncodedText.Encode("updated_at");
    public static readonly JsonEncodedText Email = JsonEncodedText.Encode("email");
    public static readonly JsonEncodedText EmailVerified = JsonEncodedText.Encode("email_verified");
    public static readonly JsonEncodedText PhoneNumber = JsonEncodedText.Encode("phone_number");
    public static readonly JsonEncodedText PhoneNumberVerified = JsonEncodedText.Encode("phone_number_verified");
    public static readonly JsonEncodedText Address = JsonEncodedText.Encode("address");
    public static readonly JsonEncodedText Groups = JsonEncodedText.Encode("groups");
}
