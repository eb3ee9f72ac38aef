namespace Clavex.Core.Jose;

/// <summary>The JWS algorithms Clavex signs and verifies (RFC 7518 §3.1). <c>none</c> is deliberately absent.</summary>
public enum JwsAlgorithm
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256: accepted by every relying party, the default.</summary>
    RS256 = 1,

    /// <summary>RSASSA-PSS with SHA-256 and MGF1 with SHA-256, salt length 32 (RFC 7518 §3.5).</summary>
    PS256 = 2,

    /// <summary>ECDSA on P-256 with SHA-256; the signature is R || S, 64 bytes (RFC 7518 §3.4).</summary>
    ES256 = 3,

    /// <summary>HMAC with SHA-256, for symmetric keys only (e.g. <c>client_secret_jwt</c>).</summary>
    HS256 = 4,
}
