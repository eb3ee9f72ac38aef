namespace Clavex.Server.Login;

public enum PasswordVerification
{
    Failed,
    Succeeded,

    /// <summary>The password is right but was stored with weaker parameters: store <see cref="PasswordHasher.Hash"/> of it now.</summary>
    SucceededRehashNeeded,
}
