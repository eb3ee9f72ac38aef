using System.Security.Cryptography;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>
/// A shared secret for HS256. It never appears in a JWK Set, and because <see cref="JwsKey"/> binds one
/// algorithm to one key, an RSA or EC public key can never be used as an HMAC secret.
/// </summary>
public sealed class HmacJwsKey : JwsKey
{
    /// <summary>RFC 7518 §3.2: the key must be at least as long as the hash output.</summary>
    public const int MinimumKeySize = 32;

    private readonly byte[] _key;

    public HmacJwsKey(ReadOnlySpan<byte> key, string? keyId = null)
        : base(JwsAlgorithm.HS256, keyId)
    {
        if (key.Length < MinimumKeySize)
        {
            throw new ArgumentException($"HS256 keys must have at least {MinimumKeySize} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    public override bool HasPrivateKey => true;

    public override int SignatureSize => HMACSHA256.HashSizeInBytes;

    public override string KeyType => "oct";

    public override bool TrySign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) =>
        HMACSHA256.TryHashData(_key, data, destination, out bytesWritten);

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }

    // A thumbprint of a shared secret would publish a hash of it in every header; no kid unless one is given.
    protected override string ComputeDefaultKeyId() => string.Empty;

    internal override void WriteThumbprintMembers(Utf8JsonWriter writer)
    {
        writer.WriteBase64UrlString(JwkNames.K, _key);
        writer.WriteString(JwkNames.Kty, KeyType);
    }

    protected override void WritePublicMembers(Utf8JsonWriter writer) =>
        throw new InvalidOperationException("A symmetric key has no public form and is never published.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CryptographicOperations.ZeroMemory(_key);
        }

        base.Dispose(disposing);
    }
}
