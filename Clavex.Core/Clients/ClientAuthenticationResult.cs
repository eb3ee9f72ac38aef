using System.Diagnostics.CodeAnalysis;
using Clavex.Core.Protocol;

namespace Clavex.Core.Clients;

/// <summary>The authenticated client, or the error to return. Either way, whether HTTP Basic was attempted.</summary>
public sealed record ClientAuthenticationResult
{
    public Client? Client { get; init; }

    public OAuthError? Error { get; init; }

    /// <summary>How the client authenticated this time, which for secrets may differ from how it was registered.</summary>
    public TokenEndpointAuthMethod? Method { get; init; }

    /// <summary>The id of the secret that matched, for the secret's "last used" time.</summary>
    public string? MatchedSecretId { get; init; }

    /// <summary>
    /// A Basic <c>Authorization</c> header was presented: an <c>invalid_client</c> answer must then be 401 with
    /// <c>WWW-Authenticate: Basic</c> (RFC 6749 §5.2).
    /// </summary>
    public bool BasicAttempted { get; init; }

    [MemberNotNullWhen(true, nameof(Client))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Client is not null;

    internal static ClientAuthenticationResult Success(Client client, TokenEndpointAuthMethod method, string? matchedSecretId, bool basicAttempted) =>
        new() { Client = client, Method = method, MatchedSecretId = matchedSecretId, BasicAttempted = basicAttempted };

    internal static ClientAuthenticationResult Failure(OAuthError error, bool basicAttempted) =>
        new() { Error = error, BasicAttempted = basicAttempted };
}
