using Clavex.Core.Jose;

namespace Clavex.Core.Stores;

public interface ISigningKeyStore
{
    /// <summary>The organisation's keys; hosts cache this, it is read for every token.</summary>
    ValueTask<SigningKeys> GetAsync(long organizationId, CancellationToken cancellationToken);
}

/// <summary>
/// An organisation's signing keys: <see cref="Current"/> signs; <see cref="Published"/> (next, current and
/// previous keys) is the JWK Set and verifies Clavex's own tokens.
/// </summary>
public sealed class SigningKeys
{
    public SigningKeys(JwsKey current, IReadOnlyList<JwsKey> published)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(published);
        Current = current;
        Published = published;
        Verification = new JwsKeySet(published);
        if (Verification.FindByKeyId(current.KeyId) is null)
        {
            throw new ArgumentException("The current signing key must be published.", nameof(published));
        }
    }

    public JwsKey Current { get; }

    public IReadOnlyList<JwsKey> Published { get; }

    public JwsKeySet Verification { get; }
}
