using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Clavex.Core.Clients;

/// <summary>Generation and hashing of client secrets; only the hash is ever stored (<see cref="ClientSecret"/>).</summary>
public static class ClientSecrets
{
    public const string Prefix = "cs_";

    /// <summary>43 base62 characters carry 43 × log2(62) ≈ 256 bits.</summary>
    public const int RandomLength = 43;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int StackLimit = 256;

    /// <summary>
    /// A new secret: <c>cs_</c> and 43 random base62 characters. The prefix lets secret scanners recognise a leaked
    /// secret; the alphabet survives form-urlencoding unchanged, so clients that forget to encode still work.
    /// </summary>
    public static string Generate() =>
        // GetString draws each character by rejection sampling, so every character is uniform: no modulo bias.
        string.Concat(Prefix, RandomNumberGenerator.GetString(Base62, RandomLength));

    /// <summary>SHA-256 of the UTF-8 secret, as stored in <see cref="ClientSecret.Sha256Hash"/>.</summary>
    public static byte[] Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var hash = new byte[SHA256.HashSizeInBytes];
        Hash(secret, hash);
        return hash;
    }

    internal static void Hash(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        int byteCount = Encoding.UTF8.GetByteCount(secret);
        byte[]? rented = null;
        Span<byte> utf8 = byteCount <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            int written = Encoding.UTF8.GetBytes(secret, utf8);
            SHA256.HashData(utf8[..written], destination);
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
