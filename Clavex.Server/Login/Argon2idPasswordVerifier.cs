using Clavex.Core.Interaction;

namespace Clavex.Server.Login;

/// <summary>The core's password verifier: Argon2id (<see cref="PasswordHasher"/>), at most one hash per core at once.</summary>
public sealed class Argon2idPasswordVerifier(PasswordHasher hasher, PasswordCheckLimiter limiter) : IPasswordVerifier
{
    public ValueTask<PasswordVerification> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken) =>
        new(limiter.RunAsync(
            () => storedHash is null ? hasher.VerifyAgainstDummy(password) : hasher.Verify(password, storedHash),
            cancellationToken));

    public ValueTask<string> HashAsync(string password, CancellationToken cancellationToken) => ValueTask.FromResult(hasher.Hash(password));
}
