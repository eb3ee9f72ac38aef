using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;

namespace Clavex.Tests.Jose;

/// <summary>Keys shared by the JOSE tests; RSA generation is slow, so each is made once per run.</summary>
internal static class TestKeys
{
    private static readonly Lazy<RsaJwsKey> s_rs256 = new(() => new RsaJwsKey(RSA.Create(2048), JwsAlgorithm.RS256));
    private static readonly Lazy<RsaJwsKey> s_ps256 = new(() => new RsaJwsKey(RSA.Create(2048), JwsAlgorithm.PS256));
    private static readonly Lazy<EcJwsKey> s_es256 = new(EcJwsKey.Generate);
    private static readonly Lazy<HmacJwsKey> s_hs256 = new(() => new HmacJwsKey(RandomNumberGenerator.GetBytes(32), "hmac-1"));

    public static RsaJwsKey RS256 => s_rs256.Value;

    public static RsaJwsKey PS256 => s_ps256.Value;

    public static EcJwsKey ES256 => s_es256.Value;

    public static HmacJwsKey HS256 => s_hs256.Value;

    public static JwsKey For(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.RS256 => RS256,
        JwsAlgorithm.PS256 => PS256,
        JwsAlgorithm.ES256 => ES256,
        JwsAlgorithm.HS256 => HS256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Signs arbitrary header and payload JSON, for tokens our writer would never produce.</summary>
    public static string SignRaw(string headerJson, string payloadJson, JwsKey key) =>
        JwsCompact.Sign(
            Encoding.ASCII.GetBytes(Base64UrlEncoding.Encode(Encoding.UTF8.GetBytes(headerJson))),
            Encoding.UTF8.GetBytes(payloadJson),
            key);

    public static string EncodeJson(string json) => Base64UrlEncoding.Encode(Encoding.UTF8.GetBytes(json));
}
