using Clavex.Core.Clients;
using Clavex.Core.Protocol;

namespace Clavex.Core.Authorization;

/// <summary>A validated authorization request: everything checked, scopes already narrowed to what the client may get.</summary>
public sealed record AuthorizationRequest
{
    public required Organization Organization { get; init; }

    public required Client Client { get; init; }

    public required string RedirectUri { get; init; }

    public required string ResponseMode { get; init; }

    public string? State { get; init; }

    public string? Nonce { get; init; }

    /// <summary>The scopes that will be granted: requested, minus those the client may not use.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    public Prompt Prompt { get; init; }

    /// <summary>Seconds since the last active authentication after which the user must sign in again.</summary>
    public int? MaxAge { get; init; }

    public string? LoginHint { get; init; }

    public IReadOnlyList<string> AcrValues { get; init; } = [];

    public string? UiLocales { get; init; }

    public string? IdTokenHint { get; init; }

    public string? CodeChallenge { get; init; }

    public string? CodeChallengeMethod { get; init; }

    public bool IsOpenIdRequest => ScopeList.Contains(Scopes, Protocol.Scopes.OpenId);
}

/// <summary>The <c>prompt</c> values of OIDC Core §3.1.2.1.</summary>
[Flags]
public enum Prompt
{
    Unspecified = 0,
    None = 1,
    Login = 2,
    Consent = 4,
    SelectAccount = 8,
}
