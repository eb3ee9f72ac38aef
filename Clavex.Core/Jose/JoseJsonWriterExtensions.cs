using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Clavex.Core.Jose;

public static class JoseJsonWriterExtensions
{
    private const int StackLimit = 512;

    /// <summary>Writes <paramref name="value"/> as an unpadded base64url string member without an intermediate string.</summary>
    public static void WriteBase64UrlString(this Utf8JsonWriter writer, JsonEncodedText name, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = Base64UrlEncoding.GetEncodedLength(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int written = Base64UrlEncoding.Encode(value, buffer);
            writer.WriteString(name, buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes an OIDC hash claim such as <c>at_hash</c> or <c>c_hash</c> (OIDC Core §3.1.3.6): the base64url of the
    /// left-most half of the SHA-256 of the ASCII value. Every algorithm Clavex signs with uses SHA-256.
    /// </summary>
    public static void WriteLeftHalfHash(this Utf8JsonWriter writer, JsonEncodedText name, ReadOnlySpan<char> asciiValue)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int byteCount = Encoding.ASCII.GetByteCount(asciiValue);
        byte[]? rented = null;
        Span<byte> bytes = byteCount <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            int written = Encoding.ASCII.GetBytes(asciiValue, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], hash);
            Span<byte> encoded = stackalloc byte[Base64UrlEncoding.GetEncodedLength(SHA256.HashSizeInBytes / 2)];
            Base64UrlEncoding.Encode(hash[..(SHA256.HashSizeInBytes / 2)], encoded);
            writer.WriteString(name, encoded);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
