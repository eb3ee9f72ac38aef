namespace Clavex.Core.Stores;

/// <summary>Remembers single-use values (client assertion <c>jti</c>s) until they expire.</summary>
public interface IReplayCache
{
    /// <summary>Records <paramref name="key"/> until <paramref name="expiresAt"/>; false when it was already recorded.</summary>
    ValueTask<bool> TryAddAsync(long organizationId, string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
