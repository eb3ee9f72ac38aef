namespace Clavex.Core.Jose;

/// <summary>What a token must satisfy. Nothing is taken from the token itself: keys and algorithms come from here.</summary>
public sealed class JwtValidationParameters
{
    /// <summary>Tokens longer than this are refused before any decoding.</summary>
    public const int DefaultMaxTokenLength = 16 * 1024;

    public required JwsKeySet Keys { get; init; }

    /// <summary>The algorithms accepted; a token naming any other is refused even if a key would verify it.</summary>
    public required IReadOnlyList<JwsAlgorithm> AllowedAlgorithms { get; init; }

    /// <summary>The exact <c>iss</c> required (compared ordinally).</summary>
    public required string Issuer { get; init; }

    /// <summary>Accepted audiences: the token's <c>aud</c> (string or array) must contain at least one.</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>When set, the header's <c>typ</c> must match it.</summary>
    public JwtType? RequiredType { get; init; }

    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    public bool RequireExpiration { get; init; } = true;

    public int MaxTokenLength { get; init; } = DefaultMaxTokenLength;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
