using System.Text.Json;
using Clavex.Core.Token;

namespace Clavex.Server.Http;

/// <summary>RFC 6749 §5.1 token response JSON, written straight to bytes.</summary>
public static class TokenResponseJson
{
    private static readonly JsonEncodedText AccessToken = JsonEncodedText.Encode("access_token");
    private static readonly JsonEncodedText TokenType = JsonEncodedText.Encode("token_type");
    private static readonly JsonEncodedText ExpiresIn = JsonEncodedText.Encode("expires_in");
    private static readonly JsonEncodedText IdToken = JsonEncodedText.Encode("id_token");
    private static readonly JsonEncodedText RefreshToken = JsonEncodedText.Encode("refresh_token");
    private static readonly JsonEncodedText Scope = JsonEncodedText.Encode("scope");

    public static byte[] Write(TokenResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048 + response.AccessToken.Length + (response.IdToken?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(AccessToken, response.AccessToken);
            writer.WriteString(TokenType, response.TokenType);
            writer.WriteNumber(ExpiresIn, response.ExpiresIn);
            if (response.IdToken is not null)
            {
                writer.WriteString(IdToken, response.IdToken);
            }

            if (response.RefreshToken is not null)
            {
                writer.WriteString(RefreshToken, response.RefreshToken);
            }

            writer.WriteString(Scope, response.Scope);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
