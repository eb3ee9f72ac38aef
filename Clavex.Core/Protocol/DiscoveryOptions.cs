using Clavex.Core.Jose;

namespace Clavex.Core.Protocol;

/// <summary>
/// The host's choices that discovery must reflect. Everything else in the document follows from what Clavex
/// implements and is not configurable, so nothing can be advertised that is not there.
/// </summary>
public sealed record DiscoveryOptions
{
    public static readonly DiscoveryOptions Default = new();

    /// <summary>
    /// The algorithms of the organisation's published signing keys, the signing one first. ID tokens are signed with
    /// the organisation's asymmetric key, never with a client secret, so HS256 is refused.
    /// </summary>
    public IReadOnlyList<JwsAlgorithm> IdTokenSigningAlgorithms { get; init; } = [JwsAlgorithm.RS256];

    /// <summary>
    /// The languages the host's pages are written in (BCP 47), for <c>ui_locales_supported</c> (OIDC Discovery §3);
    /// empty: the member is left out.
    /// </summary>
    public IReadOnlyList<string> UiLocales { get; init; } = [];

    /// <summary>Whether the host maps RP-Initiated Logout at <see cref="EndpointPaths.Logout"/>.</summary>
    public bool EndSessionSupported { get; init; } = true;
}
