using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;

namespace Clavex.Core.Protocol;

/// <summary>Random bearer values (codes, refresh tokens, ids) and the hashes they are stored under.</summary>
public static class OpaqueToken
{
    /// <summary>256 bits for anything that grants access: unguessable for its whole lifetime.</summary>
    public const int SecretBytes = 32;

    /// <summary>128 bits for identifiers that must be unique and unpredictable but grant nothing alone.</summary>
    public const int IdentifierBytes = 16;

    public static string New(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return Base64UrlEncoding.Encode(buffer);
    }

    /// <summary>
    /// SHA-256 of the token: high-entropy values need no slow KDF, and a stolen table of hashes cannot be replayed.
    /// </summary>
    public static byte[] Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> utf8 = token.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(token.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        int length = Encoding.UTF8.GetBytes(token, utf8);
        return SHA256.HashData(utf8[..length]);
    }
}
