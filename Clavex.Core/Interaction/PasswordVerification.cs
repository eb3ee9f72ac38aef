namespace Clavex.Core.Interaction;

/// <summary>What checking a password against its stored hash found (<see cref="IPasswordVerifier"/>).</summary>
public enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>The password is right but was stored with weaker parameters: store <see cref="IPasswordVerifier.HashAsync"/> of it now.</summary>
    SucceededRehashNeeded,
}
