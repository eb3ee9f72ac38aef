namespace Clavex.Core.Interaction;

/// <summary>
/// Password hashing, implemented by the host with a slow KDF (Clavex.Server: Argon2id at OWASP parameters, a bounded
/// number at once). The core decides what a result means; the verifier only does the work.
/// </summary>
public interface IPasswordVerifier
{
    /// <summary>
    /// Checks <paramref name="password"/> against <paramref name="storedHash"/>. With a null hash (no such user, no
    /// password set, or a locked account) it does the same work against a dummy and fails, so the time taken does not
    /// tell those cases apart.
    /// </summary>
    ValueTask<PasswordVerification> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken);

    /// <summary>A new hash of <paramref name="password"/> at the current parameters.</summary>
    ValueTask<string> HashAsync(string password, CancellationToken cancellationToken);
}
