namespace Clavex.Core.Clients;

/// <summary>
/// One of a client's secrets, known only by its SHA-256 hash. Secrets are 190+ bits of randomness, so a fast
/// hash is enough and keeps the token endpoint fast; a client holds two during a rotation.
/// </summary>
public sealed record ClientSecret(string Id, byte[] Sha256Hash, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null)
{
    public bool IsValidAt(DateTimeOffset now) => ExpiresAt is null || now < ExpiresAt;
}
