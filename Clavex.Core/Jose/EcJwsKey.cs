using System.Security.Cryptography;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>A P-256 key for ES256. Signatures are the 64-byte JOSE form R || S, never DER (RFC 7518 §3.4).</summary>
public sealed class EcJwsKey : JwsKey
{
    private const int CoordinateSize = 32;

    private readonly ECDsa _ecdsa;

    public EcJwsKey(ECDsa ecdsa, string? keyId = null, bool hasPrivateKey = true)
        : base(JwsAlgorithm.ES256, keyId)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("ES256 requires a key on the P-256 curve.", nameof(ecdsa));
        }

        _ecdsa = ecdsa;
        HasPrivateKey = hasPrivateKey;
    }

    public static EcJwsKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>A verification-only key from its P-256 coordinates (32 bytes each, big-endian).</summary>
    public static EcJwsKey FromPublicKey(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, string? keyId = null)
    {
        if (x.Length != CoordinateSize || y.Length != CoordinateSize)
        {
            throw new ArgumentException("P-256 coordinates are 32 bytes each.");
        }

        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = x.ToArray(), Y = y.ToArray() },
        });
        return new EcJwsKey(ecdsa, keyId, hasPrivateKey: false);
    }

    public ECDsa Ecdsa => _ecdsa;

    public override bool HasPrivateKey { get; }

    public override int SignatureSize => 2 * CoordinateSize;

    public override string KeyType => "EC";

    public override bool TrySign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) =>
        _ecdsa.TrySignData(data, destination, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out bytesWritten);

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize
        && _ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    internal override void WriteThumbprintMembers(Utf8JsonWriter writer)
    {
        ECParameters parameters = _ecdsa.ExportParameters(includePrivateParameters: false);
        writer.WriteString(JwkNames.Crv, JwkNames.P256);
        writer.WriteString(JwkNames.Kty, KeyType);
        writer.WriteBase64UrlString(JwkNames.X, parameters.Q.X!);
        writer.WriteBase64UrlString(JwkNames.Y, parameters.Q.Y!);
    }

    protected override void WritePublicMembers(Utf8JsonWriter writer)
    {
        ECParameters parameters = _ecdsa.ExportParameters(includePrivateParameters: false);
        writer.WriteString(JwkNames.Crv, JwkNames.P256);
        writer.WriteBase64UrlString(JwkNames.X, parameters.Q.X!);
        writer.WriteBase64UrlString(JwkNames.Y, parameters.Q.Y!);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ecdsa.Dispose();
        }

        base.Dispose(disposing);
    }
}
