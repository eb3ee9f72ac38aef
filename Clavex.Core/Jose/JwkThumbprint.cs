using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>RFC 7638 JWK thumbprint with SHA-256.</summary>
public static class JwkThumbprint
{
    public static string Compute(JwsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Base64UrlEncoding.Encode(ComputeHash(key));
    }

    public static byte[] ComputeHash(JwsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // RFC 7638 §3.3: required members only, lexicographic order, no whitespace. Utf8JsonWriter does not
        // indent by default, and base64url and the fixed member values need no escaping.
        var json = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            key.WriteThumbprintMembers(writer);
            writer.WriteEndObject();
        }

        return SHA256.HashData(json.WrittenSpan);
    }
}
