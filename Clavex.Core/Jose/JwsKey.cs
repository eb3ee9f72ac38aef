using System.Buffers;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>
/// A key bound to exactly one JWS algorithm. Binding the algorithm to the key, not reading it from the token,
/// is what defeats algorithm-confusion attacks: a token whose header names another algorithm never reaches
/// <see cref="Verify"/> with this key (RFC 8725 §3.1).
/// </summary>
public abstract class JwsKey : IDisposable
{
    private readonly byte[]?[] _encodedHeaders = new byte[JwtType.CachedCount][];
    private string? _keyId;

    protected JwsKey(JwsAlgorithm algorithm, string? keyId)
    {
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm));
        }

        Algorithm = algorithm;
        _keyId = string.IsNullOrEmpty(keyId) ? null : keyId;
    }

    public JwsAlgorithm Algorithm { get; }

    /// <summary>The <c>kid</c>: the one given, else <see cref="ComputeDefaultKeyId"/>; empty means none.</summary>
    public string KeyId => _keyId ??= ComputeDefaultKeyId();

    public abstract bool HasPrivateKey { get; }

    /// <summary>Exact length of a signature in bytes.</summary>
    public abstract int SignatureSize { get; }

    /// <summary>The <c>kty</c> member: <c>RSA</c>, <c>EC</c> or <c>oct</c>.</summary>
    public abstract string KeyType { get; }

    public abstract bool TrySign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten);

    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>
    /// Writes the public JWK (RFC 7517 §4) with <c>kid</c>, <c>use</c> = <c>sig</c> and <c>alg</c>.
    /// Symmetric keys have no public form and throw.
    /// </summary>
    public void WritePublicJwk(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString(JwkNames.Kty, KeyType);
        writer.WriteString(JwkNames.Use, JwkNames.Sig);
        writer.WriteString(JwkNames.Alg, JwsAlgorithms.GetEncodedName(Algorithm));
        writer.WriteString(JwkNames.Kid, KeyId);
        WritePublicMembers(writer);
        writer.WriteEndObject();
    }

    /// <summary>The RFC 7638 thumbprint of the public key: stable, unique, and derived rather than stored.</summary>
    protected virtual string ComputeDefaultKeyId() => JwkThumbprint.Compute(this);

    /// <summary>Writes the key's required public members in lexicographic order, <c>kty</c> included (RFC 7638 §3.2).</summary>
    internal abstract void WriteThumbprintMembers(Utf8JsonWriter writer);

    /// <summary>Writes the key-type-specific public members (<c>n</c>, <c>e</c> or <c>crv</c>, <c>x</c>, <c>y</c>).</summary>
    protected abstract void WritePublicMembers(Utf8JsonWriter writer);

    /// <summary>
    /// The base64url-encoded protected header <c>{"alg":…,"kid":…,"typ":…}</c>, built once per well-known type.
    /// Concurrent first calls may both build it; the result is the same, so the race is harmless.
    /// </summary>
    internal byte[] GetEncodedHeader(JwtType type)
    {
        int slot = type.CacheSlot;
        if (slot < 0)
        {
            return BuildEncodedHeader(type);
        }

        return _encodedHeaders[slot] ??= BuildEncodedHeader(type);
    }

    private byte[] BuildEncodedHeader(JwtType type)
    {
        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json, JoseJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(JwkNames.Alg, JwsAlgorithms.GetEncodedName(Algorithm));
            if (KeyId.Length > 0)
            {
                writer.WriteString(JwkNames.Kid, KeyId);
            }

            writer.WriteString(JwkNames.Typ, type.Name);
            writer.WriteEndObject();
        }

        var encoded = new byte[Base64UrlEncoding.GetEncodedLength(json.WrittenCount)];
        Base64UrlEncoding.Encode(json.WrittenSpan, encoded);
        return encoded;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
