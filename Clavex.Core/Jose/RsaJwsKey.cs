using System.Security.Cryptography;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>An RSA key for RS256 or PS256. Keys shorter than 2048 bits are refused (RFC 7518 §3.3).</summary>
public sealed class RsaJwsKey : JwsKey
{
    public const int MinimumKeySize = 2048;

    private readonly RSA _rsa;
    private readonly RSASignaturePadding _padding;

    public RsaJwsKey(RSA rsa, JwsAlgorithm algorithm, string? keyId = null, bool hasPrivateKey = true)
        : base(algorithm, keyId)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        if (algorithm is not (JwsAlgorithm.RS256 or JwsAlgorithm.PS256))
        {
            throw new ArgumentException($"An RSA key cannot be used with {algorithm}.", nameof(algorithm));
        }

        if (rsa.KeySize < MinimumKeySize)
        {
            throw new ArgumentException($"RSA keys must have at least {MinimumKeySize} bits; this one has {rsa.KeySize}.", nameof(rsa));
        }

        _rsa = rsa;
        // RFC 7518 §3.5: PS256 uses MGF1 with SHA-256 and a salt as long as the hash, which is .NET's PSS.
        _padding = algorithm == JwsAlgorithm.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        HasPrivateKey = hasPrivateKey;
        SignatureSize = (rsa.KeySize + 7) / 8;
    }

    public static RsaJwsKey Generate(JwsAlgorithm algorithm = JwsAlgorithm.RS256, int keySize = MinimumKeySize) =>
        new(RSA.Create(keySize), algorithm);

    /// <summary>A verification-only key from the public modulus and exponent (big-endian, unsigned).</summary>
    public static RsaJwsKey FromPublicKey(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent, JwsAlgorithm algorithm, string? keyId = null)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus.ToArray(), Exponent = exponent.ToArray() });
        return new RsaJwsKey(rsa, algorithm, keyId, hasPrivateKey: false);
    }

    public RSA Rsa => _rsa;

    public override bool HasPrivateKey { get; }

    public override int SignatureSize { get; }

    public override string KeyType => "RSA";

    public override bool TrySign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten) =>
        _rsa.TrySignData(data, destination, HashAlgorithmName.SHA256, _padding, out bytesWritten);

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && _rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, _padding);

    internal override void WriteThumbprintMembers(Utf8JsonWriter writer)
    {
        RSAParameters parameters = _rsa.ExportParameters(includePrivateParameters: false);
        writer.WriteBase64UrlString(JwkNames.E, parameters.Exponent!);
        writer.WriteString(JwkNames.Kty, KeyType);
        writer.WriteBase64UrlString(JwkNames.N, parameters.Modulus!);
    }

    protected override void WritePublicMembers(Utf8JsonWriter writer)
    {
        RSAParameters parameters = _rsa.ExportParameters(includePrivateParameters: false);
        writer.WriteBase64UrlString(JwkNames.N, parameters.Modulus!);
        writer.WriteBase64UrlString(JwkNames.E, parameters.Exponent!);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rsa.Dispose();
        }

        base.Dispose(disposing);
    }
}
