namespace Clavex.Core.Jose;

/// <summary>Why a JWT was accepted or refused. Each refusal has its own value so callers and audit events can say which.</summary>
public enum JwtValidationOutcome
{
    Valid = 0,

    /// <summary>Longer than <see cref="JwtValidationParameters.MaxTokenLength"/>; nothing was decoded.</summary>
    TokenTooLarge,

    /// <summary>Not three dot-separated segments (a JWE has five; anything else is not a JWS).</summary>
    Malformed,

    /// <summary>A segment is not strict unpadded base64url.</summary>
    InvalidBase64Url,

    /// <summary>The protected header is not a JSON object with a string <c>alg</c>, or repeats a member.</summary>
    InvalidHeader,

    /// <summary>The header has <c>crit</c>; Clavex understands no extensions (RFC 7515 §4.1.11).</summary>
    UnsupportedCriticalHeader,

    /// <summary><c>alg</c> is <c>none</c>, unknown, or not on the validator's allow-list.</summary>
    AlgorithmNotAllowed,

    /// <summary>No key in the key set has the token's <c>kid</c> (or, without a <c>kid</c>, its algorithm).</summary>
    KeyNotFound,

    /// <summary>The key with that <c>kid</c> is bound to another algorithm: the key-confusion attack.</summary>
    KeyAlgorithmMismatch,

    InvalidSignature,

    /// <summary>The payload is not a JSON object, repeats a claim, or a registered claim has the wrong type.</summary>
    InvalidPayload,

    /// <summary>The <c>typ</c> header is missing or is not the expected type (RFC 8725 §3.11).</summary>
    InvalidType,

    InvalidIssuer,

    InvalidAudience,

    MissingExpiration,

    Expired,

    NotYetValid,

    IssuedInFuture,
}
