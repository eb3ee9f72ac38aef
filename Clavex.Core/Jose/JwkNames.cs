using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>Member names of JWKs (RFC 7517 §4, RFC 7518 §6) and JOSE headers (RFC 7515 §4.1).</summary>
internal static class JwkNames
{
    public static readonly JsonEncodedText Kty = JsonEncodedText.Encode("kty");
    public static readonly JsonEncodedText Use = JsonEncodedText.Encode("use");
    public static readonly JsonEncodedText Alg = JsonEncodedText.Encode("alg");
    public static readonly JsonEncodedText Kid = JsonEncodedText.Encode("kid");
    public static readonly JsonEncodedText Typ = JsonEncodedText.Encode("typ");
    public static readonly JsonEncodedText Keys = JsonEncodedText.Encode("keys");
    public static readonly JsonEncodedText N = JsonEncodedText.Encode("n");
    public static readonly JsonEncodedText E = JsonEncodedText.Encode("e");
    public static readonly JsonEncodedText Crv = JsonEncodedText.Encode("crv");
    public static readonly JsonEncodedText X = JsonEncodedText.Encode("x");
    public static readonly JsonEncodedText Y = JsonEncodedText.Encode("y");
    public static readonly JsonEncodedText K = JsonEncodedText.Encode("k");
    public static readonly JsonEncodedText Sig = JsonEncodedText.Encode("sig");
    public static readonly JsonEncodedText P256 = JsonEncodedText.Encode("P-256");
}
