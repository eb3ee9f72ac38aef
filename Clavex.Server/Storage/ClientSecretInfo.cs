namespace Clavex.Server.Storage;

/// <summary>A client secret as an admin sees it: when it was made, last used and will stop working; never the secret or its hash.</summary>
public sealed record ClientSecretInfo(string Id, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt);
