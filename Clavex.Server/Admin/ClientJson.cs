using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;

namespace Clavex.Server.Admin;

/// <summary>A client as the admin API shows it: every field <see cref="ClientMetadata"/> reads, and never a secret.</summary>
internal static class ClientJson
{
    public static void Write(Utf8JsonWriter writer, Client client)
    {
        writer.WriteString("client_id", client.ClientId);
        if (client.ClientName is not null)
        {
            writer.WriteString("client_name", client.ClientName);
        }

        if (client.ClientUri is not null)
        {
            writer.WriteString("client_uri", client.ClientUri);
        }

        writer.WriteBoolean("enabled", client.Enabled);
        writer.WriteString("application_type", client.IsNative ? "native" : "web");
        Strings(writer, "redirect_uris", client.RedirectUris);
        Strings(writer, "post_logout_redirect_uris", client.PostLogoutRedirectUris);
        Strings(writer, "grant_types", client.GrantTypes);
        Strings(writer, "scopes", client.Scopes);
        writer.WriteString("token_endpoint_auth_method", TokenEndpointAuthMethods.GetName(client.TokenEndpointAuthMethod));
        if (client.Jwks is not null)
        {
            writer.WritePropertyName("jwks");
            writer.WriteRawValue(JwkSet.ToUtf8Json(client.Jwks.Keys));
        }

        writer.WriteBoolean("require_pkce", client.RequirePkce);
        writer.WriteBoolean("allow_plain_pkce", client.AllowPlainPkce);
        writer.WriteBoolean("require_consent", client.RequireConsent);
        writer.WriteBoolean("always_issue_refresh_token", client.AlwaysIssueRefreshToken);
        writer.WriteBoolean("require_mfa", client.RequireMfa);
        writer.WriteStartArray(ClientMetadata.DefaultAcrValues);
        foreach (string acr in client.DefaultAcrValues)
        {
            writer.WriteStringValue(acr);
        }

        writer.WriteEndArray();
        writer.WriteStringOrNull(
            ClientMetadata.IdTokenSignedResponseAlg,
            client.IdTokenSignedResponseAlgorithm is JwsAlgorithm pin ? JwsAlgorithms.GetName(pin) : null);

        writer.WriteStartObject("token_lifetimes");
        writer.WriteNumber("access_token", (long)client.Lifetimes.AccessToken.TotalSeconds);
        writer.WriteNumber("id_token", (long)client.Lifetimes.IdToken.TotalSeconds);
        writer.WriteNumber("authorization_code", (long)client.Lifetimes.AuthorizationCode.TotalSeconds);
        writer.WriteNumber("refresh_token_sliding", (long)client.Lifetimes.RefreshTokenSliding.TotalSeconds);
        writer.WriteNumber("refresh_token_absolute", (long)client.Lifetimes.RefreshTokenAbsolute.TotalSeconds);
        writer.WriteEndObject();

        WriteMapping(writer, client.ClaimMapping);
    }

    public static byte[] ToUtf8(Client client) => AdminResults.Write(w => Write(w, client));

    /// <summary>RFC 7396 JSON Merge Patch of <paramref name="patch"/> onto the client's representation.</summary>
    public static (JsonElement Merged, AdminError? Error) Merge(Client client, JsonElement patch) => JsonMergePatch.Apply(ToUtf8(client), patch);

    private static void WriteMapping(Utf8JsonWriter writer, ClaimMapping mapping)
    {
        writer.WriteStartObject("claim_mapping");
        writer.WriteString("preferred_username_source", mapping.PreferredUsernameSource == PreferredUsernameSource.Email ? "email" : "username");
        writer.WriteString("groups_claim_name", mapping.GroupsClaimName);
        if (mapping.GroupAllowList is not null)
        {
            Strings(writer, "group_allow_list", mapping.GroupAllowList);
        }

        if (mapping.GroupPrefix is not null)
        {
            writer.WriteString("group_prefix", mapping.GroupPrefix);
        }

        writer.WriteStartObject("group_renames");
        foreach ((string from, string to) in mapping.GroupRenames)
        {
            writer.WriteString(from, to);
        }

        writer.WriteEndObject();
        Strings(writer, "userinfo_only_claims", mapping.UserinfoOnlyClaims);
        writer.WriteStartArray("extra_claims");
        foreach (ExtraClaim extra in mapping.ExtraClaims)
        {
            writer.WriteStartObject();
            writer.WriteString("name", extra.Name);
            writer.WriteStringIfPresent("value", extra.StaticValue);
            writer.WriteStringIfPresent("from_attribute", extra.FromAttribute);
            writer.WriteStringIfPresent("scope", extra.Scope);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static void Strings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
