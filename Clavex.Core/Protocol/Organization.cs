using Clavex.Core.Factors;

namespace Clavex.Core.Protocol;

/// <summary>
/// The tenant every request is scoped to. Its issuer is <c>{public base URL}/{slug}</c>, and every store call
/// carries its id, so nothing of one organisation is ever visible to another.
/// </summary>
public sealed record Organization(long Id, string Slug, string Issuer)
{
    public string TokenEndpoint => Issuer + "/token";

    /// <summary>Who must use a second factor, and the enrolment grace period.</summary>
    public SignInPolicy SignInPolicy { get; init; } = SignInPolicy.Default;
}
