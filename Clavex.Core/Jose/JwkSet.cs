using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>Writes JWK Set documents (RFC 7517 §5) of public signing keys.</summary>
public static class JwkSet
{
    /// <summary>
    /// How long relying parties may cache a JWK Set (its <c>Cache-Control: max-age</c>). Key rotation publishes the
    /// next key for longer than this before it signs anything, so no relying party ever sees a token signed by a key
    /// it has not fetched.
    /// </summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    public static void Write(Utf8JsonWriter writer, IEnumerable<JwsKey> keys)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(keys);
        writer.WriteStartObject();
        writer.WriteStartArray(JwkNames.Keys);
        foreach (JwsKey key in keys)
        {
            key.WritePublicJwk(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static byte[] ToUtf8Json(IEnumerable<JwsKey> keys)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, keys);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string ToJson(IEnumerable<JwsKey> keys) => Encoding.UTF8.GetString(ToUtf8Json(keys));
}
